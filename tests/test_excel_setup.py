"""`gkxl excel-setup`: the interpreter entry, in the user's xlwings.conf or in a workbook copy."""

from __future__ import annotations

import re
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from gkxl.cli import cli
from gkxl.errors import GkxlError
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


def test_a_chinese_user_folder_is_written_as_an_environment_variable(home, monkeypatch):
    monkeypatch.setenv("USERPROFILE", "C:\\Users\\张三")
    monkeypatch.setenv("LOCALAPPDATA", "C:\\Users\\张三\\AppData\\Local")
    python = "C:\\Users\\张三\\AppData\\Local\\Programs\\Python\\Python311\\python.exe"
    result = CliRunner().invoke(cli, ["excel-setup", "--interpreter", python])
    assert result.exit_code == 0, result.output
    conf = home / ".xlwings" / "xlwings.conf"
    spelled = "%LOCALAPPDATA%\\Programs\\Python\\Python311\\python.exe"
    assert read_user_config(conf)[interpreter_key()] == spelled
    data = conf.read_bytes()
    assert data.decode("ascii") == data.decode("cp936")  # VBA (ANSI code page) and Python (UTF-8) read the same
    assert spelled in result.output and "纯英文" in result.output


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


def test_portable_path_picks_the_longest_folder_variable():
    from gkxl.excel.conf import portable_path

    env = {"USERPROFILE": "C:\\Users\\李四", "LOCALAPPDATA": "C:\\Users\\李四\\AppData\\Local", "APPDATA": ""}
    assert portable_path("C:\\Python312\\pythonw.exe", env) == "C:\\Python312\\pythonw.exe"
    local = "c:\\users\\李四\\AppData\\Local\\Python\\python.exe"
    assert portable_path(local, env) == "%LOCALAPPDATA%\\Python\\python.exe"
    venv = "C:\\Users\\李四\\venv\\Scripts\\python.exe"
    assert portable_path(venv, env) == "%USERPROFILE%\\venv\\Scripts\\python.exe"
    with pytest.raises(GkxlError, match="非英文字符"):  # whole folders only: 李四四 is not under 李四
        portable_path("C:\\Users\\李四四\\python.exe", env)


def test_a_path_that_cannot_be_ascii_is_refused_with_what_to_do(home):
    result = CliRunner().invoke(cli, ["excel-setup", "--interpreter", "D:\\软件\\Python\\python.exe"])
    assert result.exit_code == 2
    assert "非英文字符" in result.output and "C:\\Python312" in result.output
    assert not (home / ".xlwings").exists()


def test_all_users_writes_the_machine_wide_setting(home, tmp_path, monkeypatch):
    monkeypatch.setenv("ProgramData", str(tmp_path / "ProgramData"))
    result = CliRunner().invoke(cli, ["excel-setup", "--all-users", "--interpreter", "C:\\Python312\\pythonw.exe"])
    assert result.exit_code == 0, result.output
    machine = tmp_path / "ProgramData" / "gkxl" / "xlwings.conf"
    assert read_user_config(machine) == {interpreter_key(): "C:\\Python312\\pythonw.exe"}
    assert not (home / ".xlwings").exists() and "所有用户" in result.output


def test_the_macros_take_the_machine_wide_setting_and_explain_failures():
    """The VBA side of --all-users and of a Python that cannot start (only real Excel can run it: see
    docs/windows-acceptance.md); here: every button goes through the one guarded starter."""
    from gkxl.workbook.xlsm import BUTTONS, macro_sources

    source = macro_sources()["gkxl"]
    assert 'MACHINE_CONF As String = "\\gkxl\\xlwings.conf"' in source
    for button in BUTTONS:
        body = source.split(f"Public Sub {button.macro}()")[1].split("End Sub")[0]
        assert "StartPython " in body and "RunPython" not in body
    starter = source.split("Private Sub StartPython")[1].split("End Sub")[0]
    assert "If Not PythonReady(action) Then Exit Sub" in starter and "On Error GoTo Blocked" in starter
    assert "阻止所有 Office 应用程序创建子进程" in starter


@pytest.mark.skipif(sys.platform == "win32", reason="symlinks and HOME: the POSIX stand-in for a Chinese user folder")
def test_a_chinese_interpreter_path_under_utf8_mode_in_real_processes(tmp_path):
    """Python under UTF-8 mode (the default from 3.15) runs excel-setup from a folder named in Chinese, and
    xlwings' own reader then reads the file back; a file written the old way (ANSI code page) would fail."""
    import os
    import subprocess

    home = tmp_path / "张三"
    (home / "py").mkdir(parents=True)
    python = home / "py" / "python"
    python.symlink_to(sys.executable)
    env = {**os.environ, "HOME": str(home), "USERPROFILE": str(home), "PYTHONIOENCODING": "utf-8"}
    done = subprocess.run([str(python), "-X", "utf8", "-m", "gkxl", "excel-setup"], env=env, capture_output=True)
    assert done.returncode == 0, done.stderr.decode()
    conf = home / ".xlwings" / "xlwings.conf"
    assert conf.read_bytes().decode("cp936") == conf.read_bytes().decode("ascii")
    read = "import xlwings.utils as u; print(u.read_user_config()['interpreter_win'])"
    back = subprocess.run([sys.executable, "-X", "utf8", "-c", read], env=env, capture_output=True, text=True)
    assert back.returncode == 0, back.stderr
    assert back.stdout.strip() == "%USERPROFILE%/py/python"
    conf.write_bytes(f'"INTERPRETER_WIN","{python}"\r\n'.encode("gb18030"))  # what an ANSI-code-page file holds
    old = subprocess.run([sys.executable, "-X", "utf8", "-c", read], env=env, capture_output=True, text=True)
    assert old.returncode != 0 and "UnicodeDecodeError" in old.stderr
