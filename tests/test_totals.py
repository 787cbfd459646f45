"""自动合计: every total from its parts, without inventing zeros or negative counts."""

import random

from gkxl.check.validate import rule_findings
from gkxl.form.model import load_form
from gkxl.form.totals import computed_totals, total_rules
from gkxl.workbook.sample import consistent_values


def test_totals_of_a_consistent_report_are_its_own(form):
    values = consistent_values(form, random.Random(4))
    totals = computed_totals(form, values)
    assert totals == {r.target.key: values[r.target.key] for r in total_rules(form)}


def test_blank_totals_stay_blank_and_no_negative_count_is_written():
    form = load_form("2021")
    values = {c.key: None for c in form.cells}
    assert computed_totals(form, values) == {}  # an empty template: nothing to add up
    values["apply_granted_natural"] = 5
    totals = computed_totals(form, values)
    assert totals == {"apply_closed_total_natural": 5, "apply_granted_total": 5, "apply_closed_total_total": 5}
    # 四 = 一 + 二 − 三 would be −5: left for the clerk, and the engine names the problem
    assert "apply_carried_out_natural" not in totals
    filled = {**values, **totals}
    assert [f.cell for f in rule_findings(form, filled) if f.rule == "T3-BALANCE"] == ["D30", "J30"]
