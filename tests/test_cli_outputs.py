"""Output paths, one rule for every command (cli/common.py): the suffix is the workbook's, a folder is a folder,
a missing folder is an error unless the command says it creates it; and an input named twice counts once."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from gkxl.cli import cli

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


@pytest.fixture
def towns(tmp_path) -> Path:
    folder = tmp_path / "各乡镇"
    folder.mkdir()
    for name in ("2024-chengguan.xlsx", "2024-dongjie.xlsx"):
        shutil.copy(EXAMPLES / name, folder / name)
    return folder


def test_annotate_says_where_it_wrote(towns, tmp_path):
    out = tmp_path / "城关镇-校验.xlsx"
    result = run("validate", towns / "2024-chengguan.xlsx", "--annotate", out)
    assert result.exit_code == 0 and f"已写出标注副本：{out}" in result.output and out.exists()
    data = json.loads(run("validate", towns / "2024-chengguan.xlsx", "--annotate", out, "--json").output)
    assert data["files"][0]["annotated"] == str(out)


def test_annotate_of_several_files_must_be_a_folder(towns, tmp_path):
    out = tmp_path / "x.xlsx"
    result = run("validate", towns, "--annotate", out)
    assert result.exit_code == 2 and "应为文件夹" in result.output and not out.exists()


def test_annotate_of_several_files_makes_its_folder_as_documented(towns, tmp_path):
    out = tmp_path / "标注"
    result = run("validate", towns, "--annotate", out)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["2024-chengguan.校验.xlsx", "2024-dongjie.校验.xlsx"]
    assert result.output.count("已写出标注副本：") == 2
    deeper = run("validate", towns, "--annotate", tmp_path / "没有" / "标注")
    assert deeper.exit_code == 2 and "不存在" in deeper.output


@pytest.mark.parametrize(
    "args",
    [
        ["template", "-o", "{tmp}/a.csv"],
        ["template", "-o", "{tmp}/out.xls"],
        ["template", "--xlsm", "-o", "{tmp}/out.xlsx"],
        ["merge", "{towns}", "-o", "{tmp}/汇总.csv"],
        ["render", "{town}", "-o", "{tmp}/表格.pdf"],
        ["validate", "{town}", "--annotate", "{tmp}/a.csv"],
        ["validate", "{town}", "--annotate", "{tmp}/a.xlsm"],  # not the workbook's own suffix
    ],
)
def test_an_output_with_the_wrong_suffix_is_refused(args, towns, tmp_path):
    town = towns / "2024-chengguan.xlsx"
    args = [a.format(tmp=tmp_path, towns=towns, town=town) for a in args]
    result = run(*args)
    assert result.exit_code == 2 and result.output.startswith("错误："), result.output
    assert "结尾" in result.output or "不支持" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["各乡镇"]


@pytest.mark.parametrize(
    "args",
    [
        ["template", "-o", "{tmp}/没有/模板.xlsx"],
        ["merge", "{towns}", "-o", "{tmp}/没有/汇总.xlsx"],
        ["render", "{town}", "-o", "{tmp}/没有/表格.html"],
        ["validate", "{town}", "--annotate", "{tmp}/没有/校验.xlsx"],
    ],
)
def test_a_missing_output_folder_is_an_error(args, towns, tmp_path):
    town = towns / "2024-chengguan.xlsx"
    result = run(*[a.format(tmp=tmp_path, towns=towns, town=town) for a in args])
    assert result.exit_code == 2 and "不存在（请先建立）" in result.output, result.output
    assert not (tmp_path / "没有").exists()


def test_csv_and_import_create_their_output_folder_as_documented(towns, tmp_path):
    out = tmp_path / "导出"
    assert run("csv", towns, "-o", out).exit_code == 0 and (out / "all.csv").exists()
    assert "不存在时新建" in run("csv", "-h").output and "不存在时新建" in run("import", "-h").output


def test_an_output_folder_that_is_a_file_is_refused(towns, tmp_path):
    blocker = tmp_path / "导出"
    blocker.write_text("not a folder")
    result = run("validate", towns, "--annotate", blocker)
    assert result.exit_code == 2 and "这是一个文件" in result.output
    assert "是文件" in run("csv", towns, "-o", blocker).output


def test_same_file_named_twice_counts_once(towns):
    town = towns / "2024-chengguan.xlsx"
    result = run("validate", towns, town)
    assert result.exit_code == 0
    assert f"注意：{town} 重复列出，只计一次" in result.output
    assert "共 2 个文件" in result.output and result.output.count("结论：通过") == 2


def test_same_file_twice_in_merge_is_not_a_duplicate_unit(towns, tmp_path):
    town = towns / "2024-chengguan.xlsx"
    out = tmp_path / "汇总.xlsx"
    result = run("merge", towns, f"{towns}/../{towns.name}/{town.name}", "-o", out, "--json")
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.stdout)["inputs"]) == 2 and "重复列出，只计一次" in result.stderr


def test_same_report_twice_in_import_counts_once(tmp_path):
    report = tmp_path / "刘楼乡.txt"
    shutil.copy(Path(__file__).parent / "fixtures" / "samples" / "township-2019-report.txt", report)
    result = run("import", tmp_path, report, "-o", tmp_path / "导入", "--json")
    assert "重复列出，只计一次" in result.stderr
    assert len(json.loads(result.stdout)["files"]) == 1


def test_merge_refusal_lists_each_error_with_its_cell(tmp_path):
    result = run("merge", EXAMPLES, EXAMPLES / "with-errors", "-o", tmp_path / "汇总.xlsx")
    assert result.exit_code == 1
    assert "      ✗    J8 表三 （一）予以公开·总计：填报 6，各类申请人合计 5，相差 +1  [T3-APPLICANTS]" in result.output
    assert "      ✗    E6 表四 行政复议·总计" in result.output


def test_render_prints_its_verdict_on_stdout(tmp_path):
    result = run("render", EXAMPLES / "with-errors" / "2024-shiqiao.xlsx", "-o", tmp_path / "t.html")
    assert result.exit_code == 1
    assert "校验结论：不通过" in result.stdout and result.stderr == ""


def test_excel_setup_says_what_it_wrote_in_words(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    result = run("excel-setup", "--interpreter", "/opt/python/bin/python3")
    assert result.exit_code == 0, result.output
    assert (
        "已写入本账户的设置" in result.output
        and "Excel 按钮将运行的 Python：/opt/python/bin/python3" in result.output
    )
    assert "{" not in result.output
