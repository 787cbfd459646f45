"""`gkxl merge` as a user runs it, against python-calamine reading the same files, in one run.

gkxl is installed non-editable into a scratch venv (benchmarks/installed.py); every case is a whole fresh
process, cases are interleaved, figures are medians, with each process's peak RSS beside its time.

- a small merge (10 workbooks): `gkxl merge` against one `python -c` reading the sheets gkxl reads of the
  same files (the floor). Target: 3x.
- a large merge (1,000): `gkxl merge` with the default workers and with `-j 1`, against the same floor.
- memory: peak RSS of `gkxl merge` from 500 workbooks to the limit of one merge (2,500). Target: 1.5x.

The township workbooks (distinct units, as a merge requires) are written once into a cache folder.

Usage: python benchmarks/bench_merge.py [--runs 10] [--large 1000] [--large-runs 3]
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_validate import FOLDER, interleaved, needed_sheets, table
from installed import installed, load, run, where

LIMIT = 2500  # gkxl.merge.combine.MAX_INPUTS


def _write(args: tuple[Path, int]) -> None:
    from gkxl.form.model import load_form
    from gkxl.workbook.sample import random_report, write_report

    folder, i = args
    report = random_report(load_form("2021"), random.Random(i), unit=f"第{i:04d}乡人民政府", year=2024)
    write_report(report, folder / f"township-{i:04d}.xlsx")


def township_files(cache: Path, count: int) -> Path:
    """A folder of `count` township workbooks, hard links into one cache of distinct ones."""
    every = cache / "all"
    every.mkdir(parents=True, exist_ok=True)
    missing = [(every, i) for i in range(count) if not (every / f"township-{i:04d}.xlsx").exists()]
    if missing:
        print(f"writing {len(missing)} township workbooks into {every} …", flush=True)
        with ProcessPoolExecutor() as pool:
            list(pool.map(_write, missing, chunksize=16))
    folder = cache / str(count)
    folder.mkdir(exist_ok=True)
    for i in range(count):
        name = f"township-{i:04d}.xlsx"
        if not (folder / name).exists():
            os.link(every / name, folder / name)
    return folder


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10, help="runs of the small merge")
    parser.add_argument("--small", type=int, default=10)
    parser.add_argument("--large", type=int, default=1000)
    parser.add_argument("--large-runs", type=int, default=3)
    parser.add_argument("--memory", type=int, nargs=2, default=[500, LIMIT])
    parser.add_argument("--dir", type=Path, default=Path(tempfile.gettempdir()) / "gkxl-bench-merge")
    args = parser.parse_args()
    python = installed()
    gkxl, sheets = str(python.parent / "gkxl"), needed_sheets()
    print(f"{os.cpu_count()} CPUs, load average {load()} at start; {where(python)}")
    with tempfile.TemporaryDirectory() as tmp:
        out = str(Path(tmp) / "汇总.xlsx")
        floor = "python-calamine, the sheets gkxl reads, one process (floor)"

        small = township_files(args.dir, args.small)
        cases = {
            floor: [str(python), "-c", FOLDER, str(small), *sheets],
            "`gkxl merge`": [gkxl, "merge", str(small), "-o", out],
        }
        table(
            f"A small merge, {args.small} workbooks (median of {args.runs} runs):", interleaved(cases, args.runs), floor
        )

        large = township_files(args.dir, args.large)
        cases = {
            floor: [str(python), "-c", FOLDER, str(large), *sheets],
            "`gkxl merge` (default: every core)": [gkxl, "merge", str(large), "-o", out],
            "`gkxl merge -j 1`": [gkxl, "merge", str(large), "-o", out, "-j", "1"],
        }
        rows = interleaved(cases, args.large_runs)
        table(f"A merge of {args.large} workbooks (median of {args.large_runs} runs):", rows, floor, per=args.large)

        memory = {n: [gkxl, "merge", str(township_files(args.dir, n)), "-o", out] for n in args.memory}
        print(f"\nPeak memory of `gkxl merge` (one run each, load average {load()}):")
        print("| workbooks | wall | peak RSS |\n|---|---|---|")
        peaks = {}
        for n, cmd in memory.items():
            wall, peaks[n], _ = run(cmd)
            print(f"| {n} | {wall:.2f} s | {peaks[n]:.0f} MiB |")
        first, last = args.memory
        print(f"{last} workbooks use {peaks[last] / peaks[first]:.2f}x the peak memory of {first} (target <= 1.5x)")


if __name__ == "__main__":
    main()
