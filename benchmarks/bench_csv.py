"""Benchmark `gkxl csv` against reading the same workbooks with python-calamine, in the same run.

    python benchmarks/bench_csv.py            # 1,000 workbooks
    python benchmarks/bench_csv.py --files 200

Targets (issue 5): converting N workbooks takes at most 3x reading them with python-calamine; a re-run with
nothing changed takes under 1 s for 1,000 files. `gkxl csv` is timed as a real command (a new process, as a
scheduler starts it), so both gkxl figures include interpreter start-up.
"""

from __future__ import annotations

import argparse
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from gkxl.model import load_form  # noqa: E402
from gkxl.sample import random_report, write_report  # noqa: E402


def make_inputs(folder: Path, files: int, distinct: int) -> list[Path]:
    """`distinct` random workbooks (both forms), copied to `files` files with their own names."""
    folder.mkdir()
    sources = []
    for i in range(distinct):
        form = load_form("2019" if i % 5 == 4 else "2021")
        report = random_report(form, random.Random(i), unit=f"第{i}乡人民政府")
        sources.append(write_report(report, folder.parent / f"src-{i}.xlsx"))
    paths = [folder / f"乡镇-{n:04d}.xlsx" for n in range(files)]
    for n, path in enumerate(paths):
        shutil.copyfile(sources[n % distinct], path)
    return paths


def read_with_calamine(paths: list[Path]) -> float:
    from python_calamine import CalamineWorkbook

    start = time.perf_counter()
    for path in paths:
        book = CalamineWorkbook.from_path(str(path))
        for name in book.sheet_names:
            book.get_sheet_by_name(name).to_python()
        book.close()
    return time.perf_counter() - start


def run_gkxl(folder: Path, outdir: Path, *extra: str) -> float:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "gkxl", "csv", str(folder), "-o", str(outdir), *extra],
                          cwd=ROOT, capture_output=True, text=True, encoding="utf-8")  # fmt: skip
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"gkxl csv failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return elapsed


def snapshot(outdir: Path) -> dict[str, int]:
    return {p.name: p.stat().st_mtime_ns for p in outdir.iterdir()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--distinct", type=int, default=40, help="distinct workbooks among the files")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder, outdir = Path(tmp) / "in", Path(tmp) / "out"
        paths = make_inputs(folder, args.files, args.distinct)
        read_with_calamine(paths[:20])  # warm the page cache and the library
        baseline = read_with_calamine(paths)
        convert = run_gkxl(folder, outdir)
        before = snapshot(outdir)
        rerun = run_gkxl(folder, outdir)
        if snapshot(outdir) != before:
            sys.exit("the unchanged re-run wrote files")
        wide = run_gkxl(folder, Path(tmp) / "wide", "--wide")
    n = args.files
    print(f"{n} workbooks ({args.distinct} distinct, forms 2021 and 2019), Python {sys.version.split()[0]}")
    print(f"  python-calamine, read every sheet: {baseline:7.2f} s  ({baseline / n * 1000:.2f} ms/file)")
    print(f"  gkxl csv, convert:                 {convert:7.2f} s  ({convert / n * 1000:.2f} ms/file)  "
          f"ratio {convert / baseline:.2f}x (target <= 3x)")  # fmt: skip
    print(f"  gkxl csv --wide, convert:          {wide:7.2f} s  ratio {wide / baseline:.2f}x")
    print(f"  gkxl csv, re-run, nothing changed: {rerun:7.2f} s  (target < 1 s for 1,000 files)")


if __name__ == "__main__":
    main()
