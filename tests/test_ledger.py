"""The 台账: choices derived from the form, counting for a year, bad rows, `gkxl tally`, and the L rules.

Ledgers are written into real templates (openpyxl) and read back (python-calamine); the expected tables
are counted here independently, straight from the counting rules of issue 14 and the form's labels.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from gkxl.check.validate import check_file
from gkxl.cli import cli
from gkxl.form.model import load_form
from gkxl.ledger.spec import APPEAL_HEADERS, APPEAL_SHEET, APPLY_HEADERS, APPLY_SHEET
from gkxl.read.reader import read_report
from gkxl.workbook.template import build_workbook

FORMS = ("2021", "2019")
YEAR = {"2021": 2024, "2019": 2020}
RESULTS_GROUP = "三、本年度办理结果"


# --- the form's choices, independently ----------------------------------------------------------------


def applicants(form) -> list[str]:
    """The six 申请人 columns of 表三: every column under 申请人情况 but its 总计."""
    return [c.label[-1] for c in form.table("apply").sections[0].columns if c.label[-1] != "总计"]


def results(form) -> dict[str, str]:
    """Leaf result label -> row key: the rows under 三、本年度办理结果 but （七）总计."""
    rows = form.table("apply").sections[0].rows
    return {" / ".join(r.label[1:]): r.key for r in rows if r.label[0] == RESULTS_GROUP and "总计" not in r.label[-1]}


def appeal_choices(form) -> tuple[list[str], list[str]]:
    columns = form.table("appeal").sections[0].columns
    kinds = list(dict.fromkeys(c.label[-2] for c in columns))
    outcomes = list(dict.fromkeys(c.label[-1] for c in columns if c.label[-1] != "总计"))
    return kinds, outcomes


def test_choices_come_from_the_form():
    f21, f19 = load_form("2021"), load_form("2019")
    assert applicants(f21) == ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]
    assert "（三）不予公开 / 1.属于国家秘密" in results(f21)
    assert "（六）其他处理 / 3.其他" in results(f21) and "（六）其他处理" not in results(f21)
    assert "（六）其他处理" in results(f19) and len(results(f19)) == 19 and len(results(f21)) == 21
    wb = build_workbook(f19)
    dvs = {str(dv.sqref).split(":")[0][0]: dv.formula1 for dv in wb[APPLY_SHEET].data_validations.dataValidation}
    assert dvs["C"] == '"' + ",".join(applicants(f19)) + '"'
    source = dvs["E"].lstrip("=").replace("$", "")  # the dropdown lists the block's result labels
    first, last = source.split(":")
    labels = [wb[APPLY_SHEET][f"{first[0]}{r}"].value for r in range(int(first[1:]), int(last[1:]) + 1)]
    assert labels == list(results(f19))


# --- writing ledgers and counting them independently -------------------------------------------------------


def put_rows(ws, headers: tuple[str, ...], rows: list[dict], first_row: int = 2) -> None:
    for r, row in enumerate(rows, first_row):
        for c, header in enumerate(headers, 1):
            ws.cell(r, c, row.get(header))


def ledger_workbook(form, apply_rows, appeal_rows, path: Path, year: int | None = None, tables=None) -> Path:
    wb = build_workbook(form)
    wb["封面"]["B3"], wb["封面"]["B4"] = "城关镇人民政府", year or YEAR[form.id]
    put_rows(wb[APPLY_SHEET], APPLY_HEADERS, apply_rows)
    put_rows(wb[APPEAL_SHEET], APPEAL_HEADERS, appeal_rows)
    for key, value in (tables or {}).items():
        cell = form.cell(key)
        wb[cell.sheet][cell.cell] = value
    wb.save(path)
    return path


def expected_tables(form, apply_rows, appeal_rows, year: int) -> dict[str, int]:
    """表三 and 表四 by the issue's counting rules, computed row by row from the labels."""
    out: dict[str, int] = {}
    leaf = results(form)

    def add(key):
        out[key] = out.get(key, 0) + 1

    apply_cols = {c.label[-1]: c.key for c in form.table("apply").sections[0].columns}
    for a in apply_rows:
        received, closed = a["收到日期"], a.get("办结日期")
        if received.year > year or (closed and closed.year < year):
            continue
        col = apply_cols[a["申请人类型"]]
        rows = ["new" if received.year == year else "carried_in"]
        rows += [leaf[a["办理结果"]], "closed_total"] if closed and closed.year == year else ["carried_out"]
        for row in rows:
            add(f"apply_{row}_{col}")
            add(f"apply_{row}_total")
    groups = {"行政复议": "review", "未经复议直接起诉": "direct_suit", "复议后起诉": "suit_after_review"}
    outcome = {"结果维持": "upheld", "结果纠正": "corrected", "其他结果": "other", "尚未审结": "pending"}
    for case in appeal_rows:
        if case["收到日期"].year == year:
            add(f"appeal_{groups[case['类型']]}_{outcome[case['结果']]}")
            add(f"appeal_{groups[case['类型']]}_total")
    return out


def random_rows(form, rng: random.Random, n_apply: int, n_appeal: int, year: int):
    people, leaves = applicants(form), list(results(form))
    kinds, outcomes = appeal_choices(form)
    apply_rows = []
    for i in range(n_apply):
        received = dt.date(year + rng.choice((-2, -1, -1, 0, 0, 0, 1)), rng.randint(1, 12), rng.randint(1, 28))
        closed = None if rng.random() < 0.3 else received + dt.timedelta(days=rng.randint(0, 500))
        row = {
            "编号": f"YS-{i + 1:03d}",
            "收到日期": received,
            "申请人类型": rng.choice(people),
            "申请内容": "某项信息",
        }
        if closed:
            row |= {"办理结果": rng.choice(leaves), "办结日期": closed}
        apply_rows.append(row)
    appeal_rows = [
        {
            "编号": f"FY-{i + 1}",
            "类型": rng.choice(kinds),
            "结果": rng.choice(outcomes),
            "收到日期": dt.date(year + rng.choice((-1, 0, 0, 1)), rng.randint(1, 12), 1),
        }
        for i in range(n_appeal)
    ]
    return apply_rows, appeal_rows


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    form_id=st.sampled_from(FORMS),
    seed=st.integers(0, 10**6),
    n_apply=st.integers(1, 40),
    n_appeal=st.integers(0, 12),
)
def test_tally_equals_an_independent_count_and_validates(tmp_path_factory, form_id, seed, n_apply, n_appeal):
    form, year = load_form(form_id), YEAR[form_id]
    apply_rows, appeal_rows = random_rows(form, random.Random(seed), n_apply, n_appeal, year)
    folder = tmp_path_factory.mktemp("tally")
    source = ledger_workbook(form, apply_rows, appeal_rows, folder / "in.xlsx")
    before = source.read_bytes()
    result = run("tally", str(source), "-o", str(folder / "out.xlsx"))
    assert result.exit_code == 0, result.output
    assert source.read_bytes() == before  # the input is never modified
    report = read_report(folder / "out.xlsx")
    expected = expected_tables(form, apply_rows, appeal_rows, year)
    for cell in form.table("apply").cells:
        assert report.values[cell.key] == expected.get(cell.key, 0), cell.key
    for cell in form.table("appeal").cells:
        assert report.values[cell.key] == (expected.get(cell.key, 0) if appeal_rows else None), cell.key
    errors = [f for f in check_file(folder / "out.xlsx").findings if f.severity == "error"]
    assert errors == []


def test_rows_of_other_years_are_left_out_and_said_so(tmp_path):
    form = load_form("2021")
    rows = [
        {"编号": "1", "收到日期": dt.date(2023, 3, 1), "申请人类型": "自然人", "办理结果": "（一）予以公开",
         "办结日期": dt.date(2023, 4, 1)},
        {"编号": "2", "收到日期": dt.date(2025, 1, 2), "申请人类型": "自然人"},
        {"编号": "3", "收到日期": dt.date(2023, 12, 20), "申请人类型": "商业企业", "办理结果": "（一）予以公开",
         "办结日期": dt.date(2024, 1, 5)},
        {"编号": "4", "收到日期": dt.date(2024, 12, 30), "申请人类型": "其他"},
    ]  # fmt: skip
    source = ledger_workbook(form, rows, [], tmp_path / "in.xlsx")
    result = run("tally", str(source), "-o", str(tmp_path / "out.xlsx"))
    assert result.exit_code == 0, result.output
    assert (
        "依申请台账：4 行，计入 2 行；未计入 2 行（2024 年以前已办结 1 行，收到日期在 2024 年以后 1 行）"
        in result.output
    )
    assert "复议诉讼台账：没有数据，对应的表未改动" in result.output
    assert "二、上年结转政府信息公开申请数量：商业企业 1 → 总计 1" in result.output
    assert "四、结转下年度继续办理：其他 1 → 总计 1" in result.output
    values = read_report(tmp_path / "out.xlsx").values
    assert values["apply_granted_business"] == 1 and values["apply_new_other"] == 1
    assert values["apply_new_natural"] == 0 and values["appeal_review_total"] is None  # 表四 untouched


# --- bad rows ---------------------------------------------------------------------------------------------


def test_bad_rows_stop_the_tally_naming_every_row(tmp_path):
    form = load_form("2021")
    good = {"收到日期": dt.date(2024, 3, 1), "申请人类型": "自然人"}
    rows = [
        {"编号": "1", **good},
        {"编号": "2", **good, "申请人类型": "个人"},
        {"编号": "3", **good, "收到日期": "2024.3.5"},
        {"编号": "4", **good, "办理结果": "（一）予以公开", "办结日期": dt.date(2024, 2, 1)},
        {"编号": "1", **good},
        {"编号": "6", **good, "办理结果": "予以公开", "办结日期": dt.date(2024, 5, 1)},
        {"编号": "7", **good, "办理结果": "（一）予以公开"},
    ]
    cases = [{"编号": "F1", "类型": "行政诉讼", "结果": "结果维持", "收到日期": dt.date(2024, 5, 1)}]
    source = ledger_workbook(form, rows, cases, tmp_path / "in.xlsx")
    out = tmp_path / "out.xlsx"
    result = CliRunner().invoke(cli, ["tally", str(source), "-o", str(out)])
    assert result.exit_code == 1 and not out.exists()
    lines = [line.strip() for line in result.output.splitlines()]
    expected = [
        "✗ 依申请台账 第 3 行 C 列（申请人类型）：“个人”不是可选的申请人类型",
        "✗ 依申请台账 第 4 行 B 列（收到日期）：“2024.3.5”不是日期",
        "✗ 依申请台账 第 5 行 F 列（办结日期）：办结日期 2024-02-01 早于收到日期 2024-03-01",
        "✗ 依申请台账 第 6 行 A 列（编号）：编号“1”与第 2 行重复",
        "✗ 依申请台账 第 7 行 E 列（办理结果）：“予以公开”不是可选的办理结果",
        "✗ 依申请台账 第 8 行 F 列（办结日期）：已填写办理结果，未填写办结日期",
        "✗ 复议诉讼台账 第 2 行 B 列（类型）：“行政诉讼”不是可选的类型",
    ]
    for start in expected:
        assert any(line.startswith(start) for line in lines), (start, result.output)
    assert "台账有 7 处错误" in result.output


def test_validate_reports_bad_rows_at_their_cells(tmp_path):
    form = load_form("2019")
    rows = [{"编号": "1", "收到日期": dt.date(2020, 3, 1), "申请人类型": "公民"}]
    path = ledger_workbook(form, rows, [], tmp_path / "r.xlsx")
    found = [(f.rule, f.sheet, f.cell) for f in check_file(path).findings if f.rule.startswith("L-")]
    assert found == [("L-ROW", APPLY_SHEET, "C2")]


# --- the L rules in gkxl validate ----------------------------------------------------------------------------


def test_a_hand_typed_table_that_differs_from_the_ledger_is_an_error(tmp_path):
    form = load_form("2021")
    rows = [
        {"编号": "1", "收到日期": dt.date(2024, 3, 1), "申请人类型": "自然人", "办理结果": "（一）予以公开",
         "办结日期": dt.date(2024, 3, 9)},
    ]  # fmt: skip
    tables = {c.key: 0 for c in form.table("apply").cells} | {c.key: 0 for c in form.table("appeal").cells}
    tables |= {"apply_new_natural": 1, "apply_new_total": 1, "apply_granted_natural": 1, "apply_granted_total": 1}
    tables |= {"apply_closed_total_natural": 1, "apply_closed_total_total": 1}
    path = ledger_workbook(form, rows, [], tmp_path / "ok.xlsx", tables=tables)
    assert [f for f in check_file(path).findings if f.rule.startswith("L-")] == []
    tables |= {"apply_granted_natural": 0, "apply_partial_natural": 1}  # typed one row too low
    path = ledger_workbook(form, rows, [], tmp_path / "wrong.xlsx", tables=tables)
    found = {f.cell: f for f in check_file(path).findings if f.rule == "L-T3"}
    assert sorted(found) == ["D8", "D9"]
    assert found["D8"].reported == 0 and found["D8"].expected == 1
    assert found["D8"].message == "表三 （一）予以公开·自然人：填报 0，依申请台账 2024 年计数 1，相差 -1（台账编号 1）"


def test_an_empty_ledger_means_no_ledger_rule(tmp_path):
    form = load_form("2021")
    path = ledger_workbook(form, [], [], tmp_path / "r.xlsx", tables={"apply_new_natural": 5})
    assert not [f for f in check_file(path).findings if f.rule.startswith("L-")]


def test_ledgers_seen_before_in_the_same_process_are_told_apart(tmp_path):
    """The look for ledger entries is remembered per ledger part (CRC and size): an empty ledger, then a filled
    one, then the empty one again, in one process, each get their own answer."""
    form = load_form("2021")
    row = {"编号": "7", "收到日期": dt.date(2024, 5, 1), "申请人类型": "自然人", "办理结果": "（一）予以公开",
           "办结日期": dt.date(2024, 5, 9)}  # fmt: skip
    empty = ledger_workbook(form, [], [], tmp_path / "empty.xlsx", tables={"apply_new_natural": 5})
    filled = ledger_workbook(form, [row], [], tmp_path / "filled.xlsx", tables={"apply_new_natural": 5})
    for path, ledger_rules in ((empty, False), (filled, True), (empty, False), (filled, True)):
        assert any(f.rule.startswith("L-") for f in check_file(path).findings) is ledger_rules, path.name


def test_a_workbook_without_ledger_sheets_still_reads_and_validates(tmp_path):
    form = load_form("2021")
    wb = build_workbook(form)
    del wb[APPLY_SHEET], wb[APPEAL_SHEET]
    wb["封面"]["B4"] = 2024
    wb.save(tmp_path / "old.xlsx")
    result = check_file(tmp_path / "old.xlsx")
    assert result.error is None and not [f for f in result.findings if f.rule.startswith("L-")]


# --- a separate ledger workbook ------------------------------------------------------------------------------


def test_a_separate_ledger_in_any_column_order(tmp_path):
    form = load_form("2021")
    apply_rows, appeal_rows = random_rows(form, random.Random(5), 30, 6, 2024)
    wb = Workbook()
    ws = wb.active
    ws.title = "2024年依申请公开登记"
    ws["A1"] = "某某镇依申请公开台账"  # a title row above the header
    order = ("备注", "办理结果", "编号", "申请人类型", "办结日期", "收到日期", "申请内容")
    for c, h in enumerate(order, 1):
        ws.cell(2, c, h)
    put_rows(ws, order, apply_rows, first_row=3)
    cases = wb.create_sheet("复议诉讼")
    order = ("收到日期", "结果", "类型", "编号")
    for c, h in enumerate(order, 1):
        cases.cell(1, c, h)
    put_rows(cases, order, appeal_rows)
    wb.save(tmp_path / "台账.xlsx")
    target = ledger_workbook(form, [], [], tmp_path / "报告.xlsx")
    out = tmp_path / "out.xlsx"
    result = run("tally", "--ledger", str(tmp_path / "台账.xlsx"), "--into", str(target), "-o", str(out))
    assert result.exit_code == 0, result.output
    values = read_report(out).values
    expected = expected_tables(form, apply_rows, appeal_rows, 2024)
    assert all(values[c.key] == expected.get(c.key, 0) for t in ("apply", "appeal") for c in form.table(t).cells)
    copied = load_workbook(out)[APPLY_SHEET]
    assert [copied.cell(r, 1).value for r in range(2, 32)] == [r["编号"] for r in apply_rows]
    assert not [f for f in check_file(out).findings if f.severity == "error"]


def test_tally_refuses_what_it_cannot_do(tmp_path):
    form = load_form("2021")
    source = ledger_workbook(form, [], [], tmp_path / "in.xlsx")
    assert run("tally", str(source), "-o", str(source)).exit_code == 2
    assert run("tally", str(source), "-o", str(tmp_path / "o.xlsm")).exit_code == 2
    result = run("tally", str(source), "-o", str(tmp_path / "o.xlsx"))
    assert result.exit_code == 2 and not (tmp_path / "o.xlsx").exists()


def test_the_ledger_sheets_are_laid_out_for_data_entry_and_print(tmp_path):
    form = load_form("2021")
    build_workbook(form).save(tmp_path / "t.xlsx")
    wb = load_workbook(tmp_path / "t.xlsx")
    for sheet, headers in ((APPLY_SHEET, APPLY_HEADERS), (APPEAL_SHEET, APPEAL_HEADERS)):
        ws = wb[sheet]
        assert [ws.cell(1, c).value for c in range(1, len(headers) + 1)] == list(headers)
        assert ws.freeze_panes == "A2" and ws.auto_filter.ref.startswith("A1:")
        assert str(ws.page_setup.paperSize) == ws.PAPERSIZE_A4 and ws.page_setup.orientation == "landscape"
        assert ws.page_setup.fitToWidth == 1 and ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.print_title_rows == "$1:$1"
        assert ws.protection.sheet and not ws.protection.autoFilter  # protected; filtering allowed
        assert all(not ws.column_dimensions[chr(64 + c)].protection.locked for c in range(1, len(headers) + 1))
        kinds = {dv.type for dv in ws.data_validations.dataValidation}
        assert kinds == {"date", "list"}
        dates = next(dv for dv in ws.data_validations.dataValidation if dv.type == "date")
        assert {str(r).split(":")[0][0] for r in dates.sqref.ranges} == {
            chr(65 + headers.index(h)) for h in headers if h.endswith("日期")
        }


def test_the_validate_path_knows_the_ledger_sheets_without_importing_them():
    """gkxl.check.ledger_rules states the ledger sheets and their widths, so that a workbook without a ledger
    is checked without importing gkxl.ledger: they must be gkxl.ledger.spec's."""
    from gkxl.check.ledger_rules import LEDGER_WIDTHS
    from gkxl.ledger.spec import APPEAL_HEADERS, APPEAL_SHEET, APPLY_HEADERS, APPLY_SHEET

    assert {APPLY_SHEET: len(APPLY_HEADERS), APPEAL_SHEET: len(APPEAL_HEADERS)} == LEDGER_WIDTHS
