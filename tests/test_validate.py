"""The engine: consistent reports pass, and a single change is caught exactly where it should be."""

import random
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from gkxl.check.validate import check_file, validate
from gkxl.form.model import load_form
from gkxl.form.rules import hard_rules
from gkxl.read.reader import Report
from gkxl.workbook.sample import consistent_values, random_report, write_report

FORMS = st.sampled_from(["2021", "2019"])


def _errors(report: Report) -> set[str]:
    return {f.key for f in validate(report) if f.severity == "error"}


def _report(form_id: str, seed: int) -> Report:
    form = load_form(form_id)
    return Report(form=form, values=consistent_values(form, random.Random(seed)), unit="城关镇", year=form.years[0])


@settings(max_examples=60, deadline=None)
@given(FORMS, st.integers(0, 2**32))
def test_consistent_reports_have_no_error(form_id, seed):
    findings = validate(_report(form_id, seed))
    assert [f.message for f in findings if f.severity != "info"] == []


@settings(max_examples=150, deadline=None)
@given(FORMS, st.integers(0, 2**32), st.data())
def test_a_single_change_breaks_exactly_the_rules_that_involve_it(form_id, seed, data):
    report = _report(form_id, seed)
    rules = hard_rules(report.form)
    involved = sorted({c.key for r in rules for c in (r.target, *r.parts)})
    key = data.draw(st.sampled_from(involved))
    delta = data.draw(st.sampled_from([1, -1] if report.values[key] > 0 else [1]))
    report.values[key] += delta
    expected = {r.target.key for r in rules if key == r.target.key or key in {c.key for c in r.parts}}
    assert _errors(report) == expected
    totals = {r.target.key for r in rules}
    if key in totals:
        assert key in expected  # a changed total is flagged on itself


def test_message_names_the_cell_and_the_difference():
    report = _report("2021", 3)
    report.values["apply_closed_total_natural"] -= 1
    finding = next(f for f in validate(report) if f.rule == "T3-RESULTS")
    expected = report.values["apply_closed_total_natural"] + 1
    reported = expected - 1
    assert finding.message == f"表三 （七）总计·自然人：填报 {reported}，各项合计 {expected}，相差 -1"
    assert (finding.sheet, finding.cell, finding.severity) == ("表三", "D29", "error")
    assert (finding.reported, finding.expected) == (reported, expected)
    assert finding.row_path == ("三、本年度办理结果", "（七）总计")
    assert finding.col_path == ("申请人情况", "自然人")


def test_a_broken_sum_names_its_blank_parts():
    report = _report("2021", 4)
    report.values["appeal_review_upheld"] = None
    report.values["appeal_review_total"] += 5
    finding = next(f for f in validate(report) if f.rule == "T4-REVIEW")
    assert finding.cell == "E6"
    assert "其中未填写：行政复议·结果维持" in finding.message


def test_balance_rule_is_reported_on_the_carry_over():
    report = _report("2019", 5)
    report.values["apply_new_legal"] += 2
    found = {(f.rule, f.cell) for f in validate(report) if f.severity == "error"}
    assert ("T3-BALANCE", "H28") in found  # 2019: （六） is one row, so 四 sits on row 28
    assert ("T3-APPLICANTS", "J6") in found


def test_money_sums_are_exact():
    form = load_form("2019")
    report = Report(form=form, values=consistent_values(form, random.Random(1)), unit="河口乡", year=2019)
    report.values["active_procurement_amount"] = Decimal("0.1") + Decimal("0.2")
    assert report.values["active_procurement_amount"] == Decimal("0.3")
    assert _errors(report) == set()


def test_soft_rules_warn():
    report = _report("2021", 6)
    report.values["active_regs_issued"] = 3  # a township making 规章, more than it has in force
    report.values["active_regs_valid"] = 0
    report.values["active_regs_repealed"] = 0
    report.values["active_fees_amount"] = Decimal("251000")  # 元 typed into a 万元 cell
    rules = {f.rule for f in validate(report) if f.severity == "warning"}
    assert {"T2-ISSUED", "T2-REGS", "V-MONEY-UNIT"} <= rules
    assert _errors(report) == set()


def test_a_city_may_make_regulations():
    report = _report("2021", 6)
    report.unit = "淮安市人民政府"
    report.values["active_regs_issued"] = report.values["active_regs_valid"] = 2
    assert "T2-REGS" not in {f.rule for f in validate(report)}


def test_2019_signed_change_soft_rule():
    report = _report("2019", 8)
    report.values["active_fees_previous"] = 3
    report.values["active_fees_change"] = -5
    finding = next(f for f in validate(report) if f.rule == "T2-PROJECTS")
    assert finding.severity == "warning" and finding.cell == "C17"


def test_round_trip_template_fill_validate(tmp_path, form):
    report = random_report(form, random.Random(11), unit="东街街道办事处", year=form.years[0])
    result = check_file(write_report(report, tmp_path / "r.xlsx"))
    assert result.ok and [f for f in result.findings if f.severity != "info"] == []
    assert result.report.values == report.values
    assert (result.report.unit, result.report.year, result.report.form.id) == ("东街街道办事处", form.years[0], form.id)
