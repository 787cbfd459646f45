"""The season commands as real processes: two runs at once share the version store, a killed run loses
nothing it had recorded."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from gkxl.workbook.sample import write_report
from tests.season_county import make_inbox, report, write_roster


def gkxl(*args: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "gkxl", *args], capture_output=True, text=True, timeout=300, **kw)


def spawn(*args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "gkxl", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE)


@pytest.fixture(scope="module")
def county(tmp_path_factory):
    root = tmp_path_factory.mktemp("county-process")
    make_inbox(root / "收件箱")
    write_roster(root / "名册.csv")
    return root


def versions(db: Path) -> int:
    with sqlite3.connect(db) as con:
        return con.execute("SELECT COUNT(*) FROM versions").fetchone()[0]


def integrity(db: Path) -> str:
    with sqlite3.connect(db) as con:
        return con.execute("PRAGMA integrity_check").fetchone()[0]


def test_status_in_a_real_process(county, tmp_path):
    shutil.copytree(county, tmp_path / "c")
    done = gkxl("status", str(tmp_path / "c" / "收件箱"), "--roster", str(tmp_path / "c" / "名册.csv"), "--json")
    assert done.returncode == 1, done.stderr
    data = json.loads(done.stdout)
    assert data["counts"]["ok"] == 18 and data["db"].endswith("名册.gkxl.sqlite")
    assert done.stderr == ""


def test_two_runs_at_once_share_the_store(county, tmp_path):
    folder = tmp_path / "c"
    shutil.copytree(county, folder)
    args = ("status", str(folder / "收件箱"), "--roster", str(folder / "名册.csv"), "--json", "-j", "1")
    runs = [spawn(*args) for _ in range(2)]
    outputs = [p.communicate(timeout=300) for p in runs]
    for p, (out, err) in zip(runs, outputs, strict=True):
        assert p.returncode == 1, err.decode()
        assert json.loads(out)["counts"]["missing"] == 7
    db = folder / "名册.gkxl.sqlite"
    assert integrity(db) == "ok"
    assert versions(db) == 26  # each content once, whichever run read it first
    with sqlite3.connect(db) as con:
        assert con.execute("SELECT COUNT(*) FROM unit_versions").fetchone()[0] == 24


def _copies(source: Path, folder: Path, n: int) -> None:
    """n workbooks of distinct content (a different document title each), cheaply: the zip rewritten."""
    folder.mkdir()
    with zipfile.ZipFile(source) as zf:
        parts = {name: zf.read(name) for name in zf.namelist()}
    core = parts["docProps/core.xml"].decode()
    for i in range(n):
        title = f"<dc:title>copy {i}</dc:title>"
        text = core.replace("</cp:coreProperties>", f"{title}</cp:coreProperties>")
        with zipfile.ZipFile(folder / f"第{i:03d}份.xlsx", "w", zipfile.ZIP_DEFLATED) as out:
            for name, data in parts.items():
                out.writestr(name, text.encode() if name == "docProps/core.xml" else data)


def test_a_killed_run_loses_nothing_it_recorded(tmp_path):
    source = write_report(report("城关镇人民政府", 1), tmp_path / "source.xlsx")
    inbox, total = tmp_path / "收件箱", 400
    _copies(source, inbox, total)
    roster = write_roster(tmp_path / "名册.xlsx")
    db = tmp_path / "名册.gkxl.sqlite"
    run = spawn("status", str(inbox), "--roster", str(roster), "-j", "1", "--json")
    deadline = time.monotonic() + 120
    seen = 0
    while time.monotonic() < deadline and run.poll() is None:
        if db.exists():
            try:
                seen = versions(db)
            except sqlite3.OperationalError:  # the schema is still being created
                seen = 0
            if seen >= 20:
                break
        time.sleep(0.02)
    assert run.poll() is None, "the run ended before it could be killed: make the inbox bigger"
    os.kill(run.pid, signal.SIGKILL)
    run.wait()
    assert integrity(db) == "ok"
    after_kill = versions(db)
    assert seen <= after_kill < total  # everything committed before the kill is still there
    done = gkxl("status", str(inbox), "--roster", str(roster), "--json")
    assert done.returncode == 1, done.stderr
    assert versions(db) == total
    unit = json.loads(done.stdout)["units"][0]
    assert (unit["status"], unit["versions"]) == ("conflict", total)
