"""`gkxl csv --jobs N`: conversions in worker processes give the same files, manifest, log and exit code."""

from __future__ import annotations

import multiprocessing
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

import gkxl.parallel
from gkxl.cli import cli
from gkxl.csv.lock import LOCK_NAME
from gkxl.csv.manifest import MANIFEST_NAME
from gkxl.parallel import PARALLEL_MIN, cores

ROOT = Path(__file__).parent.parent
STAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d ")


def make_inputs(make_workbook, folder: Path) -> Path:
    """A dozen inputs: both forms, one with a hard error, one truncated, one not a workbook."""
    folder.mkdir()
    for i in range(9):
        form_id = "2019" if i % 4 == 3 else "2021"
        shutil.move(make_workbook(form_id, seed=i, unit=f"第{i}乡"), folder / f"乡{i:02d}.xlsx")

    def text_in_a_count(report):
        cell = report.form.cells[50]
        report.values[cell.key], report.raw[cell.key] = None, "3件"

    shutil.move(make_workbook("2021", seed=20, edit=text_in_a_count), folder / "有错.xlsx")
    good = (folder / "乡00.xlsx").read_bytes()
    (folder / "截断.xlsx").write_bytes(good[: len(good) // 2])
    (folder / "说明.xlsx").write_text("这不是工作簿", encoding="utf-8")
    return folder


def run(folder: Path, out: Path, jobs: int, *extra: str):
    return CliRunner().invoke(cli, ["csv", str(folder), "-o", str(out), "--jobs", str(jobs), *extra])


def files(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.iterdir())}


def log_lines(text: str, out: Path) -> list[str]:
    """The log lines without their time stamp and with the output folder's name made neutral."""
    return [STAMP.sub("", line).replace(str(out), "OUT") for line in text.splitlines() if STAMP.match(line)]


@pytest.fixture
def pools(monkeypatch) -> list[int]:
    """How many worker pools were started (one entry per pool, its worker count)."""
    started = []

    class Counted(gkxl.parallel.ProcessPoolExecutor):
        def __init__(self, max_workers=None, **kw):
            started.append(max_workers)
            super().__init__(max_workers, **kw)

    monkeypatch.setattr(gkxl.parallel, "ProcessPoolExecutor", Counted)
    return started


@pytest.fixture
def forks(monkeypatch) -> list[int]:
    """How many children a small batch was shared with (gkxl.parallel._forked), one entry per child."""
    started = []
    real = gkxl.parallel._fork

    def counted(func, part):
        started.append(len(part))
        return real(func, part)

    monkeypatch.setattr(gkxl.parallel, "_fork", counted)
    return started


@pytest.mark.parametrize("way", ["pool", "fork"])
def test_two_jobs_give_the_same_files_manifest_and_log(make_workbook, tmp_path, pools, forks, monkeypatch, way):
    """A dozen inputs with two jobs: in a pool, or (the default for a batch this small, where the system can
    fork) shared with one forked child."""
    if way == "pool":
        monkeypatch.setattr(gkxl.parallel, "can_fork", lambda: False)
    elif not gkxl.parallel.can_fork():
        pytest.skip("this system cannot fork")
    folder = make_inputs(make_workbook, tmp_path / "in")
    one, two = tmp_path / "one", tmp_path / "two"
    first = run(folder, one, 1, "--wide")
    assert pools == forks == []
    second = run(folder, two, 2, "--wide")
    assert (pools, forks) == (([2], []) if way == "pool" else ([], [6]))  # 12 inputs: 6 here, 6 in a child
    assert first.exit_code == second.exit_code == 1  # the truncated and the non-workbook inputs
    assert files(one) == files(two)  # the manifest too: same keys, entries, order
    assert log_lines(first.output, one) == log_lines(second.output, two)
    assert [line.split()[0] for line in log_lines(second.output, two)] == (
        ["OK"] * 9 + ["FAILED", "ERRORS", "FAILED", "DONE"]  # input order: 乡00..乡08, 截断, 有错, 说明
    )

    # A changed input, a removed one and a touched one: the same again, and the rerun writes nothing.
    shutil.copy(make_workbook("2021", seed=30, unit="新单位"), folder / "乡03.xlsx")
    (folder / "乡05.xlsx").unlink()
    os.utime(folder / "乡07.xlsx", ns=(1, 10**18))
    first, second = run(folder, one, 1, "--wide"), run(folder, two, 2, "--wide")
    assert files(one) == files(two)
    assert log_lines(first.output, one) == log_lines(second.output, two)
    statuses = [line.split()[0] for line in log_lines(second.output, two)]
    assert statuses[0] == "REMOVED" and statuses.count("UNCHANGED") == 10 and statuses.count("OK") == 1
    assert (pools, forks) == (([2], []) if way == "pool" else ([], [6]))  # one to convert: none new
    before = {p.name: p.stat().st_mtime_ns for p in two.iterdir()}
    assert run(folder, two, 2, "--wide").exit_code == 1
    assert {p.name: p.stat().st_mtime_ns for p in two.iterdir()} == before


def test_many_inputs_use_every_core_by_default(make_workbook, tmp_path, pools, forks):
    folder = tmp_path / "in"
    folder.mkdir()
    source = make_workbook("2021")
    for n in range(PARALLEL_MIN):
        shutil.copyfile(source, folder / f"乡{n:02d}.xlsx")
    assert CliRunner().invoke(cli, ["csv", str(folder), "-o", str(tmp_path / "auto")]).exit_code == 0
    assert run(folder, tmp_path / "serial", 1).exit_code == 0
    assert pools == ([cores()] if cores() > 1 else [])
    assert files(tmp_path / "auto") == files(tmp_path / "serial")
    (folder / "乡00.xlsx").unlink()  # now under the threshold: no pool, forked children where they can be
    shutil.rmtree(tmp_path / "auto")
    assert CliRunner().invoke(cli, ["csv", str(folder), "-o", str(tmp_path / "auto")]).exit_code == 0
    assert len(pools) == (1 if cores() > 1 else 0)
    assert len(forks) == (cores() - 1 if cores() > 1 and gkxl.parallel.can_fork() else 0)
    per_unit = {k: v for k, v in files(tmp_path / "serial").items() if k.startswith("乡") and "乡00" not in k}
    assert {k: v for k, v in files(tmp_path / "auto").items() if k.startswith("乡")} == per_unit


@pytest.mark.skipif(multiprocessing.get_start_method() != "fork", reason="the patch must reach the workers")
def test_a_failed_write_in_a_worker_is_retried_next_run(make_workbook, tmp_path, monkeypatch):
    import gkxl.csv.files

    folder = make_inputs(make_workbook, tmp_path / "in")
    out = tmp_path / "out"
    real_write = gkxl.csv.files._write_to

    def disk_full(fd, data, path):
        if not path.name.startswith(".乡04.csv"):
            return real_write(fd, data, path)
        os.write(fd, data[:1000])
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(gkxl.csv.files, "_write_to", disk_full)
    result = run(folder, out, 2)
    lines = log_lines(result.output, out)
    assert lines[4].startswith("FAILED") and "转换失败（磁盘空间不足）" in lines[4]
    assert not (out / "乡04.csv").exists() and not list(out.glob(".*tmp"))
    assert (out / "乡05.csv").exists()

    monkeypatch.setattr(gkxl.csv.files, "_write_to", real_write)
    lines = log_lines(run(folder, out, 2).output, out)
    assert lines[4].startswith("OK ") and lines[5].startswith("UNCHANGED")
    assert (out / "乡04.csv").exists() and MANIFEST_NAME in os.listdir(out)


def gkxl_csv(folder: Path, out: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "gkxl", "csv", str(folder), "-o", str(out), *extra]


def test_real_process_with_two_jobs_matches_one(make_workbook, tmp_path):
    folder = make_inputs(make_workbook, tmp_path / "in")
    done = {}
    for jobs in ("1", "2"):
        out = tmp_path / f"out{jobs}"
        done[jobs] = subprocess.run(gkxl_csv(folder, out, "--jobs", jobs), cwd=ROOT, capture_output=True)
        assert done[jobs].returncode == 1, done[jobs].stderr.decode("utf-8")
    assert files(tmp_path / "out1") == files(tmp_path / "out2")
    logs = [log_lines(done[j].stderr.decode("utf-8"), tmp_path / f"out{j}") for j in ("1", "2")]
    assert logs[0] == logs[1] and len(logs[1]) == 13


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT to one process")
def test_interrupted_parallel_run_leaves_only_whole_files(make_workbook, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    sources = [make_workbook("2021", seed=i) for i in range(3)]
    for n in range(150):
        shutil.copyfile(sources[n % 3], folder / f"乡{n:03d}.xlsx")
    out = tmp_path / "out"
    job = subprocess.Popen(gkxl_csv(folder, out, "--jobs", "2"), cwd=ROOT, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while not (out.is_dir() and any(out.glob("乡*.csv"))) and job.poll() is None and time.monotonic() < deadline:
        time.sleep(0.002)
    job.send_signal(signal.SIGINT)  # as Ctrl+C, or a scheduler stopping the job
    log = job.communicate(timeout=60)[1].decode("utf-8")
    if "DONE" in log:
        pytest.skip("the run finished before it could be interrupted")
    assert job.returncode != 0
    assert not list(out.glob(".*tmp")) and not (out / LOCK_NAME).exists()
    assert not (out / MANIFEST_NAME).exists() and not (out / "all.csv").exists()
    left = files(out)
    assert left and len(left) < 150

    done = subprocess.run(gkxl_csv(folder, out, "--jobs", "2"), cwd=ROOT, capture_output=True)
    assert done.returncode == 0, done.stderr.decode("utf-8")
    whole = files(out)
    assert all(whole[name] == data for name, data in left.items())  # each file left was complete


@pytest.mark.skipif(multiprocessing.get_start_method() != "fork", reason="the patch must reach the workers")
@pytest.mark.parametrize("way", ["pool", "fork"])
def test_a_killed_worker_fails_its_files_and_the_next_run_converts_them(make_workbook, tmp_path, monkeypatch, way):
    """In a pool, the chunk of the killed worker and those queued after it fail; shared with forked children
    (the default for a dozen inputs), what the killed child had not sent yet."""
    import gkxl.csv.convert

    if way == "pool":
        monkeypatch.setattr(gkxl.parallel, "can_fork", lambda: False)
    folder = make_inputs(make_workbook, tmp_path / "in")
    assert run(folder, tmp_path / "clean", 1).exit_code == 1
    real_convert = gkxl.csv.convert.convert

    def killed(path, *args):
        if path.name == "乡04.xlsx":
            os._exit(9)  # as the kernel's out-of-memory killer would
        return real_convert(path, *args)

    monkeypatch.setattr(gkxl.csv.convert, "convert", killed)
    out = tmp_path / "out"
    result = run(folder, out, 2)
    assert result.exit_code == 1, result.output
    lines = log_lines(result.output, out)
    assert len(lines) == 13 and lines[4].startswith("FAILED")
    died = "BrokenProcessPool" if way == "pool" else "ChildProcessError"
    assert f"转换失败（处理进程意外退出（{died}）" in lines[4]
    if way == "fork":  # the child (乡00..乡05) had sent 乡00..乡03; what this process did is not touched
        assert [line.split()[0] for line in lines[:4]] == ["OK"] * 4 and lines[5].startswith("FAILED")
        assert not any(line.startswith("FAILED") and "意外退出" in line for line in lines[6:])
    assert not list(out.glob(".*tmp")) and not (out / LOCK_NAME).exists() and (out / MANIFEST_NAME).exists()

    monkeypatch.setattr(gkxl.csv.convert, "convert", real_convert)
    result = run(folder, out, 2)
    redone = [line.split()[0] for line in log_lines(result.output, out)]
    crashed = [i for i, line in enumerate(lines) if "转换失败" in line]  # 乡04 and those queued after it
    assert redone[4] == "OK" and [i for i, w in enumerate(redone[:-1]) if w != "UNCHANGED"] == crashed
    assert files(out) == files(tmp_path / "clean")
