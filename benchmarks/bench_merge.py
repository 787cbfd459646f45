"""`gkxl merge` of many township workbooks, against just reading the same files with python-calamine.

Both run in this process, interleaved, on the same files (kept in a cache folder between runs, since writing
1,000 workbooks with openpyxl takes a minute). The merge is timed end to end: finding, reading and
validating every input, refusal checks, summing, writing the summary (with 汇总明细 and 来源) and
validating it. It runs once on one core and once with the default worker count, to show whether the
process pool pays. Target: merge (default workers) at most 3x the baseline.

Usage: python benchmarks/bench_merge.py [--count 1000] [--runs 3] [--dir /tmp/gkxl-bench-merge]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # measure this tree's gkxl, not an installed one

from gkxl.form.model import load_form
from gkxl.merge.combine import merge
from gkxl.merge.inputs import check_inputs, default_workers
from gkxl.workbook.sample import random_report, write_report


def _write(args: tuple[Path, int]) -> None:
    folder, i = args
    report = random_report(load_form("2021"), random.Random(i), unit=f"第{i:04d}乡人民政府", year=2024)
    write_report(report, folder / f"township-{i:04d}.xlsx")


def township_files(folder: Path, count: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    missing = [(folder, i) for i in range(count) if not (folder / f"township-{i:04d}.xlsx").exists()]
    if missing:
        print(f"writing {len(missing)} township workbooks into {folder} …", flush=True)
        with ProcessPoolExecutor() as pool:
            list(pool.map(_write, missing, chunksize=16))
    return [folder / f"township-{i:04d}.xlsx" for i in range(count)]


def calamine_read(paths: list[Path]) -> None:
    from python_calamine import CalamineWorkbook

    for path in paths:
        book = CalamineWorkbook.from_path(str(path))
        for name in book.sheet_names:
            book.get_sheet_by_name(name).to_python()
        book.close()


def _cpu() -> float:
    import resource

    return sum(
        r.ru_utime + r.ru_stime for r in map(resource.getrusage, (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    )


def timed(fn) -> tuple[float, float]:
    """(wall, CPU) seconds; CPU includes worker processes. On a busy machine wall time includes waiting for a core."""
    start, cpu = time.perf_counter(), _cpu()
    fn()
    return time.perf_counter() - start, _cpu() - cpu


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--dir", type=Path, default=Path(tempfile.gettempdir()) / "gkxl-bench-merge")
    args = parser.parse_args()
    paths = township_files(args.dir / str(args.count), args.count)
    auto = default_workers(len(paths))
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "汇总.xlsx"

        def run_merge(workers: int):
            return lambda: merge(paths, out, unit="某县", workers=workers)

        cases = {
            "python-calamine: read every sheet": lambda: calamine_read(paths),
            "read + validate only, 1 process": lambda: check_inputs(paths, workers=1),
            "gkxl merge, 1 process": run_merge(1),
            f"gkxl merge, {auto} processes (default)": run_merge(auto),
        }
        calamine_read(paths)  # warm the file cache
        times: dict[str, list[tuple[float, float]]] = {name: [] for name in cases}
        for _ in range(args.runs):
            for name, fn in cases.items():
                times[name].append(timed(fn))
    wall = {name: statistics.median(w for w, _ in t) for name, t in times.items()}
    cpu = {name: statistics.median(c for _, c in t) for name, t in times.items()}
    base = "python-calamine: read every sheet"
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"{len(paths)} workbooks, {os.cpu_count()} CPUs, load average {load}, median of {args.runs} runs")
    print(f"{'case':40} {'wall':>7} {'per file':>9} {'ratio':>6} {'CPU':>7} {'ratio':>6}")
    for name in cases:
        per_file = wall[name] / len(paths) * 1000
        print(
            f"{name:40} {wall[name]:6.2f}s {per_file:7.2f}ms {wall[name] / wall[base]:5.2f}x"
            f" {cpu[name]:6.2f}s {cpu[name] / cpu[base]:5.2f}x"
        )


if __name__ == "__main__":
    main()
