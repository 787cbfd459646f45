"""The offline bundle for county IT: built by scripts/windows_bundle.py (here for one Python, to stay quick),
it holds everything a township PC needs, and pip resolves gkxl from it with no index, for Windows."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.chromium
def test_the_bundle_installs_with_no_index_on_windows(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "windows_bundle.py"), "--output", str(out),
                           "--python", "3.10", "3.12"], capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr
    assert "3.12" in done.stdout and "没有 Python 3.10" in done.stdout  # xlwings 0.37.8 needs 3.11: said, not hidden
    (bundle,) = out.glob("gkxl-*-windows.zip")
    unpacked = tmp_path / "unpacked"
    with zipfile.ZipFile(bundle) as zf:
        names = set(zf.namelist())
        zf.extractall(unpacked)
    expected = {"install.cmd", "安装说明.txt", "填报人员使用说明.pdf", "模板/gkxl-2021.xlsm", "模板/gkxl-2019.xlsx"}
    assert expected <= names
    assert (unpacked / "填报人员使用说明.pdf").read_bytes().startswith(b"%PDF")
    cmd = (unpacked / "install.cmd").read_bytes()
    assert b"\r\n" in cmd and "--no-index" in cmd.decode("gbk") and "excel-setup --all-users" in cmd.decode("gbk")
    pips = [int(p.name.split("-")[1].split(".")[0]) for p in (unpacked / "wheels").glob("pip-*.whl")]
    assert "--upgrade pip" in cmd.decode("gbk") and pips and pips[0] >= 25  # gkxl.exe without `import re`
    resolve = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--dry-run", "--no-index", "--find-links", str(unpacked / "wheels"),
         "--platform", "win_amd64", "--python-version", "3.12", "--only-binary=:all:", "--target",
         str(tmp_path / "target"), "gkxl"],
        capture_output=True, text=True, timeout=600,
    )
    assert resolve.returncode == 0, resolve.stderr
    assert "Would install" in resolve.stdout and "xlwings-0.37.8" in resolve.stdout
