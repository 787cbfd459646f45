"""`gkxl merge`: sums, refusals, provenance, merge of merges, the CLI. Real workbooks throughout."""

from __future__ import annotations

import json
import random
import shutil
import subprocess
import sys
import tempfile
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gkxl.check.validate import check_file
from gkxl.cli import cli
from gkxl.form.model import load_form
from gkxl.merge.combine import merge, refusals, sum_values
from gkxl.merge.inputs import check_inputs
from gkxl.merge.sheets import DETAIL_HEADERS, DETAIL_SHEET, DETAIL_TAIL, SOURCE_HEADERS, SOURCES_SHEET, read_sources
from gkxl.read.reader import read_report
from gkxl.workbook.sample import random_report, write_report

TOWNS = ["城关镇人民政府", "河口乡人民政府", "东街街道办事处", "石桥镇人民政府", "刘楼乡人民政府", "西关街道办事处"]


def town(folder: Path, form_id: str, i: int, year: int | None = None, edit=None, name: str | None = None, **kw) -> Path:
    """A consistent township workbook (unit TOWNS[i], seed i) in `folder`."""
    form = load_form(form_id)
    fields = {"unit": TOWNS[i % len(TOWNS)], "year": year or form.years[0], "scale": 5, **kw}
    report = random_report(form, random.Random(i), **fields)
    if edit:
        edit(report)
    return write_report(report, folder / (name or f"{form_id}-{i}.xlsx"))


def openpyxl_values(path: Path, form_id: str) -> dict[str, Fraction | None]:
    """The input cells as openpyxl reads them (not gkxl's reader), as exact fractions."""
    from openpyxl import load_workbook

    wb = load_workbook(path, data_only=True)
    out = {}
    for cell in load_form(form_id).cells:
        value = wb[cell.sheet][cell.cell].value
        out[cell.key] = None if value is None else Fraction(str(value))
    return out


def exact(value: object) -> Decimal | None:
    """A number as openpyxl reads it (float for decimals), exactly as written."""
    return None if value is None else Decimal(str(value))


def run(*args: str):
    return CliRunner().invoke(cli, [str(a) for a in args])


# --- sums -------------------------------------------------------------------------------------------------


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2**32), st.integers(1, 6), st.sampled_from(["2021", "2019"]), st.floats(0, 0.5))
def test_sum_values_equals_independent_per_cell_sums(seed, n, form_id, blank_rate):
    form = load_form(form_id)
    rng = random.Random(seed)
    columns = []
    for i in range(n):
        values = dict(random_report(form, random.Random(seed + i)).values)
        columns.append({k: (None if rng.random() < blank_rate else v) for k, v in values.items()})
    sums = sum_values(form, columns)
    for cell in form.cells:
        present = [Fraction(str(c[cell.key])) for c in columns if c[cell.key] is not None]
        if not present:
            assert sums[cell.key] is None
            continue
        assert Fraction(str(sums[cell.key])) == sum(present)
        assert isinstance(sums[cell.key], Decimal if cell.kind == "money" else int)


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 10_000), st.integers(1, 3), st.sampled_from(["2021", "2019"]))
def test_merged_workbook_holds_the_per_cell_sums(seed, n, form_id):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        paths = [town(folder, form_id, seed + i, unit=f"{i}号乡人民政府") for i in range(n)]
        result = merge(paths, folder / "out" / "汇总.xlsx", workers=1)
        assert result.ok, result.problems
        inputs = [openpyxl_values(p, form_id) for p in paths]
        merged = openpyxl_values(result.output, form_id)
        for key, value in merged.items():
            assert value == sum(v[key] for v in inputs), key


def test_money_is_summed_exactly(tmp_path):
    def amount(value):
        def edit(report):
            report.values["active_fees_amount"] = Decimal(value)

        return edit

    paths = [town(tmp_path, "2021", i, edit=amount(v)) for i, v in enumerate(["0.1", "0.2", "1234.5678"])]
    result = merge(paths, tmp_path / "汇总.xlsx", workers=1)
    assert read_report(result.output).values["active_fees_amount"] == Decimal("1234.8678")


def test_blank_in_every_input_stays_blank_else_counts_as_zero(tmp_path):
    def blank(*keys):
        def edit(report):
            for key in keys:
                report.values[key] = None

        return edit

    a = town(tmp_path, "2021", 0, edit=blank("active_norms_issued", "active_permits_decisions"))
    b = town(tmp_path, "2021", 1, edit=blank("active_norms_issued"))
    result = merge([a, b], tmp_path / "汇总.xlsx", workers=1)
    values = read_report(result.output).values
    assert values["active_norms_issued"] is None
    assert values["active_permits_decisions"] == read_report(b).values["active_permits_decisions"]
    blanks = [f for f in result.findings if f.rule == "V-BLANK"]
    assert [f.key for f in blanks] == ["active_norms_issued"]


def test_consistent_inputs_give_a_consistent_summary(tmp_path, form):
    paths = [town(tmp_path, form.id, i, scale=40) for i in range(4)]
    result = merge(paths, tmp_path / "汇总.xlsx", unit="某县人民政府", workers=1)
    assert result.ok
    assert [f for f in result.findings if f.severity == "error"] == []
    checked = check_file(result.output)
    assert checked.ok and checked.report.form.id == form.id
    assert (checked.report.unit, checked.report.year) == ("某县人民政府", form.years[0])


def test_parallel_reading_gives_the_same_results(tmp_path, monkeypatch):
    import gkxl.parallel as parallel

    monkeypatch.setattr(parallel, "CHUNK", 2)
    paths = [town(tmp_path, "2021", i) for i in range(5)] + [tmp_path / "missing.xlsx"]
    one, two = check_inputs(paths, workers=1), check_inputs(paths, workers=2)
    assert [(c.path, c.sha256, c.values, c.findings, c.error) for c in one] == [
        (c.path, c.sha256, c.values, c.findings, c.error) for c in two
    ]
    assert two[-1].error and all(c.values for c in two[:-1])


# --- the output workbook -------------------------------------------------------------------------------------


def test_summary_sheets_are_readable_and_filterable(tmp_path):
    from openpyxl import load_workbook

    def blank(report):  # a blank part, with its total still adding up
        report.values["appeal_review_total"] -= report.values["appeal_review_upheld"]
        report.values["appeal_review_upheld"] = None

    paths = [town(tmp_path, "2021", 0, edit=blank), town(tmp_path, "2021", 1)]
    out = merge(paths, tmp_path / "汇总.xlsx", unit="某县", workers=1).output
    assert read_report(out).sheets[-2:] == (DETAIL_SHEET, SOURCES_SHEET)
    wb = load_workbook(out)
    ws = wb[DETAIL_SHEET]
    header = [c.value for c in ws[1]]
    assert header == [*DETAIL_HEADERS, TOWNS[0], TOWNS[1], *DETAIL_TAIL]
    assert ws.freeze_panes == "E2" and ws.auto_filter.ref == "A1:H201"
    rows = {r[-1]: r for r in ws.iter_rows(min_row=2, values_only=True)}
    form = load_form("2021")
    assert list(rows) == [c.key for c in form.cells]
    a, b = read_report(paths[0]).values, read_report(paths[1]).values
    for cell in form.cells:
        sheet, row_label, col_label, total, va, vb, address, key = rows[cell.key]
        assert (sheet, address) == (cell.sheet, cell.cell)
        if cell.table == "appeal":  # no row labels: the block stands in for them
            assert (row_label, col_label) == (" / ".join(cell.col_path[:-1]), cell.col_path[-1])
            assert row_label in ("行政复议", "行政诉讼 / 未经复议直接起诉", "行政诉讼 / 复议后起诉")
        else:
            assert (row_label, col_label) == (cell.row_label, cell.col_label) and row_label
        assert (exact(va), exact(vb)) == (a[key], b[key])
        assert exact(total) == (a[key] or 0) + b[key]
    assert rows["appeal_review_upheld"][4] is None  # blank stays blank in the unit's column
    ws = wb[SOURCES_SHEET]
    assert [c.value for c in ws[1]] == list(SOURCE_HEADERS)
    assert ws.auto_filter.ref == "A1:L3"


def test_sources_record_file_sha_unit_year_form_counts_verdict(tmp_path):
    import hashlib

    def error(report):
        report.values["apply_granted_total"] += 1

    paths = [town(tmp_path, "2021", 0), town(tmp_path, "2021", 1, edit=error)]
    result = merge(paths, tmp_path / "汇总.xlsx", allow_errors=True, workers=1)
    sources = read_sources(result.output)
    assert [s.file for s in sources] == [p.name for p in paths]
    assert [s.sha256 for s in sources] == [hashlib.sha256(p.read_bytes()).hexdigest() for p in paths]
    assert [(s.unit, s.year, s.form, s.via) for s in sources] == [(TOWNS[i], 2021, "2021", "") for i in (0, 1)]
    assert (sources[0].errors, sources[0].verdict) == (0, "已汇总")
    errors = sum(1 for f in check_file(paths[1]).findings if f.severity == "error")
    assert errors == 2 and sources[1].errors == errors  # T3-APPLICANTS and T3-RESULTS
    assert sources[1].verdict == "已汇总（不通过：2 处必须修改，按 --allow-errors 汇总）"


def test_allow_errors_merges_and_is_recorded_on_the_cover(tmp_path):
    from openpyxl import load_workbook

    def error(report):
        report.values["apply_granted_total"] += 1

    paths = [town(tmp_path, "2021", 0), town(tmp_path, "2021", 1, edit=error)]
    refused = merge(paths, tmp_path / "汇总.xlsx", workers=1)
    assert not refused.merged and not (tmp_path / "汇总.xlsx").exists()
    result = merge(paths, tmp_path / "汇总.xlsx", allow_errors=True, workers=1)
    assert result.merged and not result.ok  # the error carries into the summary, and is reported
    assert sorted(f.rule for f in result.findings if f.severity == "error") == ["T3-APPLICANTS", "T3-RESULTS"]
    cover = [v for row in load_workbook(result.output)["封面"].iter_rows(values_only=True) for v in row if v]
    assert any("--allow-errors" in str(v) and "1 份报告" in str(v) for v in cover)
    assert not any("黄色单元格为填报项" in str(v) for v in cover)  # nothing in a summary is filled by hand


def test_allow_errors_shows_what_was_counted_for_an_invalid_value(tmp_path):
    from openpyxl import load_workbook

    def words(report):  # a unit typed into a number cell; the total still adds up without it
        report.raw["apply_partial_natural"] = "3件"
        report.values["apply_partial_natural"] = None

    paths = [town(tmp_path, "2021", 0), town(tmp_path, "2021", 1, edit=words)]
    result = merge(paths, tmp_path / "汇总.xlsx", allow_errors=True, workers=1)
    assert result.merged
    rows = {r[-1]: r for r in load_workbook(result.output)[DETAIL_SHEET].iter_rows(min_row=2, values_only=True)}
    total, first, second = rows["apply_partial_natural"][3:6]
    assert second == "按 0 计（填报“3件”无效）"
    assert exact(total) == read_report(paths[0]).values["apply_partial_natural"]  # what was counted: 0
    assert isinstance(first, int) and isinstance(rows["apply_granted_natural"][5], int)


@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice not installed")
def test_libreoffice_reads_the_summary(tmp_path):
    from python_calamine import CalamineWorkbook

    paths = [town(tmp_path, "2021", i) for i in range(2)]
    out = merge(paths, tmp_path / "汇总.xlsx", workers=1).output
    conv = tmp_path / "conv"
    cmd = ["soffice", f"-env:UserInstallation=file://{tmp_path}/lo", "--headless", "--convert-to", "ods"]
    subprocess.run([*cmd, "--outdir", str(conv), str(out)], check=True, capture_output=True, timeout=180)
    book = CalamineWorkbook.from_path(str(conv / "汇总.ods"))
    detail = book.get_sheet_by_name(DETAIL_SHEET).to_python()
    ours = CalamineWorkbook.from_path(str(out)).get_sheet_by_name(DETAIL_SHEET).to_python()
    assert len(detail) == 201 and detail[0][4:6] == TOWNS[:2]
    assert [[str(v) for v in row] for row in detail] == [[str(v) for v in row] for row in ours]


# --- refusals ------------------------------------------------------------------------------------------------


def refused(tmp_path: Path, paths: list[Path], **kw) -> list[list[str]]:
    out = tmp_path / "汇总.xlsx"
    out.write_bytes(b"previous summary")
    result = merge(paths, out, workers=1, **kw)
    assert not result.merged and any(result.problems)
    assert out.read_bytes() == b"previous summary"  # nothing written, the old output kept
    assert [p.name for p in out.parent.iterdir() if p.name.startswith(".")] == []
    return result.problems


def test_refuses_hard_errors_listing_every_error(tmp_path):
    def errors(report):
        report.values["apply_granted_total"] += 1
        report.values["appeal_review_total"] += 2

    problems = refused(tmp_path, [town(tmp_path, "2021", 0), town(tmp_path, "2021", 1, edit=errors)])
    assert problems[0] == []
    assert problems[1][0].startswith("有 3 处必须修改的错误")
    assert len(problems[1]) == 4
    assert any("T3-APPLICANTS" in p for p in problems[1]) and any("T4-REVIEW" in p for p in problems[1])


def test_refuses_unreadable_files(tmp_path):
    bad = tmp_path / "坏文件.xlsx"
    bad.write_text("not a workbook")
    problems = refused(tmp_path, [town(tmp_path, "2021", 0), bad], allow_errors=True)
    assert problems[1] == ["无法读取：不是 Excel 工作簿（.xlsx/.xlsm），文件可能已损坏或不是表格文件"]


def test_refuses_another_form_version(tmp_path):
    paths = [town(tmp_path, "2021", 0, year=2021), town(tmp_path, "2021", 1, year=2021)]
    paths.append(town(tmp_path, "2019", 2, year=2020))
    problems = refused(tmp_path, paths)
    assert problems[:2] == [[], []]
    assert "表式为 2019，其他报告为 2021：不同表式的报告不能汇总" in problems[2]


def test_refuses_another_year_and_the_year_asked_for(tmp_path):
    paths = [town(tmp_path, "2021", i, year=2024) for i in range(2)] + [town(tmp_path, "2021", 2, year=2023)]
    assert refused(tmp_path, paths)[2] == ["年度为 2023，其他报告为 2024"]
    problems = refused(tmp_path, paths, year=2023)
    assert problems[0] == ["年度为 2024，要求汇总的年度为 2023"] and problems[2] == []


def test_refuses_missing_unit_or_year(tmp_path):
    paths = [town(tmp_path, "2021", 0, unit=None), town(tmp_path, "2021", 1)]
    no_year = read_report(paths[1])
    no_year.year, no_year.unit = None, "无年度乡人民政府"
    paths.append(write_report(no_year, tmp_path / "no-year.xlsx"))
    problems = refused(tmp_path, paths)
    assert problems[0] == ["未填写填报单位名称：汇总明细和重复检查都需要单位名称"]
    assert problems[2] == ["未填写年度：无法确认与其他报告属于同一年度"]


def test_refuses_duplicate_unit_and_duplicate_content(tmp_path):
    a = town(tmp_path, "2021", 0)
    copy = tmp_path / "副本.xlsx"
    shutil.copy(a, copy)
    same_unit = town(tmp_path, "2021", 1, unit=" 城关镇人民政府 ", name="again.xlsx")  # spaces do not hide it
    problems = refused(tmp_path, [a, copy, same_unit])
    assert problems[0] == []
    assert problems[1] == [f"与 {a} 内容完全相同（同一份报告重复提交）"]
    assert problems[2] == [f"填报单位“城关镇人民政府”与 {a} 重复：同一单位只能汇总一次"]


def test_every_problem_of_every_file_is_listed(tmp_path):
    def error(report):
        report.values["apply_granted_total"] += 1

    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"")
    paths = [town(tmp_path, "2021", 0, edit=error), bad, town(tmp_path, "2019", 2, year=2020, unit=None)]
    problems = refused(tmp_path, paths)
    assert len(problems[0]) == 3 and problems[1] == ["无法读取：文件为空（0 字节）"]
    assert len(problems[2]) == 3  # form, year and unit


# --- merge of merges -----------------------------------------------------------------------------------------


def test_merge_of_merges_equals_flat_merge(tmp_path, form):
    towns = [town(tmp_path, form.id, i) for i in range(6)]
    east = merge(towns[:2], tmp_path / "东片.xlsx", unit="东片", workers=1)
    west = merge(towns[2:], tmp_path / "西片.xlsx", unit="西片", workers=1)
    top = merge([east.output, west.output], tmp_path / "县.xlsx", unit="某县", workers=1)
    flat = merge(towns, tmp_path / "县-直接.xlsx", unit="某县", workers=1)
    assert top.ok and flat.ok
    assert read_report(top.output).values == read_report(flat.output).values
    sources = read_sources(top.output)
    assert [(s.unit, s.via) for s in sources] == [
        ("东片", ""),
        (TOWNS[0], "东片"),
        (TOWNS[1], "东片"),
        ("西片", ""),
        *((TOWNS[i], "西片") for i in range(2, 6)),
    ]
    assert sources[0].verdict == "已汇总（汇总表，含 2 份报告）"
    # a third level still knows every township inside
    city = merge([top.output], tmp_path / "市.xlsx", unit="某市", workers=1)
    assert {s.unit for s in read_sources(city.output)} >= set(TOWNS)


def test_refuses_a_summary_together_with_one_of_its_units(tmp_path):
    towns = [town(tmp_path, "2021", i) for i in range(3)]
    county = merge(towns[:2], tmp_path / "县.xlsx", unit="某县", workers=1).output
    problems = refused(tmp_path, [county, towns[1], towns[2]])
    assert problems[0] == [f"这是汇总表，已包含 {towns[1]}（{TOWNS[1]}）的数据：两者同时汇总会重复计算，请去掉其中一个"]
    assert problems[1:] == [[], []]
    # a corrected re-submission of the same unit (other content) is caught by the unit name
    fixed = town(tmp_path, "2021", 1, name="fixed.xlsx", scale=9)
    assert "这是汇总表，已包含" in refused(tmp_path, [county, fixed])[0][0]


def test_refuses_a_summary_together_with_a_summary_inside_it(tmp_path):
    towns = [town(tmp_path, "2021", i) for i in range(3)]
    east = merge(towns[:2], tmp_path / "东片.xlsx", unit="东片", workers=1).output
    county = merge([east, towns[2]], tmp_path / "县.xlsx", unit="某县", workers=1).output
    problems = refused(tmp_path, [county, east])
    assert "这是汇总表，已包含" in problems[0][0] and problems[1] == []


def test_refuses_two_summaries_sharing_a_unit(tmp_path):
    towns = [town(tmp_path, "2021", i) for i in range(3)]
    a = merge(towns[:2], tmp_path / "甲.xlsx", unit="甲片", workers=1).output
    b = merge(towns[1:], tmp_path / "乙.xlsx", unit="乙片", workers=1).output
    problems = refused(tmp_path, [a, b])
    assert problems[0] == [] and problems[1] == [f"与汇总表 {a} 都包含 {TOWNS[1]}：同时汇总会重复计算"]


def test_refuses_a_summary_whose_sources_sheet_is_damaged(tmp_path):
    from openpyxl import load_workbook

    towns = [town(tmp_path, "2021", i) for i in range(3)]
    county = merge(towns[:2], tmp_path / "县.xlsx", unit="某县", workers=1).output
    wb = load_workbook(county)
    wb[SOURCES_SHEET]["C2"] = "被改过"
    wb.save(county)
    problems = refused(tmp_path, [county, towns[2]])
    assert problems[0] == [
        "无法读取：“来源”工作表已损坏（第 2 行缺少 SHA-256 或填报单位），无法确认这份汇总表包含哪些单位，不能再汇总"
    ]


def test_refusals_pick_the_majority_form_and_year():
    from gkxl.merge.inputs import Checked

    def checked(i, form_id="2021", year=2024):
        return Checked(Path(f"{i}.xlsx"), sha256=str(i), form_id=form_id, unit=f"u{i}", year=year)

    inputs = [checked(0, "2019", 2020), checked(1), checked(2)]
    assert refusals(inputs)[0] == [
        "表式为 2019，其他报告为 2021：不同表式的报告不能汇总",
        "年度为 2020，其他报告为 2024",
    ]
    assert refusals([checked(0), checked(1, year=2023)])[1] == ["年度为 2023，其他报告为 2024"]  # tie: the first


# --- the command ---------------------------------------------------------------------------------------------


def test_cli_merges_a_folder_and_reports_the_summary(tmp_path):
    folder = tmp_path / "各乡镇"
    folder.mkdir()
    for i in range(3):
        town(folder, "2021", i)
    (folder / "~$2021-0.xlsx").write_bytes(b"lock")  # Excel's lock file is skipped
    out = tmp_path / "汇总.xlsx"
    result = run("merge", folder, "-o", out, "--unit", "某县人民政府", "--year", "2021")
    assert result.exit_code == 0, result.output
    assert f"已汇总 3 份报告 → {out}" in result.output
    assert "某县人民政府 2021年 表式2021" in result.output and "结论：通过" in result.output
    assert "读取并校验" not in result.output  # no progress bar when not on a terminal


def test_cli_skips_the_output_inside_an_input_folder(tmp_path):
    for i in range(2):
        town(tmp_path, "2021", i)
    out = tmp_path / "汇总.xlsx"
    assert run("merge", tmp_path, "-o", out).exit_code == 0
    again = run("merge", tmp_path, "-o", out)  # the summary now sits in the folder: not an input of itself
    assert again.exit_code == 0 and "已汇总 2 份报告" in again.output
    assert f"已跳过输出文件本身：{out}" in again.output


def test_cli_refuses_output_that_is_an_input(tmp_path):
    a = town(tmp_path, "2021", 0)
    before = a.read_bytes()
    result = run("merge", a, town(tmp_path, "2021", 1), "-o", a)
    assert result.exit_code == 2 and "输出文件不能是输入文件之一" in result.output
    assert a.read_bytes() == before
    assert run("merge", a, "-o", tmp_path / "x.csv").exit_code == 2  # not a workbook
    (tmp_path / "空文件夹").mkdir()
    empty = run("merge", tmp_path / "空文件夹", "-o", tmp_path / "x.xlsx")
    assert empty.exit_code == 2 and "没有找到要汇总的工作簿" in empty.output


def test_cli_lists_refusals_and_exits_1(tmp_path):
    def error(report):
        report.values["apply_granted_total"] += 1

    out = tmp_path / "out" / "汇总.xlsx"
    out.parent.mkdir()
    paths = [town(tmp_path, "2021", 0), town(tmp_path, "2021", 1, edit=error), town(tmp_path, "2019", 2, year=2020)]
    result = run("merge", *paths, "-o", out)
    assert result.exit_code == 1
    assert "✗ 有 2 处必须修改的错误" in result.output and "[T3-APPLICANTS]" in result.output
    assert "✗ 表式为 2019，其他报告为 2021" in result.output
    assert f"未汇总：3 份报告中 2 份不能汇总（见上），没有写出 {out}" in result.output
    assert not out.exists()


def test_cli_json(tmp_path):
    paths = [town(tmp_path, "2021", i) for i in range(2)]
    out = tmp_path / "汇总.xlsx"
    result = run("merge", *paths, "-o", out, "--json", "--unit", "某县")
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert (data["merged"], data["ok"], data["output"], data["unit"], data["year"]) == (
        True,
        True,
        str(out),
        "某县",
        2021,
    )
    assert [i["verdict"] for i in data["inputs"]] == ["merged", "merged"]
    assert data["inputs"][0]["sha256"] and data["inputs"][0]["problems"] == []
    assert data["summary"]["errors"] == 0
    bad = tmp_path / "bad.xlsx"
    bad.write_text("x")
    data = json.loads(run("merge", *paths, bad, "-o", tmp_path / "b.xlsx", "--json").output)
    assert data["merged"] is False and data["summary"] is None
    assert [i["verdict"] for i in data["inputs"]] == ["not merged", "not merged", "refused"]
    assert data["inputs"][2]["problems"][0].startswith("无法读取")


def test_cli_subprocess_with_two_worker_processes(tmp_path):
    paths = [town(tmp_path, "2019", i, year=2020) for i in range(3)]
    out = tmp_path / "汇总.xlsx"
    cmd = [sys.executable, "-m", "gkxl", "merge", *map(str, paths), "-o", str(out), "--jobs", "2", "--json"]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=Path(__file__).parents[1], timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["form"] == "2019"
    assert check_file(out).ok


def test_streamed_rows_escape_text_and_keep_decimals_exact(tmp_path):
    from openpyxl import Workbook, load_workbook
    from python_calamine import CalamineWorkbook

    from gkxl.workbook.sheet_rows import append_rows

    wb = Workbook()
    wb.active.title = "数据"
    wb.active.append(["名称", "件数", "金额"])
    path = tmp_path / "rows.xlsx"
    wb.save(path)
    rows = [('A&B <镇> "甲"\x01', 7, Decimal("1234567.8901")), (None, -3, Decimal("1E+2")), ("  前后空格 ", None, None)]
    append_rows(path, {"数据": rows})
    expected = [
        ["名称", "件数", "金额"],
        ['A&B <镇> "甲"', 7, 1234567.8901],
        [None, -3, 100],
        ["  前后空格 ", None, None],
    ]
    ws = load_workbook(path)["数据"]
    assert [list(r) for r in ws.iter_rows(values_only=True)] == expected
    assert ws.max_row == 4 and ws.max_column == 3
    grid = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("数据").to_python()
    assert [[None if v == "" else v for v in row] for row in grid] == expected


def test_unit_names_with_markup_characters_survive_the_sources_sheet(tmp_path):
    paths = [town(tmp_path, "2021", 0, unit="A&B<镇>人民政府"), town(tmp_path, "2021", 1)]
    out = merge(paths, tmp_path / "片区.xlsx", workers=1).output
    assert [s.unit for s in read_sources(out)] == ["A&B<镇>人民政府", TOWNS[1]]
    assert refused(tmp_path, [out, town(tmp_path, "2021", 2, unit="A&B<镇>人民政府", name="x.xlsx")])[0]


def _on_terminal(args: list[str]) -> str:
    """Run `python -m gkxl` with stdout and stderr on a pseudo-terminal; return what it showed."""
    import os
    import pty

    main, child = pty.openpty()
    cmd = [sys.executable, "-m", "gkxl", *args]
    proc = subprocess.Popen(cmd, stdout=child, stderr=child, cwd=Path(__file__).parents[1])
    os.close(child)
    chunks = []
    while True:
        try:
            data = os.read(main, 65536)
        except OSError:  # the terminal closes when the command ends
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(timeout=120)
    os.close(main)
    return b"".join(chunks).decode("utf-8", "replace")


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_progress_bar_on_a_terminal_only_without_json(tmp_path):
    paths = [str(town(tmp_path, "2021", i)) for i in range(3)]
    shown = _on_terminal(["merge", *paths, "-o", str(tmp_path / "a.xlsx")])
    assert "读取并校验" in shown and "3/3" in shown and "已汇总 3 份报告" in shown
    shown = _on_terminal(["merge", *paths, "-o", str(tmp_path / "b.xlsx"), "--json"])
    assert "读取并校验" not in shown and json.loads(shown)["merged"] is True


def test_a_summary_can_be_macro_enabled_and_merges_again(tmp_path):
    """-o X.xlsm: the summary carries the 校验 buttons and VBA like the .xlsm template, and still merges."""
    import zipfile

    from gkxl.read.reader import read_report

    county = tmp_path / "县"
    county.mkdir()
    for i in range(2):
        town(county, "2021", i)
    out = tmp_path / "某县汇总.xlsm"
    result = run("merge", county, "-o", out, "--unit", "某县人民政府")
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(out) as zf:
        names = zf.namelist()
        assert "xl/vbaProject.bin" in names and any(n.startswith("xl/drawings/vmlDrawing") for n in names)
    flat = read_report(out)
    towns = [read_report(county / f"2021-{i}.xlsx").values for i in range(2)]
    assert flat.unit == "某县人民政府" and flat.values == sum_values(load_form("2021"), towns)
    city = run("merge", out, town(tmp_path, "2021", 5), "-o", tmp_path / "市.xlsx", "--unit", "某市")
    assert city.exit_code == 0, city.output
