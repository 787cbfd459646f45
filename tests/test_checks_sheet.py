"""The checks that need no macros: the 校验 sheet's formulas and the red totals, recalculated by LibreOffice.

The engine under test is a real spreadsheet: LibreOffice headless converts the filled workbooks (which
recalculates every formula) and renders the conditional formats to HTML. What it says must agree with the
Python engine (gkxl.check.validate) cell for cell.
"""

from __future__ import annotations

import random
import re
import shutil

import pytest
from openpyxl import load_workbook

from gkxl.check.crossyear import block_rules
from gkxl.form.model import column_letters, load_form, split_address
from gkxl.form.rules import form_rules
from gkxl.read.reader import read_report
from gkxl.workbook.checks_sheet import CELL_RULE, COL, SHEET, check_rows
from gkxl.workbook.sample import random_report, write_report
from gkxl.workbook.template import build_workbook

SOFFICE = shutil.which("soffice")
needs_soffice = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
RED, AMBER = "#FF7C80", "#FFC000"
FORMS = ("2021", "2019")
REF = r"(\$?[A-Z]+\$?\d+(?::\$?[A-Z]+\$?\d+)?)"  # a cell or a range, unqualified


# --- the sheet as written (no spreadsheet engine needed) ---------------------------------------------------


def _all_rules(form):
    """The rules in the order of the 校验 sheet: within-year, then cross-year over the 上年数据 block."""
    return [*form_rules(form), *(rule for rule, _ in block_rules(form))]


def _check_rows(ws) -> list[dict]:
    """Every check row of a 校验 sheet read by openpyxl, keyed by header (the 编号 column holds the rule id)."""
    rows = [list(r) for r in ws]
    header_at = next(i for i, r in enumerate(rows) if r and r[0] == "序号")
    header = rows[header_at]
    rule_id = re.compile(r"[A-Z0-9-]+")
    # The L rows (ledger against table) have their own agreement test: tests/test_ledger_libreoffice.py.
    rows = [r for r in rows[header_at + 1 :] if rule_id.fullmatch(str(r[-1])) and not str(r[-1]).startswith("L-")]
    return [dict(zip(header, r, strict=True)) for r in rows]


def _rule_rows(ws) -> list[dict]:
    return [r for r in _check_rows(ws) if r["编号"] != CELL_RULE[1]]


def _cells_of(refs_text: str) -> list[str]:
    """'SUM('表三'!$D$6:$D$7)' -> ['表三!D6', '表三!D7']: every cell a formula fragment references."""
    out = []
    for sheet, a, b in re.findall(r"'([^']+)'!\$?([A-Z]+\$?\d+)(?::\$?([A-Z]+\$?\d+))?", refs_text):
        (r1, c1), (r2, c2) = split_address(a.replace("$", "")), split_address((b or a).replace("$", ""))
        out += [f"{sheet}!{column_letters(c)}{r}" for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)]
    return out


@pytest.mark.parametrize("form_id", FORMS)
def test_one_row_per_rule_with_formulas_over_exactly_its_cells(form_id):
    form = load_form(form_id)
    ws = build_workbook(form)[SHEET]
    rows = _rule_rows(ws.iter_rows(values_only=True))
    rules = _all_rules(form)
    assert [(r["编号"], r["位置"]) for r in rows] == [(x.id, f"{x.target.sheet}!{x.target.cell}") for x in rules]
    assert all(r["规则"] == x.name and re.search("[\u4e00-\u9fff]", x.name) for r, x in zip(rows, rules, strict=True))
    for row, rule in zip(rows, rules, strict=True):
        plus, _, minus = row["应为"].partition("-SUM(")
        where = lambda cells: [f"{c.sheet}!{c.cell}" for c in cells]  # noqa: E731
        assert _cells_of(plus) == where(rule.plus)
        assert _cells_of(minus) == where(rule.minus)
        assert _cells_of(row["填报数"]) == where([rule.target])
        assert rule.title == row["检查内容"] and rule.target.label in row["单元格"]
    assert ws.protection.sheet


@pytest.mark.parametrize("form_id", FORMS)
def test_every_rule_target_has_a_conditional_format_over_its_own_cells(form_id):
    form = load_form(form_id)
    wb = build_workbook(form)
    for rule in _all_rules(form):
        formats = [
            r.formula[0]
            for cf in wb[rule.target.sheet].conditional_formatting
            if str(cf.sqref) == rule.target.cell
            for r in cf.rules
        ]
        expected = {f"{c.sheet}!{c.cell}" for c in (rule.target, *rule.parts)}
        qualified = [re.sub(r"(?<![!$A-Z])" + REF, rf"'{rule.target.sheet}'!\1", f) for f in formats]
        judged = [{c for c in _cells_of(f) if not c.startswith(f"{SHEET}!")} for f in qualified]  # not the 说明
        assert any(cells == expected for cells in judged), rule  # 表三 J29 has two rules


def test_reader_ignores_the_checks_sheet(tmp_path):
    report = random_report(load_form("2019"), random.Random(3), year=2020)
    path = write_report(report, tmp_path / "r.xlsx")
    assert SHEET in load_workbook(path).sheetnames
    assert read_report(path).values == report.values




@pytest.mark.parametrize("form_id", FORMS)
def test_soft_rows_have_an_unlocked_note_cell_and_the_sheet_prints_on_a4(form_id):
    form = load_form(form_id)
    ws = build_workbook(form)[SHEET]
    for check in check_rows(form):
        note = ws[f"{COL['说明']}{check.row}"]
        assert note.protection.locked is (not check.soft), check
    assert sum(c.soft for c in check_rows(form)) >= 3
    assert int(ws.page_setup.paperSize) == int(ws.PAPERSIZE_A4) and ws.page_setup.fitToWidth == 1
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.print_title_rows == "$10:$10"
    assert {r["编号"] for r in _check_rows(ws.iter_rows(values_only=True))} >= {CELL_RULE[1], "T3-BALANCE"}
    cells = [r for r in _check_rows(ws.iter_rows(values_only=True)) if r["编号"] == CELL_RULE[1]]
    assert [r["位置"] for r in cells] == [f"{c.sheet}!{c.cell}" for c in form.cells]  # one row per input cell


def test_a_note_on_the_checks_sheet_explains_its_warning(tmp_path):
    """The 说明 typed on the 校验 sheet is read by validate (and so by the button, merge and csv)."""
    from gkxl.check.validate import check_file

    form = load_form("2021")
    rule = next(r for r in form_rules(form) if r.severity == "warning")
    report = random_report(form, random.Random(5), unit="某市人民政府", year=2024)  # a unit that makes 规章
    report.values[rule.target.key] = rule.expected(report.values) + 1
    path = write_report(report, tmp_path / "r.xlsx")
    assert check_file(path).status == "unexplained"
    wb = load_workbook(path)
    row = next(c.row for c in check_rows(form) if c.rule == rule)
    wb[SHEET][f"{COL['说明']}{row}"] = "本年清理后重新制发，已核实"
    wb.save(path)
    result = check_file(path)
    found = next(f for f in result.findings if f.rule == rule.id)
    assert found.explained and found.explanation == "本年清理后重新制发，已核实"
    assert result.status == "ok" and result.verdict == "通过"


@needs_soffice
@pytest.mark.libreoffice
def test_a_note_survives_a_spreadsheet_saving_it_as_a_shared_string(tmp_path):
    """Excel, WPS and LibreOffice store typed text as shared strings; the reader finds the 说明 there too."""
    import subprocess

    from gkxl.check.validate import check_file

    form = load_form("2021")
    rule = next(r for r in form_rules(form) if r.severity == "warning")
    report = random_report(form, random.Random(6), unit="某市人民政府", year=2024)
    report.values[rule.target.key] = rule.expected(report.values) + 1
    path = write_report(report, tmp_path / "in" / "r.xlsx")
    wb = load_workbook(path)
    wb[SHEET][f"{COL['说明']}{next(c.row for c in check_rows(form) if c.rule == rule)}"] = "经核实无误 & 已备案"
    wb.save(path)
    profile = (tmp_path / "profile").as_uri()
    command = [SOFFICE, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "xlsx"]
    subprocess.run([*command, "--outdir", str(tmp_path / "out"), str(path)], check=True, capture_output=True)
    resaved = tmp_path / "out" / "r.xlsx"
    import zipfile

    assert b"sharedStrings" in zipfile.ZipFile(resaved).read("[Content_Types].xml")
    found = next(f for f in check_file(resaved).findings if f.rule == rule.id)
    assert found.explained and found.explanation == "经核实无误 & 已备案"
