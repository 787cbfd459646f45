"""Refusals that are true (they name what was found and what was not, in the form the report is in), and
`--partial`, which imports the complete tables of a report that lacks one (issue 16)."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from gkxl.cli import cli
from gkxl.importer import ImportRefused, import_report
from gkxl.read.reader import read_report

SAMPLES = Path(__file__).parent / "fixtures" / "samples"
TOWNSHIP = (SAMPLES / "township-2019-report.txt").read_text(encoding="utf-8")
TITLE = "刘楼乡人民政府2019年政府信息公开工作年度报告\n"


def township_without_table4(tmp_path: Path) -> Path:
    text = TITLE + TOWNSHIP[: TOWNSHIP.index("四、政府信息公开行政复议、行政诉讼情况")]
    path = tmp_path / "刘楼乡.txt"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_2019_report_without_its_table4_is_refused_as_form_2019(tmp_path):
    result = import_report(township_without_table4(tmp_path))
    assert isinstance(result.error, ImportRefused)
    message = result.error.message
    assert "无法按表式 2019 导入" in message and "表式 2021" not in message
    assert "找不到表四" in message and "找不到表二" not in message and "找不到表三" not in message
    assert "已找到：表二 " in message and "表四 未找到" in message
    assert "可用 --partial" in message


def test_a_table_whose_title_is_there_is_never_said_to_be_missing(tmp_path):
    """表二's title and captions are printed, but every row label is a local wording nobody can place."""
    lines = []
    for line in (TITLE + TOWNSHIP).splitlines():
        if line.startswith(("规章 ", "规范性文件 ", "行政许可 ", "其他对外管理服务事项 ", "行政处罚 ", "行政强制 ",
                            "行政事业性收费 ", "政府集中采购 ")):  # fmt: skip
            line = "某地自定事项 " + line.split(" ", 1)[1]
        lines.append(line)
    path = tmp_path / "local.txt"
    path.write_text("\n".join(lines), encoding="utf-8")
    message = import_report(path).error.message
    assert "找不到表二" not in message
    assert "找到了表二" in message and "没有一行的标签能对上表式 2019 的行" in message


def test_partial_writes_the_complete_tables_and_names_the_missing_one(tmp_path):
    path = township_without_table4(tmp_path)
    out = tmp_path / "out"
    run = CliRunner().invoke(cli, ["import", str(path), "-o", str(out), "--partial", "--json"])
    assert run.exit_code == 1, run.output  # imported, but not complete
    entry = json.loads(run.output)["files"][0]
    assert entry["missing_tables"] == ["表四"] and entry["output"] == str(out / "刘楼乡.xlsx")
    partial = [f for f in entry["findings"] if f["rule"] == "IMPORT-PARTIAL"]
    assert len(partial) == 1 and partial[0]["severity"] == "error" and "表四" in partial[0]["message"]
    assert not [f for f in entry["findings"] if f["sheet"] == "表四"]  # no blank-cell noise for it
    report = read_report(out / "刘楼乡.xlsx")
    assert (report.unit, report.year, report.form.id) == ("刘楼乡人民政府", 2019, "2019")
    for cell in report.form.cells:
        assert report.values[cell.key] == (None if cell.sheet == "表四" else 0), cell.key


def test_partial_text_output_says_what_the_workbook_lacks(tmp_path):
    run = CliRunner().invoke(cli, ["import", str(township_without_table4(tmp_path)), "-o", str(tmp_path / "o"),
                                   "--partial"])  # fmt: skip
    assert "只含完整的表，缺 表四" in run.output and "IMPORT-PARTIAL" in run.output


def test_without_partial_nothing_is_written(tmp_path):
    out = tmp_path / "out"
    run = CliRunner().invoke(cli, ["import", str(township_without_table4(tmp_path)), "-o", str(out)])
    assert run.exit_code == 1 and "未写出工作簿" in run.output
    assert not out.exists() or not any(out.iterdir())
