from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from parts import differing_parts

from gkxl.cli import cli
from gkxl.form.layout import table_labels
from gkxl.form.model import FORM_IDS, column_letters, load_form, split_address
from gkxl.workbook.standard import write_template

WORKBOOK_DIR = Path(__file__).parents[1] / "workbook"


@pytest.mark.parametrize("form_id", FORM_IDS)
def test_committed_template_matches_a_fresh_build(tmp_path, form_id):
    fresh = write_template(tmp_path / "fresh.xlsx", form_id)
    committed = WORKBOOK_DIR / f"gkxl-{form_id}.xlsx"
    assert differing_parts(committed, fresh) == [], "rebuild with: gkxl template --form ID -o workbook/gkxl-ID.xlsx"


@pytest.fixture(scope="module", params=FORM_IDS)
def built(request, tmp_path_factory):
    path = write_template(tmp_path_factory.mktemp("t") / "t.xlsx", request.param)
    return load_form(request.param), load_workbook(path)


def test_sheets_and_cover(built):
    form, wb = built
    assert wb.sheetnames[:4] == ["封面", "表二", "表三", "表四"]
    cover = wb["封面"]
    assert cover["A3"].value == "填报单位名称" and cover["A4"].value == "年度"
    assert cover["B5"].value == form.id and cover["A5"].value == "表式"
    assert cover["B3"].protection.locked is False and cover["B5"].protection.locked is True


def test_input_cells_unlocked_named_and_validated(built):
    form, wb = built
    for cell in form.cells:
        ws = wb[cell.sheet]
        assert ws[cell.cell].protection.locked is False, cell.key
        row, col = split_address(cell.cell)
        assert wb.defined_names[cell.key].attr_text == f"'{cell.sheet}'!${column_letters(col)}${row}"
        rules = [dv for dv in ws.data_validations.dataValidation if cell.cell in dv.sqref]
        assert len(rules) == 1, cell.key
        a = cell.cell
        money = f"AND(ISNUMBER({a}),{a}>=0,ROUND({a},4)={a})"  # at most 4 places, which "decimal" cannot say
        expected = {"count": ("whole", "0"), "signed_count": ("whole", "-999999999"), "money": ("custom", money)}
        assert (rules[0].type, rules[0].formula1) == expected[cell.kind]
        assert cell.kind != "money" or "万元" in rules[0].prompt


def test_everything_else_is_locked_without_password(built):
    form, wb = built
    inputs = {(c.sheet, c.cell) for c in form.cells}
    for table in form.tables:
        ws = wb[table.sheet]
        assert ws.protection.sheet is True and not ws.protection.password
        for label in table_labels(table):
            address = f"{column_letters(label.left)}{label.top}"
            assert (table.sheet, address) not in inputs
            assert ws[address].protection.locked is True
            assert ws[address].value == label.text


def test_labels_are_merged_like_the_official_form(built):
    form, wb = built
    merged = {str(r) for r in wb["表三"].merged_cells.ranges}
    assert "A3:C5" in merged  # the corner note
    assert "D3:J3" in merged  # 申请人情况
    assert "E4:I4" in merged  # 法人或其他组织
    assert "D4:D5" in merged and "J4:J5" in merged  # 自然人, 总计
    assert "A6:C6" in merged  # 一、本年新收…
    merged4 = {str(r) for r in wb["表四"].merged_cells.ranges}
    assert {"A3:E3", "F3:O3", "F4:J4", "K4:O4", "A4:A5"} <= merged4
    if form.id == "2021":
        assert "B9:D9" in {str(r) for r in wb["表二"].merged_cells.ranges}  # 行政许可 spans three columns


def test_print_ready_on_a4(built):
    form, wb = built
    for table in form.tables:
        ws = wb[table.sheet]
        assert int(ws.page_setup.paperSize) == 9  # A4
        assert ws.page_setup.fitToWidth == 1 and ws.sheet_properties.pageSetUpPr.fitToPage


def test_template_command(tmp_path):
    out = tmp_path / "模板.xlsx"
    result = CliRunner().invoke(cli, ["template", "--form", "2019", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert load_workbook(out)["封面"]["B5"].value == "2019"
