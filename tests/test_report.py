"""The six-part report: the generated sentences of 一、总体情况 and the text checks, on text built in memory."""

from __future__ import annotations

import random
import re

import pytest

from gkxl.form.model import load_form
from gkxl.read.reader import Report
from gkxl.report.checks import Limits, check_text
from gkxl.report.document import build
from gkxl.report.figures import claims, contradictions
from gkxl.report.opening import opening
from gkxl.report.parts import part_specs
from gkxl.report.prose import split_prose
from gkxl.report.text import TextLine, split_parts
from gkxl.workbook.sample import random_report

PROSE = {
    "overview": ["（一）主动公开情况。依托政府网站和政务公开栏，及时公开财政预决算等信息。"],
    "problems": ["政策解读形式较为单一。下一步将增加图解、视频等解读形式，确保公开内容及时准确。"],
    "other": ["本年度未收取政府信息公开信息处理费，行政事业性收费情况见表二。"],
}


def _report(form_id: str, seed: int, **fields) -> Report:
    fields.setdefault("unit", "城关镇人民政府")
    fields.setdefault("year", 2024 if form_id == "2021" else 2020)
    return random_report(load_form(form_id), random.Random(seed), **fields)


def _text(paragraphs) -> str:
    return "".join(s.text for p in paragraphs for s in p)


def _lines(report: Report, prose: dict[str, list[str]] | None = None, extra: dict[str, list[str]] | None = None):
    """The text lines of the report `build` makes, as a reader would see them (tables left out)."""
    paragraphs = [f"城关镇人民政府{report.year}年政府信息公开工作年度报告"]
    for spec in part_specs(report.form):
        paragraphs.append(spec.heading)
        if spec.opening:
            paragraphs += ["".join(s.text for s in p) for p in opening(report)]
        if not spec.table:
            paragraphs += (prose or PROSE).get(spec.id, [])
        paragraphs += (extra or {}).get(spec.id, [])
    return [TextLine(t, f"第 {i} 行") for i, t in enumerate(paragraphs, 1)]


def _check(report, prose=None, extra=None, **kw):
    return check_text(split_parts(_lines(report, prose, extra)), "报告.docx", report, **kw)


# --- the opening sentences --------------------------------------------------------------------------------


@pytest.mark.parametrize("form_id", ["2021", "2019"])
@pytest.mark.parametrize("seed", range(6))
def test_every_figure_written_is_a_cell_and_reads_back(form_id, seed):
    report = _report(form_id, seed)
    text = _text(opening(report))
    stated = claims(report.form, text)
    numbers = [m.span() for m in re.finditer(r"\d+(\.\d+)?", text)]
    assert numbers, text
    assert {(c.start, c.end) for c in stated} >= set(numbers), "every printed figure is read back"
    assert contradictions(report.form, text, report.values) == []


@pytest.mark.parametrize("form_id", ["2021", "2019"])
@pytest.mark.parametrize("seed", range(4))
def test_one_changed_figure_is_exactly_one_contradiction_naming_its_cell(form_id, seed):
    report = _report(form_id, seed)
    text = _text(opening(report))
    stated = {(c.start, c.end): c for c in claims(report.form, text)}
    for m in re.finditer(r"\d+(\.\d+)?", text):
        changed = text[: m.start()] + str(int(float(m.group())) + 1) + text[m.end() :]
        found = contradictions(report.form, changed, report.values)
        assert len(found) == 1, (m.group(), changed)
        assert found[0].claim.figure == stated[m.span()].figure


def test_zero_cases_read_naturally_and_state_their_zeros():
    report = _report("2021", 0)
    report.values = dict.fromkeys(report.values, 0)
    text = _text(opening(report))
    assert "0件" not in text and "0万元" not in text
    for phrase in (
        "未收到新的政府信息公开申请",
        "无上年结转的政府信息公开申请",
        "未发生政府信息公开行政复议案件",
        "未发生政府信息公开行政诉讼案件",
        "未收取行政事业性收费",
    ):
        assert phrase in text
    assert contradictions(report.form, text, report.values) == []
    report.values["apply_new_total"] = 3  # the text says none were received
    [found] = contradictions(report.form, text, report.values)
    assert found.claim.figure.cells[0].key == "apply_new_total" and found.expected == 3


def test_an_unfilled_cell_is_a_marked_placeholder_never_a_zero():
    report = _report("2021", 1)
    report.values["apply_new_total"] = None
    paragraphs = opening(report)
    marked = [s.text for p in paragraphs for s in p if s.placeholder]
    assert len(marked) == 1 and "表三 J6" in marked[0] and marked[0].startswith("【待填写")
    plain = "".join(s.text for p in paragraphs for s in p if not s.placeholder)
    assert "新收政府信息公开申请" not in plain and "上年结转政府信息公开申请" in plain


def test_money_is_written_exactly():
    report = _report("2021", 2)
    from decimal import Decimal

    report.values["active_fees_amount"] = Decimal("7730.2800")
    assert "行政事业性收费金额7730.28万元" in _text(opening(report))


# --- the document -----------------------------------------------------------------------------------------


def test_document_has_six_parts_in_order_and_placeholders_for_missing_prose():
    report = _report("2021", 3)
    document = build(report, split_prose(["一、总体情况", "我镇的工作。", "五、存在的主要问题及改进情况", "问题。"]))
    assert [p.spec.heading for p in document.parts] == [
        "一、总体情况",
        "二、主动公开政府信息情况",
        "三、收到和处理政府信息公开申请情况",
        "四、政府信息公开行政复议、行政诉讼情况",
        "五、存在的主要问题及改进情况",
        "六、其他需要报告的事项",
    ]
    assert document.title == "城关镇人民政府2024年政府信息公开工作年度报告"
    assert [p.table.id for p in document.parts if p.table] == ["active", "apply", "appeal"]
    assert document.placeholders == 1  # 六
    overview = document.parts[0].paragraphs
    assert "".join(s.text for s in overview[-1]) == "我镇的工作。"  # the clerk's text follows the figures


def test_prose_headings_may_be_markdown_and_tables_text_is_unused():
    prose = split_prose(
        [
            "# 标题 2024年政府信息公开工作年度报告",
            "前言。",
            "## 一、总体情况",
            "甲。",
            "二、主动公开政府信息情况",
            "不用的文字。",
            "六、其他需要报告的事项",
            "无。",
        ]
    )
    assert prose.preamble == ["前言。"]
    assert prose.parts == {"overview": ["甲。"], "other": ["无。"]}
    assert prose.unused == ["二、主动公开政府信息情况"]


# --- the text checks --------------------------------------------------------------------------------------


def _rules(findings) -> list[str]:
    return [f.rule for f in findings]


@pytest.mark.parametrize("form_id", ["2021", "2019"])
def test_a_complete_report_has_no_findings(form_id):
    assert _check(_report(form_id, 5)) == []


def test_structure_missing_misnumbered_and_out_of_order():
    report = _report("2021", 0)
    lines = [ln for ln in _lines(report) if ln.text != "六、其他需要报告的事项"]
    lines = [TextLine("四、存在的主要问题及改进情况", ln.where) if ln.text.startswith("五、") else ln for ln in lines]
    found = check_text(split_parts(lines), "x.txt", report)
    messages = [f.message for f in found if f.rule == "R-STRUCTURE"]
    assert any("缺少“六、其他需要报告的事项”" in m for m in messages)
    assert any("“四、存在的主要问题及改进情况”编号不对" in m for m in messages)
    swapped = _lines(report)
    i = next(k for k, ln in enumerate(swapped) if ln.text.startswith("二、"))
    j = next(k for k, ln in enumerate(swapped) if ln.text.startswith("三、"))
    swapped[i], swapped[j] = swapped[j], swapped[i]
    found = check_text(split_parts(swapped), "x.txt", report)
    assert [f.message for f in found if f.rule == "R-STRUCTURE"] == [
        "“二、主动公开政府信息情况”应在“三、收到和处理政府信息公开申请情况”之前"
    ]


def test_leftovers_template_text_placeholders_and_other_years():
    report = _report("2021", 0)
    extra = {
        "active": ["该部分以表格形式报告。表格如下："],
        "overview": ["2023年，我镇持续推进政务公开。", "依据《2022年政务公开工作要点》开展工作。"],
        "problems": ["2025年将进一步完善制度。"],
        "other": ["XX镇人民政府联系电话。"],
    }
    found = [f for f in _check(report, extra=extra) if f.rule == "R-LEFTOVER"]
    assert [f.severity for f in found] == ["error", "error", "warning"], [f.message for f in found]
    assert "该部分以表格形式报告" in found[0].message and "二、主动公开政府信息情况" in found[0].message
    assert "“2023年”" in found[2].message and "一、总体情况" in found[2].message


def test_part5_empty_and_part6_silent_about_fees():
    report = _report("2021", 0)
    assert report.values["active_fees_amount"] > 0
    prose = {**PROSE, "problems": ["无。"], "other": ["没有其他需要报告的事项。"]}
    found = _check(report, prose)
    assert _rules(found) == ["R-PART5", "R-PART6"]
    assert "收费" in found[1].message and "表二 行政事业性收费" in found[1].message
    report.values["active_fees_amount"] = 0
    assert _rules(_check(report, prose)) == ["R-PART5"]


def test_repeat_of_last_year_with_figures_updated():
    this_year, last_year = _report("2021", 0), _report("2021", 1, year=2023)
    previous = split_parts(_lines(last_year))
    found = [f for f in _check(this_year, previous=previous) if f.rule == "R-REPEAT"]
    assert len(found) == 1 and found[0].reported == 100.0 and "政策解读形式较为单一" in found[0].message
    fresh = {
        **PROSE,
        "problems": ["今年的问题是政务新媒体更新不及时，将建立值班制度。"],
        "overview": ["（一）主动公开情况。今年重点公开了乡村振兴项目的资金使用情况。"],
    }
    assert [f for f in _check(this_year, fresh, previous=previous) if f.rule == "R-REPEAT"] == []
    partly = {**PROSE, "problems": fresh["problems"]}  # 一 copied, 五 rewritten
    [found] = [f for f in _check(this_year, partly, previous=previous) if f.rule == "R-REPEAT"]
    assert 50 <= found.reported < 100 and "今年的问题" not in found.message
    assert _check(this_year, partly, previous=previous, limits=Limits(max_repeat=found.reported + 1)) == []


def test_length_of_overview():
    report = _report("2021", 0)
    overview = split_parts(_lines(report)).part("overview").text
    assert _check(report, limits=Limits(max_chars=len(overview))) == []
    [found] = _check(report, limits=Limits(max_chars=len(overview) - 1))
    assert found.rule == "R-LENGTH" and found.reported == len(overview)


def test_figures_in_real_phrasings_only_when_unambiguous():
    report = _report("2021", 0)
    values = report.values
    total = values["appeal_review_total"]
    text = (
        f"全市共受理政府信息公开申请{values['apply_new_total']}件。"
        f"区政府办代表区政府受理政府信息公开申请{values['apply_new_total'] + 7}件。"  # a subset: not read
        f"政府信息公开行政复议 {total + 1} 件。"
    )
    found = contradictions(report.form, re.sub(r"\s", "", text), values)
    assert [(c.claim.figure.cells[0].key, c.claim.stated) for c in found] == [("appeal_review_total", total + 1)]
