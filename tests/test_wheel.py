"""A built wheel stands alone: installed outside the checkout and run from an empty folder, the commands that
need the VBA source (`template --xlsm`, `merge -o X.xlsm`) and `excel-setup` work, and the VBA it ships is the
same as macros/ (so a workbook built from the wheel equals the committed one, part by part)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.test_xlsm import _parts as workbook_parts
from tests.test_xlsm import olevba_modules

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """The wheel, built by pip from this checkout and installed (no dependencies: those are this env's) into a
    folder of its own that comes first on sys.path."""
    wheels = tmp_path_factory.mktemp("wheels")
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(wheels), str(ROOT)],
        capture_output=True, text=True, timeout=600,
    )
    assert build.returncode == 0, build.stderr
    shutil.rmtree(ROOT / "build", ignore_errors=True)  # setuptools' in-tree scratch folder
    (wheel,) = wheels.glob("gkxl-*.whl")
    target = tmp_path_factory.mktemp("site")
    install = subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-index", "--target", str(target), str(wheel)],
        capture_output=True, text=True, timeout=600,
    )
    assert install.returncode == 0, install.stderr
    return wheel, target


def run(installed, cwd: Path, *args: str, home: Path | None = None) -> subprocess.CompletedProcess:
    _, target = installed
    env = {**os.environ, "PYTHONPATH": str(target), "PYTHONIOENCODING": "utf-8"}
    if home:
        env.update(HOME=str(home), USERPROFILE=str(home))
    return subprocess.run([sys.executable, "-m", "gkxl", *args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=300)


def test_the_wheel_ships_the_vba_source_of_macros(installed):
    wheel, _ = installed
    with zipfile.ZipFile(wheel) as zf:
        shipped = {Path(n).name: zf.read(n) for n in zf.namelist() if n.startswith("gkxl/workbook/vba/")}
        assert {"gkxl/form/forms/2021.json", "gkxl/form/forms/2019.json"} <= set(zf.namelist())
    source = {p.name: p.read_bytes() for p in (ROOT / "macros").glob("*.bas")}
    assert shipped == source and source


def test_the_wheel_ships_the_committed_templates(installed):
    """The templates merge and import patch (gkxl.workbook.patch): part by part the committed workbook/ files,
    which tests/test_template.py and test_xlsm.py prove equal to a fresh `gkxl template` build, with every
    sheet's deflate stream split before its footer (setup.py: zipparts.split_template)."""
    from gkxl.workbook.zipparts import FOOTER, read_entries

    _, target = installed
    shipped = sorted((target / "gkxl" / "workbook" / "templates").glob("gkxl-*.xls[xm]"))
    committed = {p.name: p for p in (ROOT / "workbook").glob("gkxl-*.xls[xm]")}
    assert [p.name for p in shipped] == sorted(committed) and len(committed) == 4
    for path in shipped:
        with zipfile.ZipFile(path) as new, zipfile.ZipFile(committed[path.name]) as old:
            assert new.namelist() == old.namelist()
            assert all(new.read(n) == old.read(n) for n in old.namelist()), path.name
        footed = [e for e in read_entries(str(path)) if FOOTER in e.read()]
        assert len(footed) >= 8 and all(e.split() for e in footed), path.name


def test_the_installed_writer_uses_the_shipped_templates(installed, tmp_path):
    _, target = installed
    probe = subprocess.run(
        [sys.executable, "-c", "from gkxl.workbook.patch import template_path; print(template_path('2021', True))"],
        cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(target)}, capture_output=True, text=True,
    )
    assert Path(probe.stdout.strip()).is_relative_to(target), probe.stderr


def test_commands_run_from_the_installed_wheel_in_an_empty_folder(installed, tmp_path):
    _, target = installed
    where = run(installed, tmp_path, "--version")
    assert where.returncode == 0, where.stderr
    probe = subprocess.run([sys.executable, "-c", "import gkxl; print(gkxl.__file__)"], cwd=tmp_path,
                           env={**os.environ, "PYTHONPATH": str(target)}, capture_output=True, text=True)
    assert Path(probe.stdout.strip()).is_relative_to(target)  # the wheel's copy, not the checkout's

    made = run(installed, tmp_path, "template", "--xlsm", "-o", "模板.xlsm")
    assert made.returncode == 0, made.stderr
    committed = ROOT / "workbook" / "gkxl-2021.xlsm"
    assert workbook_parts(tmp_path / "模板.xlsm") == workbook_parts(committed)  # the same buttons and sheets
    assert olevba_modules(tmp_path / "模板.xlsm") == olevba_modules(committed)  # and the same VBA

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for example in sorted((ROOT / "examples").glob("*.xlsx")):
        shutil.copy(example, inbox / example.name)
    merged = run(installed, tmp_path, "merge", "inbox", "-o", "汇总.xlsm")
    assert merged.returncode == 0, merged.stderr
    with zipfile.ZipFile(tmp_path / "汇总.xlsm") as zf:
        assert "xl/vbaProject.bin" in zf.namelist()

    home = tmp_path / "home"
    home.mkdir()
    setup = run(installed, tmp_path, "excel-setup", home=home)
    assert setup.returncode == 0, setup.stderr
    assert (home / ".xlwings" / "xlwings.conf").read_bytes().isascii()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["home", "inbox", "模板.xlsm", "汇总.xlsm"]
