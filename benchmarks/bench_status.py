"""`gkxl status` on 1,000 units and 3,000 versions, against a python-calamine read of the same files.

The county: a roster of 1,000 units; each unit sent three versions in turn. The store already holds the first
two versions of every unit (2,000), and the inbox holds each unit's third: `gkxl status` hashes 1,000 files,
reads and validates the 1,000 new ones, records them (3,000 versions in all) and writes its JSON. A second run
finds nothing new (hashes only). Both run as real processes (`python -m gkxl status … --json`), as does the
baseline (`python -c` reading every sheet of the same 1,000 files with python-calamine), interleaved, on a warm
file cache; the store is copied fresh before each first run. Peak memory is the child's maximum RSS.
Target: the first run within 3x of the baseline.

Workbooks are made cheaply: one written by openpyxl, then copied at the zip level with the unit name changed
on its cover and, for later versions, a document title added (so each version has its own SHA-256).

Usage: python benchmarks/bench_status.py [--units 1000] [--runs 3] [--dir /tmp/gkxl-bench-status]
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # measure this tree's gkxl, not an installed one

BASE_UNIT = "第0000乡人民政府"
VERSIONS = 3


def unit_name(i: int) -> str:
    return f"第{i:04d}乡人民政府"


def _base(folder: Path) -> dict[str, bytes]:
    from gkxl.form.model import load_form
    from gkxl.workbook.sample import random_report, write_report

    path = folder / "base.xlsx"
    if not path.exists():
        write_report(random_report(load_form("2021"), random.Random(1), unit=BASE_UNIT, year=2024), path)
    with zipfile.ZipFile(path) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def _escaped(text: str) -> bytes:
    return text.encode("ascii", "xmlcharrefreplace")  # openpyxl writes inline strings as character references


def _cover_part(parts: dict[str, bytes]) -> str:
    return next(name for name, data in parts.items() if _escaped(BASE_UNIT) in data)


def _write(parts: dict[str, bytes], path: Path, unit: str, version: int) -> None:
    cover = _cover_part(parts)
    core = parts["docProps/core.xml"].decode()
    if version:
        core = core.replace("</cp:coreProperties>", f"<dc:title>v{version}</dc:title></cp:coreProperties>")
    changed = {cover: parts[cover].replace(_escaped(BASE_UNIT), _escaped(unit)), "docProps/core.xml": core.encode()}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for name, data in parts.items():
            out.writestr(name, changed.get(name, data))


def county(folder: Path, units: int) -> tuple[Path, list[Path]]:
    """The roster and one inbox per version round: 名册.csv, v0/, v1/, v2/."""
    folder.mkdir(parents=True, exist_ok=True)
    parts = _base(folder)
    roster = folder / "名册.csv"
    with open(roster, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["单位代码", "单位名称", "别名", "单位类型", "上级单位", "联系人", "联系电话"])
        writer.writerows([["", unit_name(i), "", "乡镇人民政府", "某县", "", ""] for i in range(units)])
    inboxes = []
    for version in range(VERSIONS):
        inbox = folder / f"v{version}"
        inboxes.append(inbox)
        if inbox.exists() and len(list(inbox.iterdir())) == units:
            continue
        print(f"writing {units} workbooks into {inbox} …", flush=True)
        inbox.mkdir(exist_ok=True)
        for i in range(units):
            _write(parts, inbox / f"{unit_name(i)}.xlsx", unit_name(i), version)
    return roster, inboxes


BASELINE = """
import sys
from pathlib import Path
from python_calamine import CalamineWorkbook
for path in sorted(Path(sys.argv[1]).iterdir()):
    book = CalamineWorkbook.from_path(str(path))
    for name in book.sheet_names:
        book.get_sheet_by_name(name).to_python()
    book.close()
"""


def run(command: list[str]) -> tuple[float, float, int]:
    """(wall seconds, CPU seconds, peak RSS in MiB) of a child process; its CPU time includes the worker
    processes it waited for (Linux)."""
    start = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        raise SystemExit(f"failed: {' '.join(command)}\n{child.stderr.read().decode()}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss // 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--dir", type=Path, default=Path(tempfile.gettempdir()) / "gkxl-bench-status")
    args = parser.parse_args()
    roster, inboxes = county(args.dir / str(args.units), args.units)
    python = sys.executable
    with tempfile.TemporaryDirectory() as tmp:
        seeded = Path(tmp) / "seeded.sqlite"  # the first two versions of every unit
        for inbox in inboxes[:-1]:
            run([python, "-m", "gkxl", "status", str(inbox), "--roster", str(roster), "--db", str(seeded), "--json"])
        db = Path(tmp) / "store.sqlite"

        def first_run(*extra: str):
            def timed() -> tuple[float, float, int]:
                for suffix in ("", "-wal", "-shm"):
                    Path(str(db) + suffix).unlink(missing_ok=True)
                shutil.copyfile(seeded, db)
                return status(db, *extra)

            return timed

        def status(store: Path, *extra: str) -> tuple[float, float, int]:
            return run([python, "-m", "gkxl", "status", str(inboxes[-1]), "--roster", str(roster),
                        "--db", str(store), "--json", *extra])  # fmt: skip

        cases = {
            "python-calamine: read every sheet": lambda: run([python, "-c", BASELINE, str(inboxes[-1])]),
            f"gkxl status: {args.units:,} new of {VERSIONS * args.units:,} versions": first_run(),
            "  the same, 1 process (-j 1)": first_run("-j", "1"),
            "gkxl status again: nothing new": lambda: status(db),
        }
        run([python, "-c", BASELINE, str(inboxes[-1])])  # warm the file cache
        times: dict[str, list[tuple[float, float, int]]] = {name: [] for name in cases}
        for _ in range(args.runs):
            for name, fn in cases.items():
                times[name].append(fn())
        import sqlite3

        with sqlite3.connect(db) as con:
            stored = con.execute("SELECT COUNT(*) FROM versions").fetchone()[0]
    wall = {name: statistics.median(w for w, _, _ in t) for name, t in times.items()}
    cpu = {name: statistics.median(c for _, c, _ in t) for name, t in times.items()}
    rss = {name: max(m for _, _, m in t) for name, t in times.items()}
    base = "python-calamine: read every sheet"
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"{args.units} units, {stored} versions in the store, {os.cpu_count()} CPUs, load average {load}, "
          f"median of {args.runs} runs (each a new process)")  # fmt: skip
    print(f"{'case':44} {'wall':>7} {'ratio':>6} {'CPU':>7} {'ratio':>6} {'peak RSS':>9}")
    for name in cases:
        print(
            f"{name:44} {wall[name]:6.2f}s {wall[name] / wall[base]:5.2f}x"
            f" {cpu[name]:6.2f}s {cpu[name] / cpu[base]:5.2f}x {rss[name]:6d} MiB"
        )


if __name__ == "__main__":
    main()
