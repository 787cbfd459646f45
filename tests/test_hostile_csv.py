"""The csv job against hostile surroundings (issue 18 items 2, 7, 10, 12; issue 19's re-run): a manifest that
points outside the output folder, stale and duplicate CSVs, locks left by reused pids, other hosts and
garbage, a full log disk, an output that is a file. Nothing outside the output folder may change."""

from __future__ import annotations

import json
import os
import shutil
import socket
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from hostile import ENGLISH, good, snapshot

from gkxl.cli import cli
from gkxl.csv import lock
from gkxl.csv.job import run_csv

MANIFEST = ".gkxl-manifest.json"


def csv(*args: object):
    result = CliRunner().invoke(cli, ["csv", *map(str, args)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert not ENGLISH.search(result.output), result.output
    return result


@pytest.fixture
def inputs(tmp_path) -> Path:
    folder = tmp_path / "各乡镇"
    folder.mkdir()
    good(folder, "东街乡", seed=1)
    good(folder, "西街乡", seed=2)
    return folder


def _manifest_entries(out: Path) -> tuple[dict, dict[str, dict]]:
    """The manifest document, and its entries as {path: {field: value}}."""
    data = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    fields = data["fields"]
    return data, {row[0]: dict(zip(fields[1:], row[1:], strict=True)) for row in data["entries"]}


def _edit_manifest(out: Path, edit) -> None:
    """Edit the entries as a person might, and save the manifest on one line (not in gkxl's own layout)."""
    data, entries = _manifest_entries(out)
    edit(entries)
    data["entries"] = [[key, *e.values()] for key, e in entries.items()]
    (out / MANIFEST).write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


# ------------------------------------------------------------------- 2. the manifest is not trusted


ESCAPES = [("outputs", ["../victim.txt"]), ("outputs", ["/tmp/victim.txt"]), ("name", "../escaped"),
           ("outputs", ["东街乡.csv", "..\\victim.csv"])]  # fmt: skip


@pytest.mark.parametrize("field,value", ESCAPES)
def test_manifest_paths_outside_the_folder_are_dropped(field, value, inputs, tmp_path):
    out = tmp_path / "导出"
    assert csv(inputs, "-o", out).exit_code == 0
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    key = next(k for k in _manifest_entries(out)[1] if "东街乡" in k)

    def edit(entries):
        entries[key][field] = value

    _edit_manifest(out, edit)
    os.remove(inputs / "东街乡.xlsx")  # so the job would delete the entry's outputs, or write under its name
    before = snapshot(inputs)
    result = csv(inputs, "-o", out)
    assert result.exit_code == 0, result.output
    assert f"WARN {out / MANIFEST}：条目 {key}：" in result.output and "已忽略" in result.output
    assert victim.read_text() == "keep me" and not (tmp_path / "escaped.csv").exists()
    assert snapshot(inputs) == before
    assert "东街乡.csv" not in os.listdir(out)  # removed all the same: it belongs to no input (item 10)
    assert sorted(os.listdir(tmp_path)) == ["victim.txt", "各乡镇", "导出"]


# ------------------------------------------------------------------- 10. the folder matches the manifest


def test_stale_csvs_are_removed_when_the_manifest_is_lost(inputs, tmp_path):
    out = tmp_path / "导出"
    assert csv(inputs, "-o", out).exit_code == 0
    (out / MANIFEST).write_text("{ damaged", encoding="utf-8")  # a run killed while it was lost, say
    os.remove(inputs / "西街乡.xlsx")
    (out / "我的笔记.csv").write_text("not gkxl's,keep\r\n", encoding="utf-8")
    (out / "旧.表二.csv").write_text("a wide CSV of an input long gone", encoding="utf-8")
    result = csv(inputs, "-o", out)
    assert result.exit_code == 0, result.output
    assert "清单无法读取，全部重新转换" in result.output
    assert f"REMOVED {out / '西街乡.csv'}：不属于本次任何输入" in result.output
    assert f"REMOVED {out / '旧.表二.csv'}：" in result.output
    assert sorted(os.listdir(out)) == [MANIFEST, "all.csv", "东街乡.csv", "我的笔记.csv"]
    assert "西街乡" not in (out / "all.csv").read_text(encoding="utf-8-sig")


def test_identical_files_under_two_names_are_in_all_csv_once(inputs, tmp_path):
    shutil.copy(inputs / "东街乡.xlsx", inputs / "东街乡（再次提交）.xlsx")
    out = tmp_path / "导出"
    result = csv(inputs, "-o", out)
    assert result.exit_code == 0, result.output
    assert "内容完全相同（同一份报告重复提交），all.csv 中只保留一份" in result.output
    rows = (out / "all.csv").read_text(encoding="utf-8-sig").splitlines()[1:]
    units = {row.split(",")[0] for row in rows}
    assert units == {"东街乡人民政府", "西街乡人民政府"}
    assert len(rows) == 2 * sum(1 for r in rows if r.split(",")[0] == "西街乡人民政府")
    assert (out / "东街乡（再次提交）.csv").exists()  # its own CSV is still written


# ------------------------------------------------------------------- 12. odd outputs


def test_output_that_is_a_file(inputs, tmp_path):
    target = tmp_path / "导出.csv"
    target.write_text("a file")
    result = csv(inputs, "-o", target)
    assert result.exit_code == 2
    assert "错误：" in result.output and f"{target} 是文件" in result.output  # in Chinese, naming the file
    assert target.read_text() == "a file"


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full (a disk that is always full)")
def test_log_on_a_full_disk_names_the_log_file(inputs, tmp_path):
    out = tmp_path / "导出"
    result = csv(inputs, "-o", out, "--log", "/dev/full")
    assert result.exit_code == 0, result.output
    assert "错误：无法写日志文件 /dev/full（磁盘空间不足），此后的日志只写到标准错误输出" in result.output
    assert (out / "all.csv").exists()


# ------------------------------------------------------------------- 7. the lock


def _lock(out: Path, text: str, age: float = 0) -> Path:
    out.mkdir(exist_ok=True)
    path = out / lock.LOCK_NAME
    path.write_text(text, encoding="utf-8")
    then = time.time() - age
    os.utime(path, (then, then))
    return path


HOST = socket.gethostname()


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux's /proc")
@pytest.mark.parametrize(
    "text,reason",
    [
        (f"1 {HOST} {lock.boot_id()} 999999999", "进程号 1 已被其他进程重用"),
        (f"{os.getppid()} {HOST} 00000000-0000-0000-0000-000000000000 1", "系统已重启"),
        (f"99999999999999999999999 {HOST}", "锁文件内容无法识别"),
        (f"4194305 {HOST}", "进程 4194305 已不存在"),
        ("garbage \x00\xff", "锁文件内容无法识别"),
        ("1 另一台服务器 - -", "另一台计算机（另一台服务器）的锁已超过 12 小时"),
    ],
)
def test_stale_locks_are_taken_over(text, reason, inputs, tmp_path):
    out = tmp_path / "导出"
    _lock(out, text, age=13 * 3600)
    result = csv(inputs, "-o", out)
    assert result.exit_code == 0, result.output
    assert f"LOCK {out}：接管过期的锁：{reason}" in result.output
    assert not (out / lock.LOCK_NAME).exists()


@pytest.mark.parametrize("text", ["1 另一台服务器 - -", "garbage"])
def test_recent_locks_of_other_hosts_and_unreadable_ones_are_respected(text, inputs, tmp_path):
    out = tmp_path / "导出"
    path = _lock(out, text, age=5)
    result = csv(inputs, "-o", out)
    assert result.exit_code == 2 and "本次未运行" in result.output, result.output
    assert path.read_text(encoding="utf-8") == text and sorted(os.listdir(out)) == [lock.LOCK_NAME]


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux's /proc")
def test_a_live_owner_is_told_from_a_reused_pid():
    mine = lock.Owner(f"{os.getpid()} {HOST} {lock.boot_id()} {lock.start_time(os.getpid())}")
    assert mine.stale_reason(age=10**6) is None  # this process holds it, however old
    reused = lock.Owner(f"{os.getpid()} {HOST} {lock.boot_id()} {int(lock.start_time(os.getpid())) - 1}")
    assert reused.stale_reason(age=0) == f"进程号 {os.getpid()} 已被其他进程重用"


# ------------------------------------------------------------------- issue 19: an unchanged re-run is cheap


def test_unchanged_rerun_lists_once_and_stats_each_input_once(tmp_path, monkeypatch):
    folder = tmp_path / "in"
    folder.mkdir()
    first = good(folder, "乡0", seed=0)
    for n in range(1, 30):
        shutil.copy(first, folder / f"乡{n}.xlsx")
        os.utime(folder / f"乡{n}.xlsx", (1_700_000_000 + n, 1_700_000_000 + n))
    out = tmp_path / "导出"
    assert csv(folder, "-o", out).exit_code == 0
    manifest = (out / MANIFEST).stat().st_mtime_ns
    calls = {"stat": 0, "scandir": 0}
    real_stat, real_scandir = os.stat, os.scandir

    def counting_stat(*args, **kwargs):
        calls["stat"] += 1
        return real_stat(*args, **kwargs)

    def counting_scandir(*args, **kwargs):
        calls["scandir"] += 1
        return real_scandir(*args, **kwargs)

    monkeypatch.setattr(os, "stat", counting_stat)
    monkeypatch.setattr(os, "scandir", counting_scandir)
    result = csv(folder, "-o", out)
    monkeypatch.undo()
    assert result.exit_code == 0 and result.output.count(" UNCHANGED ") == 30, result.output
    assert calls["scandir"] == 2  # the input folder and the output folder, once each
    assert calls["stat"] <= 30 + 25, calls  # one per input, plus a constant (click's gettext, folders, lock)
    assert (out / MANIFEST).stat().st_mtime_ns == manifest  # nothing changed: nothing rewritten


def test_library_run_keeps_outputs_inside(inputs, tmp_path):
    out = tmp_path / "导出"
    result = run_csv(sorted(inputs.iterdir()), out)
    assert result.exit_code == 0
    assert sorted(os.listdir(tmp_path)) == ["各乡镇", "导出"]


# ------------------------------------------------------------------- the manifest's layout (issue 19)


def _words(output: str) -> list[str]:
    return [line.split()[1] for line in output.splitlines() if line[:4].isdigit()]


def test_a_format_1_manifest_is_read_once_and_rewritten(inputs, tmp_path):
    """A folder made by an earlier gkxl (manifest format 1: entries by path, each an object) is taken over:
    nothing is converted again, the manifest is rewritten in today's layout, and the run after writes nothing."""
    out = tmp_path / "导出"
    assert csv(inputs, "-o", out).exit_code == 0
    data, entries = _manifest_entries(out)
    old = {"format": 1, "gkxl": data["gkxl"], "settings": data["settings"], "entries": entries}
    (out / MANIFEST).write_text(json.dumps(old, ensure_ascii=False, indent=1), encoding="utf-8")
    csvs = {p.name: p.stat().st_mtime_ns for p in out.glob("*.csv")}
    result = csv(inputs, "-o", out)
    assert result.exit_code == 0, result.output
    assert _words(result.output) == ["UNCHANGED", "UNCHANGED", "DONE"]
    assert {p.name: p.stat().st_mtime_ns for p in out.glob("*.csv")} == csvs  # no CSV written again
    text = (out / MANIFEST).read_text(encoding="utf-8")
    assert text.startswith('{"format": 2,') and text.count("\n") == 4  # head, two entries, the end
    assert _manifest_entries(out)[1] == entries
    before = snapshot(out)
    assert _words(csv(inputs, "-o", out).output) == ["UNCHANGED", "UNCHANGED", "DONE"]
    assert snapshot(out) == before


def test_a_damaged_manifest_line_costs_only_its_entry(inputs, tmp_path):
    out = tmp_path / "导出"
    assert csv(inputs, "-o", out).exit_code == 0
    lines = (out / MANIFEST).read_text(encoding="utf-8").split("\n")
    damaged = next(i for i, line in enumerate(lines) if "西街乡" in line)
    lines[damaged] = lines[damaged][:40]  # cut short, as a bad edit might
    (out / MANIFEST).write_text("\n".join(lines), encoding="utf-8")
    result = csv(inputs, "-o", out)
    assert result.exit_code == 0, result.output
    assert f"WARN {out / MANIFEST}：" in result.output and "已忽略" in result.output
    assert _words(result.output) == ["WARN", "UNCHANGED", "OK", "DONE"]  # 东街乡 kept, 西街乡 made again
    assert len(_manifest_entries(out)[1]) == 2
    assert _words(csv(inputs, "-o", out).output) == ["UNCHANGED", "UNCHANGED", "DONE"]


def test_the_run_keeps_counts_not_outcomes(inputs, tmp_path):
    """Without --json nothing is kept per input (flat memory): only the counts, and whether any input is bad."""
    result = run_csv(sorted(inputs.iterdir()), tmp_path / "导出", record=False)
    assert result.files is None and result.counts["OK"] == 2 and result.total == 2 and result.exit_code == 0
    assert result.to_json()["files"] == []
