"""The page setup of every sheet gkxl writes, read back with openpyxl from the saved files (no spreadsheet
engine needed; tests/test_looks.py prints them with LibreOffice)."""

from __future__ import annotations

import random
import re
import shutil
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from gkxl.check.validate import check_file
from gkxl.form.model import load_form
from gkxl.merge.combine import merge
from gkxl.merge.sheets import DETAIL_SHEET, DETAIL_WRAP, SOURCE_WRAP, SOURCES_SHEET
from gkxl.read.reader import RESULTS_SHEET, Report
from gkxl.render import render
from gkxl.workbook.annotate import annotate
from gkxl.workbook.sample import random_report, write_report
from gkxl.workbook.standard import write_template
from gkxl.workbook.styles import FOOTER_FILE, FOOTER_PAGE, LINE_PT, footer_unit, print_setup, wrapped_lines
from gkxl.workbook.template import build_workbook
from gkxl.workbook.xlsm import BUTTON_PX, SCREEN_PX, _column_px, _row_px, button_place

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
ERRORS_EXAMPLE = EXAMPLES / "with-errors" / "2024-shiqiao.xlsx"
A4 = 9  # the paper size code openpyxl and Excel use


def assert_page_setup(ws, orientation: str, title_rows: str | None, unit: str | None = None) -> None:
    """A4, `orientation`, one page wide (any number down), the header rows repeated, and the footer."""
    where = ws.title
    assert int(ws.page_setup.paperSize) == A4, where
    assert ws.page_setup.orientation == orientation, where
    assert int(ws.page_setup.fitToWidth) == 1 and int(ws.page_setup.fitToHeight) == 0, where
    assert ws.sheet_properties.pageSetUpPr.fitToPage, where
    assert ws.print_title_rows == title_rows, where
    assert ws.print_area, where
    footer = ws.oddFooter
    assert footer.center.text == "&A", where  # the sheet's name
    assert footer.right.text == FOOTER_PAGE and "&P" in FOOTER_PAGE and "&N" in FOOTER_PAGE, where
    assert footer.left.text == (unit or FOOTER_FILE), where


@pytest.mark.parametrize("form_id", ["2021", "2019"])
def test_template_sheets(form_id, tmp_path):
    form = load_form(form_id)
    wb = load_workbook(write_template(tmp_path / "t.xlsx", form_id))
    assert_page_setup(wb[form.cover["sheet"]], "portrait", None)
    for table in form.tables:
        ws = wb[table.sheet]
        first_body = min(r.row for r in table.sections[0].rows)
        repeat = f"$1:${first_body - 1}" if len(table.sections) == 1 else "$1:$1"
        assert_page_setup(ws, table.orientation, repeat)
        last_row = max(r.row for s in table.sections for r in s.rows)
        assert ws.print_area.endswith(f"${last_row}")
    previous = wb[form.previous_sheet["sheet"]]
    header = next(r for r in range(1, 10) if previous.cell(r, 1).value == "项目")
    assert_page_setup(previous, "portrait", f"${header}:${header}")
    assert wb["表三"].print_title_rows == "$1:$5"  # title and the three header rows: the form's column labels


def test_filled_and_next_year_workbooks_name_the_unit(make_workbook, tmp_path):
    from gkxl.workbook.standard import write_next_year

    path = make_workbook("2021", unit="城关镇人民政府", year=2023)
    wb = load_workbook(path)
    assert {ws.oddFooter.left.text for ws in wb.worksheets if ws.title != "校验"} == {"城关镇人民政府"}
    write_next_year(path, tmp_path / "next.xlsx")
    wb = load_workbook(tmp_path / "next.xlsx")
    assert wb["表三"].oddFooter.left.text == "城关镇人民政府"


def test_annotated_copy_results_sheet(tmp_path):
    source = tmp_path / "in.xlsx"
    shutil.copy(ERRORS_EXAMPLE, source)
    out = annotate(source, check_file(source).findings, tmp_path / "out.xlsx")
    wb = load_workbook(out)
    ws = wb[RESULTS_SHEET]
    assert_page_setup(ws, "landscape", "$1:$1", unit="石桥镇人民政府")
    assert ws.print_area == f"'{RESULTS_SHEET}'!$A$1:$I${ws.max_row}"
    assert all(c.alignment.wrap_text for c in ws[2])  # long messages wrap instead of running off the page
    assert wb["表三"].oddFooter.left.text == "石桥镇人民政府"


def test_summary_sheets(tmp_path):
    paths = []
    for i in range(3):
        report = random_report(load_form("2021"), random.Random(i), unit=f"第{i}镇", year=2024)
        paths.append(write_report(report, tmp_path / f"{i}.xlsx"))
    out = merge(paths, tmp_path / "汇总.xlsx", unit="某县&某区", workers=1).output
    wb = load_workbook(out)
    unit = "某县&&某区"  # '&' starts a code in a footer: doubled
    assert_page_setup(wb[DETAIL_SHEET], "landscape", "$1:$1", unit)
    assert_page_setup(wb[SOURCES_SHEET], "landscape", "$1:$1", unit)
    assert wb[DETAIL_SHEET].print_area.endswith("$A$1:$G$201")  # every statutory cell, each unit, not the keys
    assert wb["表三"].oddFooter.left.text == unit and wb["封面"].oddFooter.left.text == unit
    cover = wb["封面"]
    note = next(c.row for row in cover.iter_rows() for c in row if str(c.value or "").startswith("本表为汇总表"))
    assert cover.print_area.endswith(f"$B${cover.max_row}") and note <= cover.max_row  # the note prints
    _labels_print_whole(wb[DETAIL_SHEET], DETAIL_WRAP)
    _labels_print_whole(wb[SOURCES_SHEET], SOURCE_WRAP)


def _labels_print_whole(ws, wrap: tuple[int, ...]) -> None:
    """Every text of a wrapping column wraps, and its row is as tall as its lines (the form's longest row
    label, 87 columns of text, takes three lines of the 36-wide 行标签): nothing is cut off on paper."""
    tall = 0
    for row in ws.iter_rows(min_row=2):
        texts = [(c.value, ws.column_dimensions[c.column_letter].width) for c in row if c.column in wrap and c.value]
        for cell in row:
            assert bool(cell.alignment.wrap_text) == (cell.column in wrap), (ws.title, cell.coordinate)
        lines = max((wrapped_lines(str(v), w) for v, w in texts), default=1)
        height = ws.row_dimensions[row[0].row].height
        assert (height or 15) >= LINE_PT * lines, (ws.title, row[0].row, lines, height)
        tall += lines > 1
    assert tall or ws.title == SOURCES_SHEET  # 汇总明细 has labels longer than their column


def test_print_setup_keeps_its_positional_form_and_chooses_orientation_by_width():
    wb = Workbook()
    narrow, wide = wb.active, wb.create_sheet("wide")
    for ws, width in ((narrow, 10), (wide, 30)):
        for col in "ABCDEF":
            ws.column_dimensions[col].width = width
        ws["F9"] = 1
    print_setup(narrow, None)
    print_setup(wide, None, title_rows=(1, 2), unit="某镇")
    assert narrow.page_setup.orientation == "portrait" and wide.page_setup.orientation == "landscape"
    assert narrow.print_area.endswith("$A$1:$F$9") and wide.print_title_rows == "$1:$2"
    print_setup(narrow, True, 3, 2)  # the old positional call
    assert narrow.page_setup.orientation == "landscape" and narrow.print_area.endswith("$A$1:$B$3")
    footer_unit(wb, "甲镇")
    assert narrow.oddFooter.left.text == wide.oddFooter.left.text == "甲镇"


# --- where the buttons of the .xlsm sit --------------------------------------------------------------------


def _anchors(ws) -> list[tuple[int, int, int, int]]:
    from gkxl.workbook.xlsm import buttons_vml

    vml = buttons_vml(ws, 1).decode()
    return [tuple(map(int, a.split(", ")))[::2] for a in re.findall(r"<x:Anchor>([^<]+)</x:Anchor>", vml)]


@pytest.mark.parametrize("form_id", ["2021", "2019"])
def test_buttons_are_on_screen_when_the_sheet_opens(form_id):
    wb = build_workbook(load_form(form_id))
    for ws in wb.worksheets:
        place = button_place(ws)
        right = place.left + (3 * BUTTON_PX[0] + 16 if place.across else BUTTON_PX[0])
        assert right <= SCREEN_PX, ws.title  # seen on a 1366-px laptop without scrolling
    for sheet in ("表三", "表四"):  # wider than the screen: in the title row, left of the centred title
        ws = wb[sheet]
        anchors = _anchors(ws)
        assert len(anchors) == 3 and all(r1 == r2 == 0 for _, r1, _, r2 in anchors)  # (column, row) corners
        title_px = 19 * len(ws["A1"].value)
        width = sum(_column_px(ws, c) for c in range(1, ws.max_column + 1))
        assert button_place(ws).left + 3 * BUTTON_PX[0] + 16 < (width - title_px) / 2
        assert BUTTON_PX[1] <= _row_px(ws, 1)


# --- words and languages -----------------------------------------------------------------------------------


def test_docx_is_in_chinese(tmp_path):
    import zipfile

    path = render(Report(load_form("2021"), {}), tmp_path / "r.docx")
    with zipfile.ZipFile(path) as z:
        styles, core = z.read("word/styles.xml").decode(), z.read("docProps/core.xml").decode()
    assert 'w:lang w:val="zh-CN" w:eastAsia="zh-CN"' in styles and "en-US" not in styles
    assert "<dc:language>zh-CN</dc:language>" in core


def test_the_clerk_guide_names_each_mark_colour_one_way():
    """The warning colour is 橙色 everywhere (黄色 is the input cells', and Excel's message bar)."""
    from gkxl.workbook.styles import INPUT_FILL, MARK_COLORS, MARK_NAMES

    guide = (Path(__file__).resolve().parents[1] / "docs" / "clerk-guide.md").read_text(encoding="utf-8")
    yellow = re.findall(r"黄色?\**(.{0,4})", guide)
    assert yellow and all(after.startswith(("单元格", "提示条")) for after in yellow), yellow
    assert "标黄" not in guide and MARK_NAMES["warning"] == "橙色" and guide.count("橙色") >= 4
    assert MARK_COLORS["warning"] != INPUT_FILL and MARK_NAMES["warning"] not in ("黄色", "黄")


# --- the template's cells, as a clerk sees them --------------------------------------------------------------


def test_money_formats_and_the_whole_amount_rule(tmp_path):
    """`0.####` shows an amount as typed; Excel shows a whole amount as '5.', which a conditional number format
    '0' prevents (LibreOffice drops the dot by itself: tests/test_looks.py checks what it prints)."""
    wb = load_workbook(write_template(tmp_path / "t.xlsx", "2021"))
    fees = load_form("2021").cell("active_fees_amount")
    ws = wb[fees.sheet]
    assert ws[fees.cell].number_format == "0.####"
    rules = [r for cf in ws.conditional_formatting for r in cf.rules if fees.cell in str(cf.sqref)]
    whole = [r for r in rules if r.dxf is not None and r.dxf.numFmt is not None]
    assert len(whole) == 1 and whole[0].dxf.numFmt.formatCode == "0"
    assert whole[0].formula == [f"AND(ISNUMBER({fees.cell}),{fees.cell}=INT({fees.cell}))"]
    old = load_form("2019").cell("active_procurement_amount")
    ws = load_workbook(write_template(tmp_path / "o.xlsx", "2019"))[old.sheet]
    assert ws[old.cell].number_format == "0.0000"  # 保留4位小数, as the form's header says
    counts = [c for c in load_form("2021").cells if c.kind != "money"]
    assert {wb[c.sheet][c.cell].number_format for c in counts} == {"0"}


def test_header_rows_are_tall_enough_and_table_four_columns_even():
    from gkxl.workbook.styles import LINE_PT

    old = load_form("2019").cell("active_procurement_amount")
    ws = build_workbook(load_form("2019"))[old.sheet]
    header_row = int(old.cell[1:]) - 1  # 采购总金额（单位：万元，保留4位小数）, over two columns
    assert ws.row_dimensions[header_row].height >= 2 * LINE_PT
    appeal = build_workbook(load_form("2021"))["表四"]
    widths = {appeal.column_dimensions[c].width for c in "ABCDEFGHIJKLMNO"}
    assert widths == {10}  # column A is no wider than the other 14
