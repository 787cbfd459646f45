"""Plausibility as data: 规章 by the cover's 单位类型, year-over-year warnings, the impossible 结转."""

from __future__ import annotations

import random

import pytest

from gkxl.check.crossyear import LastYear
from gkxl.check.validate import check_file
from gkxl.form.model import load_form
from gkxl.workbook.sample import random_report, write_report


def _rules(result, rule: str) -> list:
    return [f for f in result.findings if f.rule == rule]


@pytest.mark.parametrize(
    "unit, unit_type, fires, guessed",
    [
        ("城关镇人民政府", "乡镇人民政府", True, False),
        ("城关镇人民政府", None, True, True),  # no type: guessed from the name, and says so
        ("上海市人民政府办公厅", None, False, False),  # reports for 上海市人民政府, which makes 规章
        ("某某委员会", None, True, True),  # an unknown name: still a guess
        ("某某委员会", "国务院部门", False, False),
        ("淮安市人民政府", "设区的市级人民政府", False, False),
        ("淮安市人民政府", "县级人民政府", True, False),  # the type wins over the name
    ],
)
def test_regs_rule_uses_the_unit_type(tmp_path, unit, unit_type, fires, guessed):
    form = load_form("2021")
    report = random_report(form, random.Random(1), unit=unit, year=2024)
    report.unit_type = unit_type
    report.values["active_regs_issued"] = 2
    report.values["active_regs_valid"] = 5
    found = _rules(check_file(write_report(report, tmp_path / "r.xlsx")), "T2-REGS")
    assert bool(found) == fires
    if fires:
        assert ("推断" in found[0].message) == guessed
        assert (f"单位类型为“{unit_type}”" in found[0].message) == (not guessed)


def _pair(tmp_path, edit):
    form = load_form("2021")
    last = random_report(form, random.Random(1), unit="城关镇人民政府", year=2023, scale=40)
    this = random_report(form, random.Random(1), unit="城关镇人民政府", year=2024, scale=40)  # the same figures
    edit(this, last)
    return write_report(this, tmp_path / "this.xlsx"), write_report(last, tmp_path / "last.xlsx")


def _scale_new(report, factor: int) -> None:
    v = report.values
    for col in ("natural", "business", "research", "welfare", "legal", "other", "total"):
        v[f"apply_new_{col}"] *= factor
        v[f"apply_granted_{col}"] += v[f"apply_new_{col}"] - v[f"apply_new_{col}"] // factor  # keep totals right
        v[f"apply_closed_total_{col}"] += v[f"apply_new_{col}"] - v[f"apply_new_{col}"] // factor


def test_new_applications_six_times_last_years_is_a_warning_naming_both(tmp_path):
    spec = next(s for s in load_form("2021").plausibility_specs if s["id"] == "Y-GROWTH")
    assert (spec["ratio"], spec["at_least"]) == ("5", 10)  # the thresholds are data

    def grow(this, last):
        assert last.values["apply_new_total"] >= 10
        _scale_new(this, 6)

    this, last = _pair(tmp_path, grow)
    result = check_file(this, last_year=LastYear.load(last))
    assert not [f for f in result.findings if f.severity == "error"]
    found = _rules(result, "Y-GROWTH")
    assert [(f.sheet, f.cell, f.severity) for f in found] == [("表三", "J6", "warning")]
    assert "last.xlsx 表三!J6" in found[0].message and result.status == "unexplained"
    same, last = _pair(tmp_path, lambda this, last: None)
    assert not _rules(check_file(same, last_year=LastYear.load(last)), "Y-GROWTH")


def test_a_line_of_ten_last_year_and_zero_now_is_a_warning(tmp_path):
    def drop(this, last):
        last.values["apply_declined_repeated_total"] = 12  # last year's figures need not add up here
        this.values["apply_declined_repeated_total"] = 0
        for col in ("natural", "business", "research", "welfare", "legal", "other"):
            moved = this.values[f"apply_declined_repeated_{col}"]
            this.values[f"apply_declined_repeated_{col}"] = 0
            this.values[f"apply_granted_{col}"] += moved
        this.values["apply_granted_total"] = sum(
            this.values[f"apply_granted_{c}"] for c in ("natural", "business", "research", "welfare", "legal", "other")
        )

    this, last = _pair(tmp_path, drop)
    found = _rules(check_file(this, last_year=LastYear.load(last)), "Y-DROP")
    cell = load_form("2021").cell("apply_declined_repeated_total")
    assert [(f.cell, f.reported, f.expected) for f in found] == [(cell.cell, 0, 12)]


@pytest.mark.parametrize("form_id", ["2021", "2019"])
def test_carrying_over_more_than_there_was_is_an_error(tmp_path, form_id):
    form = load_form(form_id)
    report = random_report(form, random.Random(2), unit="城关镇人民政府")
    v = report.values
    v["apply_carried_out_natural"] = v["apply_new_natural"] + v["apply_carried_in_natural"] + 1
    found = _rules(check_file(write_report(report, tmp_path / "r.xlsx")), "T3-CARRY-MAX")
    assert [(f.cell, f.severity) for f in found] == [(form.cell("apply_carried_out_natural").cell, "error")]
