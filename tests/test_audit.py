"""A province in one run (issue 16): `gkxl import FOLDER --summary 审查结果.xlsx`, and reports as a DataFrame."""

from __future__ import annotations

import csv
import json
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from gkxl.audit.summary import HEADERS, write_summary
from gkxl.cli import cli
from gkxl.importer import import_report

FIXTURES = Path(__file__).parent / "fixtures"
SAMPLES = FIXTURES / "samples"
TOWNSHIP = (SAMPLES / "township-2019-report.txt").read_text(encoding="utf-8")


def province(folder: Path) -> Path:
    """Five reports: two that pass, one partial (no 表四), one refused (prose only), one unreadable."""
    folder.mkdir()
    shutil.copy(SAMPLES / "city-2024-report.pdf", folder / "a-淮安市.pdf")
    shutil.copy(SAMPLES / "district-2024-report.pdf", folder / "b-洪泽区.pdf")
    partial = "刘楼乡人民政府2019年政府信息公开工作年度报告\n" + TOWNSHIP[: TOWNSHIP.index("四、政府信息公开行政复议")]
    (folder / "c-刘楼乡.txt").write_text(partial, encoding="utf-8")
    (folder / "d-散文.txt").write_text("某某镇人民政府2024年政府信息公开工作年度报告\n全年主动公开信息 120 条。\n")
    (folder / "e-坏.pdf").write_bytes(b"%PDF-1.4 broken")
    return folder


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    root = tmp_path_factory.mktemp("province")
    folder = province(root / "全省")
    summary = root / "审查结果.xlsx"
    args = ["import", str(folder), "-o", str(root / "导入"), "--summary", str(summary), "--partial", "--json"]
    result = CliRunner().invoke(cli, args)
    return result, summary, root


def rows(summary: Path) -> list[dict]:
    ws = load_workbook(summary)["审查结果"]
    table = list(ws.iter_rows(values_only=True))
    assert table[0] == HEADERS
    return [dict(zip(HEADERS, r, strict=True)) for r in table[1:]]


def test_summary_has_one_row_per_report_with_its_status(run):
    result, summary, _ = run
    assert result.exit_code == 2  # one file could not be read at all
    by_file = {Path(r["文件"]).name: r for r in rows(summary)}
    assert list(by_file) == ["a-淮安市.pdf", "b-洪泽区.pdf", "c-刘楼乡.txt", "d-散文.txt", "e-坏.pdf"]
    city = by_file["a-淮安市.pdf"]
    got = (city["单位"], city["年度"], city["表式"], city["状态"], city["错误"])
    assert got == ("淮安市人民政府", 2024, "2021", "通过", 0)
    assert city["工作簿"].endswith("a-淮安市.xlsx") and city["未导入原因"] is None
    assert by_file["b-洪泽区.pdf"]["状态"] == "通过" and by_file["b-洪泽区.pdf"]["警告"] >= 1  # IMPORT-HYBRID, blanks
    township = by_file["c-刘楼乡.txt"]
    assert township["状态"] == "部分导入" and "缺 表四" in township["未导入原因"] and township["表式"] == "2019"
    refused = by_file["d-散文.txt"]
    assert refused["状态"] == "未导入" and "找不到表二" in refused["未导入原因"] and refused["工作簿"] is None
    assert refused["错误"] is None and refused["单位"] is None
    broken = by_file["e-坏.pdf"]
    assert broken["状态"] == "无法读取" and "PDF" in broken["未导入原因"]
    # the report check's text rules ran on every report read (`gkxl check-report`'s R-STRUCTURE …)
    assert city["文字核对"] == "无" and by_file["b-洪泽区.pdf"]["文字核对"] == "无"  # consistent: no R-FIGURE
    assert "缺少“五、存在的主要问题及改进情况”" in township["文字核对"]
    assert refused["文字核对"].startswith("6 处：缺少“一、总体情况”")
    assert broken["文字核对"] is None  # nothing was read: nothing made up


def test_summary_agrees_with_the_json_output(run):
    result, summary, _ = run
    files = {Path(f["path"]).name: f for f in json.loads(result.output)["files"]}
    for row in rows(summary):
        entry = files[Path(row["文件"]).name]
        if entry.get("output"):
            assert (row["错误"], row["警告"]) == (entry["errors"], entry["warnings"])


def test_summary_is_filterable_and_prints_on_a4(run):
    _, summary, _ = run
    ws = load_workbook(summary)["审查结果"]
    assert ws.auto_filter.ref == "A1:J6"
    assert ws.freeze_panes == "A2"
    assert int(ws.page_setup.paperSize) == int(ws.PAPERSIZE_A4) and ws.page_setup.fitToWidth == 1
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows == "$1:$1"


def test_text_findings_hook_fills_its_column(tmp_path):
    results = [import_report(SAMPLES / "city-2024-report.pdf")]
    seen = []

    def text_findings(path: Path) -> list[str]:
        seen.append(path)
        return ["第一部分“主动公开”数字与表二不一致"]

    target = write_summary(results, tmp_path / "s.xlsx", text_findings=text_findings)
    assert seen == [SAMPLES / "city-2024-report.pdf"]
    assert rows(target)[0]["文字核对"] == "1 处：第一部分“主动公开”数字与表二不一致"


def test_a_unit_starting_with_equals_is_text_not_a_formula(tmp_path):
    result = import_report(SAMPLES / "city-2024-report.pdf")
    result.report.unit = '=HYPERLINK("http://x")'
    target = write_summary([result], tmp_path / "s.xlsx")
    cell = load_workbook(target)["审查结果"]["B2"]
    assert cell.value == '=HYPERLINK("http://x")' and cell.data_type == "s"


# ---------------------------------------------------------------- the DataFrame


def test_frame_of_a_workbook_is_its_long_csv():
    pd = pytest.importorskip("pandas")
    from gkxl.audit import reports_frame

    frame = reports_frame([FIXTURES / "csv-2021.xlsx"])
    assert isinstance(frame, pd.DataFrame)
    with (FIXTURES / "csv-2021.csv").open(encoding="utf-8-sig", newline="") as f:
        expected = list(csv.DictReader(f))
    assert list(frame.columns) == list(expected[0])
    assert len(frame) == len(expected)
    for (_, row), want in zip(frame.iterrows(), expected, strict=True):
        value = row["value"]
        assert ("" if value is None else str(value)) == want["value"], want["key"]
        for column in ("unit", "form", "table", "sheet", "cell", "key", "row_label", "col_label", "kind",
                       "status", "rules", "file_status", "source_sha256"):  # fmt: skip
            assert str(row[column]) == want[column], (want["key"], column)
        assert int(row["year"]) == int(want["year"])


def test_frame_of_imported_reports_is_exact_and_lists_what_was_not_read(tmp_path):
    pytest.importorskip("pandas")
    from gkxl.audit import reports_frame

    folder = province(tmp_path / "in")
    frame = reports_frame([folder])
    assert set(frame["unit"].dropna()) == {"淮安市人民政府", "淮安市洪泽区人民政府"}  # partial is refused here
    fees = frame[(frame.unit == "淮安市人民政府") & (frame.key == "active_fees_amount")]["value"].iloc[0]
    assert fees == Decimal("96171.6") and isinstance(fees, Decimal)
    permits = frame[(frame.unit == "淮安市人民政府") & (frame.key == "active_permits_decisions")]["value"].iloc[0]
    assert permits == 447228 and type(permits) is int
    assert set(map(lambda p: Path(p).name, frame.attrs["not_read"])) == {"c-刘楼乡.txt", "d-散文.txt", "e-坏.pdf"}
    totals = frame[frame.key.str.startswith("apply_new_")].groupby("unit")["value"].apply(lambda s: sum(s))
    assert totals["淮安市人民政府"] == 2 * 3119  # six columns plus the 总计 column
