"""The 校验 button and the clerk's 说明, and the 上年数据 sheet, on xlwings' remote engine.

After a validation writes the 校验结果 sheet, the clerk types a 说明 in its last column; the next press of 校验
must read it back: a warning with a 说明 counts as explained (已说明), an error does not pass, and the
rewritten sheet keeps every 说明. A filled 上年数据 sheet with a carry-over that does not match marks 表三's
二、上年结转 cell amber (Y-CARRY), as `gkxl validate` does.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from test_excel import _lone_rule, _names, _run
from xlwings_remote import Fills, cell_actions, payload, replay

from gkxl.check.crossyear import block_rules
from gkxl.check.validate import FileResult, check_file
from gkxl.form.model import load_form
from gkxl.workbook.annotate import RESULT_HEADERS, RESULTS_SHEET

WARNING_NOTE = "本项确实没有发生，已与业务科室核实"
ERROR_NOTE = "合计数以上报系统为准"


@pytest.fixture
def excel(monkeypatch):
    monkeypatch.setenv("XLWINGS_LICENSE_KEY", "noncommercial")
    import gkxl.excel.buttons

    monkeypatch.setattr(gkxl.excel.buttons, "fills", Fills(monkeypatch), raising=False)
    return gkxl.excel.buttons


WARNING = "V-MONEY-UNIT"


def _one_error_one_warning(form):
    """A broken lone total (one error) and an amount that looks like 元 (one V-MONEY-UNIT warning, sums intact).
    (A blank is no such warning: it leaves the report 未填完 whatever its 说明 says.)"""
    rule = _lone_rule(form)
    blanked = {}

    def edit(report):
        report.values[rule.target.key] += 1
        cell = next(c for c in form.cells if c.kind == "money")
        report.values[cell.key] = Decimal("60000")
        blanked["cell"] = cell

    return edit, rule, blanked


def _results_table(data: dict) -> list[list]:
    return data["sheets"][_names(data).index(RESULTS_SHEET)]["values"]


def _type_note(data: dict, rule: str, cell: str, text: str) -> None:
    """The clerk types `text` in the 说明 column of the row of (rule, cell), as in Excel."""
    table = _results_table(data)
    header = table[0]
    col = {h: header.index(h) for h in ("规则", "单元格", "说明")}
    rows = [r for r in table[1:] if r[col["规则"]] == rule and r[col["单元格"]] == cell]
    assert len(rows) == 1, f"no single row for {rule} {cell} in {table}"
    rows[0][col["说明"]] = text


def _written_results(recorded: list[dict], data: dict) -> list[list]:
    """The 校验结果 table the last validation wrote."""
    return cell_actions(recorded, _names(data), "setValues")[(RESULTS_SHEET, "A1")][-1]["values"]


def test_a_note_on_a_warning_is_read_back_and_written_again(excel, make_workbook):
    form = load_form("2021")
    edit, rule, blanked = _one_error_one_warning(form)
    path = make_workbook("2021", edit=edit)
    blank = blanked["cell"]
    data = payload(path)
    _, first, recorded = _run(excel, data)
    assert first.verdict == "不通过：1 处必须修改"
    data = replay(data, recorded)
    assert _results_table(data)[0] == list(RESULT_HEADERS) and RESULT_HEADERS[-1] == "说明"

    _type_note(data, WARNING, blank.cell, WARNING_NOTE)
    _type_note(data, rule.id, rule.target.cell, ERROR_NOTE)
    _, second, recorded = _run(excel, data)

    by_rule = {f.rule: f for f in second.findings if f.severity != "info"}
    assert by_rule[WARNING].explained and by_rule[WARNING].explanation == WARNING_NOTE
    assert not by_rule[rule.id].explained and by_rule[rule.id].explanation == ERROR_NOTE  # an error stays open
    assert second.verdict == "不通过：1 处必须修改"
    assert second.verdict == FileResult(path, None, second.findings).verdict  # the CLI's verdict, word for word
    alert = recorded[-1]
    assert alert["func"] == "alert" and alert["args"][0].startswith(second.verdict) and alert["args"][3] == "critical"

    table = _written_results(recorded, data)
    header = table[0]
    level, rule_col, note = header.index("级别"), header.index("规则"), header.index("说明")
    rows = {r[rule_col]: r for r in table[1:]}
    assert rows[WARNING][level] == "已说明" and rows[WARNING][note] == WARNING_NOTE
    assert rows[rule.id][level] == "必须修改" and rows[rule.id][note] == ERROR_NOTE

    # Once more: the 说明 written back are read back again (nothing is lost on a third press).
    _, third, _ = _run(excel, replay(data, recorded))
    assert third.verdict == second.verdict
    assert {f.rule: f.explanation for f in third.findings if f.explanation} == {
        WARNING: WARNING_NOTE,
        rule.id: ERROR_NOTE,
    }


def test_an_explained_warning_alone_passes(excel, make_workbook):
    form = load_form("2021")
    edit, _, blanked = _one_error_one_warning(form)

    def only_blank(report):
        edit(report)
        report.values[_lone_rule(form).target.key] -= 1  # the total is right again

    data = payload(make_workbook("2021", edit=only_blank))
    _, first, recorded = _run(excel, data)
    assert first.verdict == "待说明：1 处请核实"
    data = replay(data, recorded)
    _type_note(data, WARNING, blanked["cell"].cell, WARNING_NOTE)
    _, second, recorded = _run(excel, data)
    assert second.verdict == "通过"
    assert recorded[-1]["args"][3] == "info"


def _with_last_year(form, carry_off_by: int):
    """This year's report, with last year's figures in its 上年数据 sheet: all consistent, except 自然人's
    carry-over (last year's 四、结转下年度继续办理 off by `carry_off_by`)."""
    pairs = block_rules(form)

    def edit(report):
        report.previous_year = report.year - 1
        for rule, last in pairs:
            values = {**report.values, last.key: 0}
            report.previous_block[last.key] = report.values[rule.target.key] - rule.expected(values)
        carry = next(last for rule, last in pairs if rule.id == "Y-CARRY")
        report.previous_block[carry.key] += carry_off_by

    return edit, next(rule for rule, _ in pairs if rule.id == "Y-CARRY")


def test_a_carry_over_that_does_not_match_last_year_is_marked_amber(excel, make_workbook, form):
    edit, carry = _with_last_year(form, carry_off_by=3)
    path = make_workbook(form.id, year=form.years[0] + 1, edit=edit)
    expected = check_file(path).findings
    assert [(f.rule, f.sheet, f.cell) for f in expected if f.severity != "info"] == [
        ("Y-CARRY", carry.target.sheet, carry.target.cell)
    ]
    assert carry.target.sheet == "表三" and "上年结转" in carry.target.row_label

    data = payload(path)
    _, outcome, recorded = _run(excel, data)
    assert [(f.rule, f.cell) for f in outcome.findings if f.severity != "info"] == [("Y-CARRY", carry.target.cell)]
    colours = cell_actions(recorded, _names(data), "setRangeColor")
    assert {k: [a["args"][0].lower() for a in v] for k, v in colours.items()} == {
        (carry.target.sheet, carry.target.cell): [excel.MARK_HEX["warning"]]
    }
    assert excel.MARK_HEX["warning"] == "#ffc000"  # amber
    assert excel.fills[(carry.target.sheet, carry.target.cell)] == "#ffc000"
    assert outcome.verdict == "待说明：1 处请核实"


def test_a_matching_last_year_marks_nothing(excel, make_workbook, form):
    edit, _ = _with_last_year(form, carry_off_by=0)
    data = payload(make_workbook(form.id, year=form.years[0] + 1, edit=edit))
    _, outcome, recorded = _run(excel, data)
    assert outcome.verdict == "通过" and outcome.marked == 0
    assert not cell_actions(recorded, _names(data), "setRangeColor")


def test_a_note_typed_on_the_checks_sheet_settles_its_warning_in_the_button(excel, make_workbook):
    """One 说明 mechanism: what the 校验 sheet's formulas count as 已说明, the button counts too."""
    from gkxl.form.rules import form_rules
    from gkxl.workbook.checks_sheet import COL, SHEET, check_rows

    form = load_form("2021")
    rule = next(r for r in form_rules(form) if r.severity == "warning")

    def overshoot(report):
        report.values[rule.target.key] = rule.expected(report.values) + 1

    data = payload(make_workbook("2021", edit=overshoot, unit="某市人民政府"))
    _, first, _ = _run(excel, data)
    assert first.verdict == "待说明：1 处请核实"
    row = next(c.row for c in check_rows(form) if c.rule == rule)
    grid = data["sheets"][_names(data).index(SHEET)]["values"]
    col = ord(COL["说明"]) - ord("A")
    grid[row - 1] += [None] * (col + 1 - len(grid[row - 1]))
    grid[row - 1][col] = WARNING_NOTE
    _, second, _ = _run(excel, data)
    assert second.verdict == "通过"
    assert [f.explanation for f in second.findings if f.rule == rule.id] == [WARNING_NOTE]
