"""The three checks agree: `gkxl validate`, the 校验 sheet after LibreOffice recalculates it, and the cells
LibreOffice renders red through conditional formatting flag the same cells, on a corpus of generated workbooks
of both forms (consistent reports with totals and parts off by one, text such as 3件 / 1,5 / —, blanks,
negative numbers, fractions, error values, soft rules broken with and without a 说明, last year's figures).

All workbooks go through one LibreOffice call (HTML export: every sheet's computed values and colours).
"""

from __future__ import annotations

import shutil
import subprocess
from html.parser import HTMLParser

import pytest
from corpus import generate, write_case

from gkxl.check.validate import check_file
from gkxl.form.model import column_letters, load_form
from gkxl.workbook.checks_sheet import CELL_RULE, COL, ERRORS, EXPLAINED, FIRST_ROW, SHEET, check_rows
from gkxl.workbook.styles import MARK_COLORS

SOFFICE = shutil.which("soffice")
PER_FORM = 100  # 200 workbooks, through one LibreOffice call
RED, AMBER, GREEN = (f"#{MARK_COLORS[k][2:]}" for k in ("error", "warning", "explained"))
SHEET_ONLY = {"T2-REGS", "V-MONEY-UNIT", "Y-GROWTH", "Y-DROP", "V-NORMALISED"}  # rules only Python judges

pytestmark = [
    pytest.mark.libreoffice,
    pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed"),
]


class _Html(HTMLParser):
    """Text and background colour of every cell of every sheet in LibreOffice's HTML export."""

    def __init__(self):
        super().__init__()
        self.colors: dict[str, str] = {}
        self.texts: dict[str, str] = {}
        self.sheet, self.row, self.col, self.taken, self.in_title, self.cell = None, 0, 1, set(), False, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "em":
            self.in_title = True
        elif tag == "table":
            self.row, self.taken = 0, set()
        elif tag == "tr":
            self.row, self.col = self.row + 1, 1
        elif tag == "td":
            while (self.row, self.col) in self.taken:
                self.col += 1
            span_r, span_c = int(a.get("rowspan") or 1), int(a.get("colspan") or 1)
            self.taken |= {(self.row + i, self.col + j) for i in range(span_r) for j in range(span_c)}
            self.cell = f"{self.sheet}!{column_letters(self.col)}{self.row}"
            self.colors[self.cell], self.texts[self.cell] = (a.get("bgcolor") or "").upper(), ""
            self.col += span_c

    def handle_endtag(self, tag):
        if tag == "td":
            self.cell = None

    def handle_data(self, data):
        if self.in_title:
            self.sheet, self.in_title = data, False
        elif self.cell:
            self.texts[self.cell] += data


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """(case, validate's result, LibreOffice's rendering) for every generated workbook."""
    base = tmp_path_factory.mktemp("agreement")
    (base / "in").mkdir()
    cases = [generate(form_id, seed) for form_id in ("2021", "2019") for seed in range(PER_FORM)]
    paths = [write_case(case, base / "in") for case in cases]
    command = [SOFFICE, f"-env:UserInstallation={(base / 'profile').as_uri()}", "--headless", "--convert-to", "html"]
    subprocess.run([*command, "--outdir", str(base / "html"), *map(str, paths)], check=True, capture_output=True,
                   timeout=900)  # fmt: skip
    out = []
    for case, path in zip(cases, paths, strict=True):
        html = _Html()
        html.feed((base / "html" / f"{case.name}.html").read_text(encoding="utf-8"))
        out.append((case, check_file(path), html))
    return out


def _sheet_rows(form, html: _Html) -> list[tuple[str, str, str]]:
    """(编号, 位置, 结果) of every check row of the recalculated 校验 sheet."""
    at = lambda col, row: html.texts.get(f"{SHEET}!{COL[col]}{row}", "")  # noqa: E731
    return [(at("编号", c.row), at("位置", c.row), at("结果", c.row)) for c in check_rows(form)]


def test_the_corpus_is_large_and_varied(corpus):
    assert len(corpus) >= 200
    statuses = {result.status for _, result, _ in corpus}
    assert statuses == {"errors", "incomplete", "unexplained", "ok"}
    rules = {f.rule for _, result, _ in corpus for f in result.findings}
    assert {"V-NUMBER", "V-COUNT", "V-MONEY", "V-ERROR", "V-BLANK", "V-EMPTY", "T3-BALANCE", "T3-RESULTS"} <= rules
    assert sum(any(f.explained for f in r.findings) for _, r, _ in corpus) >= 5
    assert sum(any(f.rule.startswith("Y-") for f in r.findings) for _, r, _ in corpus) >= 5


def test_validate_the_checks_sheet_and_the_red_cells_flag_the_same_cells(corpus):
    for case, result, html in corpus:
        form = load_form(case.form_id)
        engine = {f"{f.sheet}!{f.cell}" for f in result.findings if f.severity == "error" and f.rule != "V-EMPTY"}
        listed = {where for _, where, status in _sheet_rows(form, html) if status in ERRORS}
        inputs = {f"{c.sheet}!{c.cell}" for c in form.cells}
        red = {where for where in inputs if html.colors.get(where) == RED}
        assert engine == listed == red, (case.name, engine ^ listed, engine ^ red)


def test_warnings_and_their_notes_agree(corpus):
    for case, result, html in corpus:
        form = load_form(case.form_id)
        soft = {c.rule.id for c in check_rows(form) if c.soft}
        rows = _sheet_rows(form, html)
        for level, status in (("warning", "请核实"), ("explained", EXPLAINED)):
            engine = {(f.rule, f"{f.sheet}!{f.cell}") for f in result.findings if f.level == level and f.rule in soft}
            assert engine == {(rule, where) for rule, where, s in rows if s == status}, (case.name, level)
        amber = {f"{f.sheet}!{f.cell}" for f in result.findings if f.level == "warning" and f.rule in soft}
        green = {f"{f.sheet}!{f.cell}" for f in result.findings if f.level == "explained" and f.rule in soft}
        targets = {f"{c.rule.target.sheet}!{c.rule.target.cell}" for c in check_rows(form) if c.soft}
        red = {f"{f.sheet}!{f.cell}" for f in result.findings if f.severity == "error"}  # red wins over amber
        assert {w for w in targets if html.colors.get(w) == AMBER} == amber - green - red, case.name
        assert {w for w in targets if html.colors.get(w) == GREEN} == green - red, case.name


def test_the_sheets_verdict_is_the_engines(corpus):
    compared = 0
    for case, result, html in corpus:
        if any(f.rule in SHEET_ONLY for f in result.findings if f.severity != "info"):
            continue  # a warning the formulas do not compute (unit type, 万元 amounts)
        assert html.texts[f"{SHEET}!C3"] == result.verdict, case.name
        compared += 1
    assert compared >= 0.9 * len(corpus)


def test_cell_rows_name_each_input_cell(corpus):
    case, _, html = corpus[0]
    form = load_form(case.form_id)
    rows = [r for r in _sheet_rows(form, html) if r[0] == CELL_RULE[1]]
    assert [where for _, where, _ in rows] == [f"{c.sheet}!{c.cell}" for c in form.cells]
    assert html.texts[f"{SHEET}!A{FIRST_ROW - 1}"] == "序号"
