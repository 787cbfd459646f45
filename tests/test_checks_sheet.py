"""The checks that need no macros: the 校验 sheet's formulas and the red totals, recalculated by LibreOffice.

The engine under test is a real spreadsheet: LibreOffice headless converts the filled workbooks (which
recalculates every formula) and renders the conditional formats to HTML. What it says must agree with the
Python engine (gkxl.check.validate) cell for cell.
"""

from __future__ import annotations

import random
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from openpyxl import load_workbook
from python_calamine import CalamineWorkbook

from gkxl.check.crossyear import block_rules
from gkxl.check.validate import validate
from gkxl.form.model import column_letters, load_form, split_address
from gkxl.form.rules import form_rules
from gkxl.read.reader import read_report
from gkxl.workbook.checks_sheet import SHEET
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


def _rule_rows(ws) -> list[dict]:
    """The rule rows of a 校验 sheet read by openpyxl or calamine, keyed by header."""
    rows = [list(r) for r in ws]
    header_at = next(i for i, r in enumerate(rows) if r and r[0] == "序号")
    header = rows[header_at]
    rule_id = re.compile(r"[A-Z0-9-]+")
    # The L rows (ledger against table) have their own agreement test: tests/test_ledger_libreoffice.py.
    rows = [r for r in rows[header_at + 1 :] if rule_id.fullmatch(str(r[1])) and not str(r[1]).startswith("L-")]
    return [dict(zip(header, r, strict=True)) for r in rows]


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
    assert [(r["规则"], r["位置"]) for r in rows] == [(x.id, f"{x.target.sheet}!{x.target.cell}") for x in rules]
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
        assert any(set(_cells_of(f)) == expected for f in qualified), rule  # 表三 J29 has two rules


def test_reader_ignores_the_checks_sheet(tmp_path):
    report = random_report(load_form("2019"), random.Random(3), year=2020)
    path = write_report(report, tmp_path / "r.xlsx")
    assert SHEET in load_workbook(path).sheetnames
    assert read_report(path).values == report.values


# --- LibreOffice as the spreadsheet engine --------------------------------------------------------------


def _bump(report, key, rng):
    cell = report.form.cell(key)
    value = report.values[key] or 0
    step = 1 if cell.kind == "count" and value < 1 else rng.choice((1, -1))
    report.values[key] = value + step


def _overshoot(report, rng: random.Random) -> None:
    """Break a soft rule (≤ or ≥) by one."""
    rule = rng.choice([r for r in form_rules(report.form) if r.op != "="])
    report.values[rule.target.key] = rule.expected(report.values) + (1 if rule.op == "<=" else -1)


def _break(report, rng: random.Random, mistakes: int) -> None:
    """Typical mistakes on random rule cells: a total or a part off by one, a blank cell, text in a cell."""
    rules = form_rules(report.form)
    for _ in range(mistakes):
        rule = rng.choice(rules)
        cell = rng.choice((rule.target, *rule.parts))
        kind = rng.choice(("bump", "bump", "bump", "blank", "blank", "soft", "text"))
        if kind == "bump":
            _bump(report, cell.key, rng)
        elif kind == "blank":
            report.values[cell.key] = None
        elif kind == "soft":
            _overshoot(report, rng)
        else:
            report.values[cell.key] = None
            report.raw[cell.key] = f"{rng.randrange(1, 9)}件"


def _last_year(report, rng: random.Random) -> None:
    """Fill the 上年数据 block as last year's report would have it, with some figures off by one or left out."""
    report.previous_year = report.year - 1
    for rule, last in block_rules(report.form):
        target = report.values.get(rule.target.key)
        others = rule.expected({**report.values, last.key: 0})  # what this year's own cells contribute
        report.previous_block[last.key] = None if target is None else max(target - others, 0)
    for key in rng.sample(sorted(report.previous_block), 3):
        report.previous_block[key] = None if rng.random() < 0.3 else (report.previous_block[key] or 0) + 1


def _reports():
    """(name, report): two clean and eight broken reports of each form; the last three fill 上年数据."""
    out = []
    for form_id in FORMS:
        form = load_form(form_id)
        for seed in range(10):
            rng = random.Random(seed)
            report = random_report(form, rng, year=form.years[0], scale=rng.choice((3, 20)))
            if seed >= 2:
                _break(report, rng, mistakes=rng.randrange(1, 4))
            if seed >= 7:
                _last_year(report, rng)
            out.append((f"{form_id}-{seed}", report))
    return out


def _convert(files: list[Path], fmt: str, outdir: Path, profile: Path) -> None:
    command = [SOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", fmt]
    subprocess.run([*command, "--outdir", str(outdir), *map(str, files)], check=True, capture_output=True, timeout=600)


@pytest.fixture(scope="module")
def recalculated(tmp_path_factory):
    """Each report written, validated by the engine, and recalculated + rendered by LibreOffice."""
    base = tmp_path_factory.mktemp("lo")
    cases = []
    for name, report in _reports():
        path = write_report(report, base / "in" / f"{name}.xlsx")
        cases.append((name, validate(read_report(path))))
    files = sorted((base / "in").glob("*.xlsx"))
    _convert(files, "xlsx", base / "xlsx", base / "profile")
    _convert(files, "html", base / "html", base / "profile")
    return base, cases


def _sheet_rows(path: Path) -> list[list]:
    book = CalamineWorkbook.from_path(str(path))
    return book.get_sheet_by_name(SHEET).to_python(skip_empty_area=False)


def _marked(rows: list[dict], status: str) -> set[tuple[str, str]]:
    return {(r["规则"], r["位置"]) for r in rows if r["结果"] == status}


def _found(findings, severity: str, rule_ids: set[str]) -> set[tuple[str, str]]:
    return {(f.rule, f"{f.sheet}!{f.cell}") for f in findings if f.severity == severity and f.rule in rule_ids}


@needs_soffice
@pytest.mark.libreoffice
def test_checks_sheet_marks_exactly_what_the_engine_reports(recalculated):
    base, cases = recalculated
    broken_files = 0
    for name, findings in cases:
        form = load_form(name.split("-")[0])
        hard = {r.id for r in form_rules(form) if r.severity == "error"}
        soft = {r.id for r in _all_rules(form)} - hard
        grid = _sheet_rows(base / "xlsx" / f"{name}.xlsx")
        rows = _rule_rows(grid)
        assert len(rows) == len(_all_rules(form)), name
        assert {r["结果"] for r in rows} <= {"通过", "不符", "请核实", "含非数字", "未核对"}, name
        assert _marked(rows, "不符") == _found(findings, "error", hard), name
        assert _marked(rows, "请核实") == _found(findings, "warning", soft), name
        summary = {r[0]: next((v for v in r[1:] if v != ""), None) for r in grid[2:7]}
        assert summary["必须修改（不符）"] == len(_marked(rows, "不符")), name
        blanks = [f for f in findings if f.rule == "V-BLANK"]
        texts = [f for f in findings if f.rule == "V-NUMBER"]
        assert summary["未填写的单元格"] == len(blanks), name
        verdict = summary["结论"]
        if _marked(rows, "不符"):
            broken_files += 1
            assert verdict == f"有 {len(_marked(rows, '不符'))} 处不符", name
        elif not texts:
            assert verdict == "全部通过", name
    assert broken_files >= 8  # the mistakes really broke rules: the comparison above is not vacuous
    cross = [f for _, findings in cases for f in findings if f.rule.startswith("Y-")]
    assert len(cross) >= 3  # and the 上年数据 rows were really exercised


def _text_rule_rows(findings, form) -> set[tuple[str, str]]:
    text_cells = {f.key for f in findings if f.rule == "V-NUMBER"}
    return {
        (r.id, f"{r.target.sheet}!{r.target.cell}")
        for r in form_rules(form)
        if text_cells & {c.key for c in (r.target, *r.parts)}
    }


@needs_soffice
@pytest.mark.libreoffice
def test_text_in_a_cell_is_flagged_not_summed(recalculated):
    base, cases = recalculated
    seen = 0
    for name, findings in cases:
        form = load_form(name.split("-")[0])
        rows = _rule_rows(_sheet_rows(base / "xlsx" / f"{name}.xlsx"))
        expected = _text_rule_rows(findings, form)
        assert _marked(rows, "含非数字") == expected, name
        seen += bool(expected)
    assert seen >= 1


class _Grid(HTMLParser):
    """Background colour of every cell of every sheet in LibreOffice's HTML export, by sheet and address."""

    def __init__(self):
        super().__init__()
        self.colors: dict[str, str | None] = {}
        self.sheet, self.row, self.taken, self.in_title = None, 0, set(), False

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
            self.colors[f"{self.sheet}!{column_letters(self.col)}{self.row}"] = (a.get("bgcolor") or "").upper()
            self.col += span_c

    def handle_data(self, data):
        if self.in_title:
            self.sheet, self.in_title = data, False


@needs_soffice
@pytest.mark.libreoffice
def test_conditional_formatting_turns_exactly_the_broken_totals_red(recalculated):
    base, cases = recalculated
    red_seen = 0
    for name, findings in cases:
        form = load_form(name.split("-")[0])
        grid = _Grid()
        grid.feed((base / "html" / f"{name}.html").read_text(encoding="utf-8"))
        hard_targets = {f"{r.target.sheet}!{r.target.cell}" for r in form_rules(form) if r.severity == "error"}
        broken = {f"{f.sheet}!{f.cell}" for f in findings if f.severity == "error"} & hard_targets
        text_rules = _text_rule_rows(findings, form)
        for where in hard_targets - {w for _, w in text_rules}:  # text: LibreOffice sums what it can
            assert (grid.colors[where] == RED) == (where in broken), (name, where)
        soft = {r.id for r in _all_rules(form) if r.severity != "error"}
        warned = {f"{f.sheet}!{f.cell}" for f in findings if f.rule in soft}
        for rule in _all_rules(form):
            where = f"{rule.target.sheet}!{rule.target.cell}"
            if rule.severity == "warning" and where not in {w for _, w in text_rules}:
                assert (grid.colors[where] == AMBER) == (where in warned), (name, where)
        inputs = {f"{c.sheet}!{c.cell}" for c in form.cells} - hard_targets
        assert not {w for w in inputs if grid.colors[w] == RED}, name  # parts stay yellow
        red_seen += len(broken)
    assert red_seen >= 8
