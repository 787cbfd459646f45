"""gkxl.excel.buttons against xlwings' own Book API, on xlwings' remote engine (see tests/xlwings_remote.py).

Each test fills a real workbook with gkxl.workbook.sample, hands its values to xlwings as an Excel client would,
presses a button (validate / clear / fill_totals) and checks the actions xlwings recorded for Excel.
"""

from __future__ import annotations

import dataclasses
import random
import re
from pathlib import Path

import pytest
from xlwings_remote import Fills, actions, cell_actions, open_book, payload, replay

from gkxl.check.validate import check_file, rule_findings
from gkxl.form.model import load_form
from gkxl.form.totals import computed_totals, total_rules
from gkxl.workbook.annotate import RESULT_HEADERS, RESULTS_SHEET, results_rows
from gkxl.workbook.styles import INPUT_FILL

TEMPLATE_FILL = "#" + INPUT_FILL[2:].lower()


@pytest.fixture
def excel(monkeypatch):
    """gkxl.excel.buttons, with the remote engine licensed for this test only, and a record of the cells' fills."""
    monkeypatch.setenv("XLWINGS_LICENSE_KEY", "noncommercial")
    import gkxl.excel.buttons

    monkeypatch.setattr(gkxl.excel.buttons, "fills", Fills(monkeypatch), raising=False)
    return gkxl.excel.buttons


def _template_fills(fills: Fills, form) -> None:
    for cell in form.cells:
        fills[(cell.sheet, cell.cell)] = TEMPLATE_FILL


def _names(data: dict) -> list[str]:
    return [s["name"] for s in data["sheets"]]


def _lone_rule(form):
    """A total that is part of no other rule and closes only one: breaking it gives exactly one error."""
    rules = total_rules(form)
    used = [c.key for r in rules for c in r.parts] + [r.target.key for r in rules]
    return next(r for r in rules if used.count(r.target.key) == 1)


def _broken(form):
    """An edit that breaks a total (error), blanks a part (warning) and puts text in a cell (error)."""
    rule = _lone_rule(form)

    def edit(report):
        report.values[rule.target.key] += 1
        text_cell = next(c for c in form.cells if c.key != rule.target.key and c not in rule.parts)
        report.values[text_cell.key], report.raw[text_cell.key] = None, "3件"
        report.values[rule.parts[-1].key] = None

    return edit, rule


def _run(excel, data: dict, button: str = "validate"):
    book = open_book(data)
    outcome = getattr(excel, button)(book)
    return book, outcome, actions(book)


def _hex(action: dict) -> str | None:
    value = action["args"][0] if isinstance(action["args"], list) else action["args"]
    return value.lower() if value else None


def test_validate_marks_what_gkxl_validate_finds(excel, make_workbook, form):
    edit, rule = _broken(form)
    path = make_workbook(form.id, edit=edit)
    data = payload(path)
    _, outcome, recorded = _run(excel, data)

    expected = check_file(path).findings
    assert outcome.findings == [dataclasses.replace(f, path=None) for f in expected]  # the same engine
    wanted = excel.wanted_marks(expected, _names(data))
    assert (rule.target.sheet, rule.target.cell) in wanted
    colours = cell_actions(recorded, _names(data), "setRangeColor")
    assert {k: [_hex(a) for a in v] for k, v in colours.items()} == {
        k: [excel.MARK_HEX[m.severity]] for k, m in wanted.items()
    }
    assert excel.MARK_HEX == {"error": "#ff7c80", "warning": "#ffc000", "explained": "#c6efce"}
    notes = cell_actions(recorded, _names(data), "addNote")
    assert {k: [a["args"][1] for a in v] for k, v in notes.items()} == {k: [m.text] for k, m in wanted.items()}
    target_note = notes[(rule.target.sheet, rule.target.cell)][0]["args"][1]
    assert next(f.message for f in expected if f.rule == rule.id) in target_note


def test_results_sheet_lists_every_finding_with_a_link(excel, make_workbook):
    form = load_form("2021")
    edit, _ = _broken(form)
    path = make_workbook("2021", edit=edit)
    data = payload(path)
    _, outcome, recorded = _run(excel, data)
    writes = cell_actions(recorded, _names(data), "setValues")[(RESULTS_SHEET, "A1")]
    table = writes[-1]["values"]
    rows = results_rows([f for f in outcome.findings if f.severity != "info"])
    assert table[0] == list(RESULT_HEADERS)
    assert len(table) == len(rows) + 1
    for written, row in zip(table[1:], rows, strict=True):
        # xlwings sends an empty cell to Excel as ''
        assert written[:3] + written[4:] == ["" if v is None else v for v in row[:3] + row[4:]]
        assert written[3] == f'=HYPERLINK("#\'{row[2]}\'!{row[3]}","{row[3]}")'
    added = [a["args"] for a in recorded if a["func"] == "addSheet"]
    assert [RESULTS_SHEET in a for a in added].count(True) == 1
    alert = recorded[-1]
    assert alert["func"] == "alert" and alert["args"][0].startswith(outcome.verdict)
    assert outcome.verdict.startswith("不通过：")


def test_clear_restores_exactly_the_fills_from_before(excel, make_workbook):
    form = load_form("2021")
    edit, rule = _broken(form)
    data = payload(make_workbook("2021", edit=edit))
    _template_fills(excel.fills, form)
    target = (rule.target.sheet, rule.target.cell)
    elsewhere = (form.cells[-1].sheet, form.cells[-1].cell)
    excel.fills[target] = "#00b050"  # the clerk's own green on a cell gkxl will mark
    excel.fills[elsewhere] = "#123456"  # and on a cell it will not
    before = dict(excel.fills.fills)

    _, outcome, recorded = _run(excel, data)
    assert excel.fills[target] == "#ff7c80"
    data = replay(data, recorded)
    marks_sheet = next(s for s in data["sheets"] if s["name"] == excel.MARKS_SHEET)
    assert [rule.target.sheet, rule.target.cell, "error", "#00b050", "是"] in [r[:5] for r in marks_sheet["values"]]

    _, cleared, recorded = _run(excel, data, "clear")
    assert excel.fills.fills == before  # every fill as it was, the clerk's green included
    colours = cell_actions(recorded, _names(data), "setRangeColor")
    assert _hex(colours[target][0]) == "#00b050"
    assert elsewhere not in colours
    assert len(colours) == outcome.marked
    data = replay(data, recorded)
    assert all(not s["notes"] for s in data["sheets"])
    assert RESULTS_SHEET not in _names(data)
    assert cleared.verdict == f"已清除 {outcome.marked} 处标记"


def test_a_fill_the_clerk_changed_after_marking_is_left_alone(excel, make_workbook):
    form = load_form("2021")
    edit, rule = _broken(form)
    data = payload(make_workbook("2021", edit=edit))
    _, _, recorded = _run(excel, data)
    target = (rule.target.sheet, rule.target.cell)
    excel.fills[target] = "#00ff00"
    data = replay(data, recorded)
    _, _, recorded = _run(excel, data, "clear")
    assert target not in cell_actions(recorded, _names(data), "setRangeColor")
    assert excel.fills[target] == "#00ff00"


def test_the_clerks_own_note_is_kept(excel, make_workbook):
    form = load_form("2021")
    edit, rule = _broken(form)
    sheet, cell = rule.target.sheet, rule.target.cell
    data = payload(make_workbook("2021", edit=edit), notes={sheet: [f"${cell[0]}${cell[1:]}"]})
    _, _, recorded = _run(excel, data)
    assert (sheet, cell) in cell_actions(recorded, _names(data), "setRangeColor")
    assert (sheet, cell) not in cell_actions(recorded, _names(data), "addNote")
    data = replay(data, recorded)
    _, _, recorded = _run(excel, data, "clear")
    assert (sheet, cell) not in cell_actions(recorded, _names(data), "deleteNote")
    after = replay(data, recorded)
    assert after["sheets"][_names(after).index(sheet)]["notes"] == [{"address": f"${cell[0]}${cell[1:]}"}]


def _set(data: dict, sheet: str, cell: str, value) -> None:
    from gkxl.form.model import split_address

    row, col = split_address(cell)
    data["sheets"][_names(data).index(sheet)]["values"][row - 1][col - 1] = value


def test_validating_again_after_a_fix_touches_only_that_cell(excel, make_workbook):
    form = load_form("2021")
    rule = _lone_rule(form)
    path = make_workbook("2021", edit=lambda r: r.values.__setitem__(rule.target.key, r.values[rule.target.key] + 1))
    data = payload(path)
    _template_fills(excel.fills, form)
    _, first, recorded = _run(excel, data)
    assert first.marked == 1
    data = replay(data, recorded)
    unchanged = {k: v for k, v in excel.fills.fills.items()}

    _, _, recorded = _run(excel, data)  # nothing fixed: no cell touched
    assert not [a for a in recorded if a["func"] in ("setRangeColor", "addNote", "deleteNote")]
    assert excel.fills.fills == unchanged

    _set(data, rule.target.sheet, rule.target.cell, float(rule.expected(check_file(path).report.values)))
    _, fixed, recorded = _run(excel, replay(data, recorded))
    assert fixed.verdict == "通过" and fixed.marked == 0
    colours = cell_actions(recorded, _names(data), "setRangeColor")
    assert {k: [_hex(a) for a in v] for k, v in colours.items()} == {
        (rule.target.sheet, rule.target.cell): [TEMPLATE_FILL]
    }
    assert list(cell_actions(recorded, _names(data), "deleteNote")) == [(rule.target.sheet, rule.target.cell)]


def test_round_trips_per_validation(excel, make_workbook):
    """The counts documented in gkxl/excel.py, for a form with a cover and three table sheets."""
    form = load_form("2021")
    rule = _lone_rule(form)
    clean = payload(make_workbook("2021", seed=1))
    _, first, recorded = _run(excel, clean)
    # names 1 + sheets 6 (cover, 3 tables, 上年数据, 校验) + results sheet (add 1, widths 9, write 1) + verdict 1
    assert first.calls == 19
    _, second, _ = _run(excel, replay(clean, recorded))
    assert second.calls == 11  # names, 6 sheets, results read (说明) + clear + write, verdict

    broken = payload(make_workbook("2021", seed=2, edit=lambda r: r.values.__setitem__(rule.target.key, -1)))
    _, one_error, recorded = _run(excel, broken)
    assert one_error.marked == 1
    assert (
        one_error.calls == 19 + 4 + 3
    )  # + the mark (fill read, note check, fill, note) + marks sheet (add, hide, write)
    _, again, recorded = _run(excel, replay(broken, recorded))
    assert again.calls == 11 + 2  # + marks read and write; the unchanged mark costs nothing
    # Every counted call that is not a read (names, 6 sheets, results, marks) reached xlwings as one action.
    assert len(recorded) == again.calls - 1 - 6 - 1 - 1 == 4


def test_fill_totals_writes_every_total_from_its_parts(excel, make_workbook, form):
    rules = total_rules(form)
    targets = {r.target.key for r in rules}
    kept: dict = {}

    def edit(report):
        kept.update(report.values)
        for key in targets:
            report.values[key] = None
        report.values[rules[0].target.key] = 999999  # a wrong one is overwritten too

    data = payload(make_workbook(form.id, edit=edit))
    _, outcome, recorded = _run(excel, data, "fill_totals")
    assert outcome.verdict == f"已填写 {len(targets)} 个合计"
    data = replay(data, recorded)
    report = excel.read(excel.Session(open_book(data)))
    assert {k: report.values[k] for k in targets} == {k: kept[k] for k in targets}
    assert rule_findings(form, report.values) == []
    writes = [a for a in recorded if a["func"] == "setValues"]
    assert len(writes) < len(targets) / 2  # runs of cells, not one call per cell
    assert outcome.calls == 1 + 1 + len(form.tables) + 1 + 1 + len(writes) + 1  # names, cover, tables, 上年数据, 校验


def test_fill_totals_leaves_totals_whose_parts_are_not_numbers(excel, make_workbook):
    form = load_form("2021")
    rule = total_rules(form)[0]
    part = rule.parts[0]

    def edit(report):
        report.values[part.key], report.raw[part.key] = None, "十二"
        report.values[rule.target.key] = None

    data = payload(make_workbook("2021", edit=edit))
    _, outcome, recorded = _run(excel, data, "fill_totals")
    report = excel.read(excel.Session(open_book(replay(data, recorded))))
    assert report.values[rule.target.key] is None
    assert "未能计算" in outcome.verdict


def test_a_workbook_not_from_the_template_gets_one_clear_message(excel, make_workbook):
    data = payload(make_workbook("2021"))
    data["sheets"][2]["name"] = "Sheet3"
    _, outcome, recorded = _run(excel, data)
    assert [a["func"] for a in recorded] == ["alert"]
    assert "缺少工作表" in recorded[0]["args"][0] and recorded[0]["args"][3] == "critical"
    assert "缺少工作表" in outcome.verdict


@pytest.mark.parametrize("form_id", ["2021", "2019"])
def test_computed_totals_recover_a_consistent_report(form_id):
    from gkxl.workbook.sample import consistent_values

    form = load_form(form_id)
    for seed in range(5):
        values = consistent_values(form, random.Random(seed))
        targets = {r.target.key for r in total_rules(form)}
        blanked = {k: None if k in targets else v for k, v in values.items()}
        assert computed_totals(form, blanked) == {k: values[k] for k in targets}


def test_runs_group_cells_into_blocks(excel):
    cells = {(5, 2): 1, (5, 3): 2, (5, 4): 3, (7, 10): 4, (8, 10): 5, (9, 10): 6, (12, 1): 7}
    assert sorted(excel.runs(cells)) == [(5, 2, [[1, 2, 3]]), (7, 10, [[4], [5], [6]]), (12, 1, [[7]])]


def test_only_gkxl_excel_imports_xlwings():
    root = Path(__file__).resolve().parent.parent / "gkxl"
    importing = {
        p.relative_to(root).as_posix()
        for p in root.rglob("*.py")
        if re.search(r"^\s*(import xlwings|from xlwings)", p.read_text(encoding="utf-8"), re.M)
    }
    assert importing == {"excel/buttons.py"}
