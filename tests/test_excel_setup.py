"""`gkxl excel-setup`: the interpreter entry, in the user's xlwings.conf or in a workbook copy."""

from __future__ import annotations

import re
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from gkxl.cli import cli
from gkxl.excel.conf import interpreter_key, read_user_config
from gkxl.workbook.xlsm import CONF_SHEET, TEMPLATE_SETTINGS

TEMPLATE = Path(__file__).resolve().parent.parent / "workbook" / "gkxl-2021.xlsm"


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("USERPROFILE", str(tmp_path))
    return tmp_path


def test_writes_the_user_config_and_keeps_other_settings(home):
    conf = home / ".xlwings" / "xlwings.conf"
    conf.parent.mkdir()
    conf.write_text('"LICENSE_KEY","abc"\n"INTERPRETER_WIN","C:\\old\\python.exe"\n', encoding="utf-8")
    for _ in range(2):  # running it again changes nothing
        result = CliRunner().invoke(cli, ["excel-setup"])
        assert result.exit_code == 0, result.output
    assert read_user_config(conf) == {"LICENSE_KEY": "abc", interpreter_key(): sys.executable}
    assert conf.read_text(encoding="utf-8").count(interpreter_key()) == 1


def test_a_given_interpreter_with_a_chinese_path(home):
    python = "C:\\Users\\张三\\AppData\\Local\\Programs\\Python\\Python311\\python.exe"
    assert CliRunner().invoke(cli, ["excel-setup", "--interpreter", python]).exit_code == 0
    assert read_user_config(home / ".xlwings" / "xlwings.conf")[interpreter_key()] == python


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def test_writes_a_workbook_copy_and_leaves_the_input_alone(home, tmp_path):
    from openpyxl import load_workbook

    source = tmp_path / "模板.xlsm"
    source.write_bytes(TEMPLATE.read_bytes())
    out = tmp_path / "模板-本机.xlsm"
    python = "D:\\Python\\python.exe"
    result = CliRunner().invoke(
        cli, ["excel-setup", "--workbook", str(source), "-o", str(out), "--interpreter", python]
    )
    assert result.exit_code == 0, result.output
    assert source.read_bytes() == TEMPLATE.read_bytes()
    assert not (home / ".xlwings").exists()
    wb = load_workbook(out, keep_vba=True)
    assert dict(wb[CONF_SHEET].iter_rows(values_only=True)) == {**TEMPLATE_SETTINGS, interpreter_key(): python}
    assert wb[CONF_SHEET].sheet_state == "hidden"
    before, after = _parts(source), _parts(out)
    changed = {n for n in before if before[n] != after[n]}
    assert set(before) == set(after) and len(changed) == 1  # only the conf sheet: VBA and buttons untouched
    part = changed.pop()
    code_name = re.search(rb'codeName="Sheet\d+"', before[part]).group()
    assert code_name in after[part]  # its VBA document module still matches


def test_refusals(home, tmp_path):
    runner = CliRunner()
    source = tmp_path / "a.xlsm"
    source.write_bytes(TEMPLATE.read_bytes())
    assert runner.invoke(cli, ["excel-setup", "--workbook", str(source)]).exit_code == 2
    same = runner.invoke(cli, ["excel-setup", "--workbook", str(source), "-o", str(source)])
    assert same.exit_code == 2 and "不能覆盖原文件" in same.output
    plain = tmp_path / "b.xlsx"
    assert runner.invoke(cli, ["template", "-o", str(plain)]).exit_code == 0
    result = runner.invoke(cli, ["excel-setup", "--workbook", str(plain), "-o", str(tmp_path / "c.xlsm")])
    assert result.exit_code == 2 and CONF_SHEET in result.output
    assert source.read_bytes() == TEMPLATE.read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.xlsm", "b.xlsx"]
