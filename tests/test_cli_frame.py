"""Click's frame in Chinese: usage, headings, usage errors; help wrapped to the terminal, examples and exit codes
in every command's help."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
from click.testing import CliRunner

from gkxl.cli import COMMANDS, cli
from gkxl.cli.zh import fill, join_lines, width_of

ENGLISH_FRAME = re.compile(r"Usage:|Options:|Commands:|Error:|Missing option|Try '|for help|Show this message")


def invoke(*args: str, columns: int = 80):
    return CliRunner(env={"COLUMNS": str(columns)}).invoke(cli, list(args))


@pytest.mark.parametrize("command", [None, *sorted(COMMANDS)])
def test_every_help_is_chinese_with_an_example_and_exit_codes(command):
    result = invoke(*([command] if command else []), "-h")
    assert result.exit_code == 0, result.output
    text = result.output
    assert text.startswith(f"用法：gkxl {command + ' ' if command else ''}[选项]")
    assert "选项：" in text and not ENGLISH_FRAME.search(text)
    assert "示例：" in text and re.search(r"^\s+gkxl \S", text.split("示例：")[1], re.M), "no example"
    assert "退出码" in text and re.search(r"\b0 ", text.rsplit("退出码", 1)[1]) and "2 无法运行" in text


@pytest.mark.parametrize("command", sorted(COMMANDS))
@pytest.mark.parametrize("columns", [80, 120])
def test_help_fits_the_terminal_and_has_no_stray_spaces_in_chinese(command, columns):
    text = invoke(command, "-h", columns=columns).output
    for line in text.splitlines():
        assert width_of(line) <= columns, f"{width_of(line)} columns: {line}"
        # a space between two Chinese characters is a docstring line break joined wrongly
        assert not re.search(r"[\u4e00-\u9fff，。、；：）] [\u4e00-\u9fff（]", line.strip()), line


def test_wide_terminal_uses_its_width():
    narrow = invoke("merge", "-h", columns=80).output.splitlines()
    wide = invoke("merge", "-h", columns=160).output.splitlines()
    assert len(wide) < len(narrow)
    assert max(map(width_of, wide)) > 100


def test_missing_option_is_said_in_chinese_with_the_hint():
    result = invoke("merge", "examples")
    assert result.exit_code == 2
    assert result.output.splitlines() == [
        "用法：gkxl merge [选项] INPUTS...",
        "错误：缺少选项 -o / --output",
        "详见 gkxl merge -h",
    ]


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (["merge", "examples", "-o"], "错误：选项 -o 后面需要一个值"),
        (["merge", "examples", "-o", "x.xlsx", "--bogus"], "错误：没有选项 --bogus"),
        (["validate", "--form", "2018", "examples"], "错误：--form 的值无效：“2018”不可用，应为 2021, 2019 之一"),
        (["merge", "examples", "-o", "x.xlsx", "--year", "1800"], "错误：--year 的值无效：1800 不在允许范围"),
        (["frobnicate"], "错误：没有命令 frobnicate"),
        (["validate"], "错误：缺少参数 INPUTS..."),
    ],
)
def test_usage_errors_are_chinese(args, error):
    result = invoke(*args)
    assert result.exit_code == 2
    assert error in result.output and not ENGLISH_FRAME.search(result.output), result.output
    assert "详见 gkxl" in result.output


def test_usage_error_from_a_real_process_exits_2_in_chinese():
    env = {**os.environ, "COLUMNS": "80"}
    done = subprocess.run([sys.executable, "-m", "gkxl", "merge", "x"], capture_output=True, text=True, env=env)
    assert done.returncode == 2 and "错误：缺少选项 -o / --output" in done.stderr and done.stdout == ""


def test_import_outdir_stays_a_hidden_alias_of_output():
    text = invoke("import", "-h").output
    assert "-o, --output" in text and "--outdir" not in text
    missing = invoke("import", "x.txt")
    assert missing.exit_code == 2 and "缺少选项 -o / --output" in missing.output


def test_join_lines_puts_spaces_only_between_latin_words():
    assert join_lines(["文件或", "文件夹（取其中的 .xlsx", "文件）"]) == "文件或文件夹（取其中的 .xlsx 文件）"
    assert join_lines(["每个工作簿写", "OUTPUT/a.csv，", "所有"]) == "每个工作簿写 OUTPUT/a.csv，所有"
    assert join_lines(["read the", "sheets"]) == "read the sheets"


def test_fill_breaks_by_display_width_and_never_starts_a_line_with_a_closing_mark():
    text = "汉字" * 30 + "，" + "更多的文字。" * 5
    for width in range(10, 40):
        lines = fill(text, width)
        assert all(width_of(line) <= width for line in lines)
        assert not any(line[0] in "，。）" for line in lines)
        assert "".join(lines) == text
