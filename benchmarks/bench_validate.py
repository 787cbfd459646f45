"""`gkxl validate` as a user runs it, against python-calamine reading the same files, in one run.

gkxl is installed non-editable into a scratch venv (benchmarks/installed.py); every case is a whole fresh
process, cases are interleaved, and the figures are medians, with each process's peak RSS beside its time.

- one file: `gkxl validate ONE.xlsx` against `python -c` reading the sheets gkxl reads (封面, 表二, 表三, 表四,
  上年数据) — the floor —, and reading every sheet (the old baseline, 校验 sheet included). Target: 2x the floor.
- a folder: `gkxl validate FOLDER/` (default workers, and `-j 1`) against one `python -c` process reading the
  needed sheets of every file, per file. Target: 1.5x the floor.
- memory: peak RSS (and wall time) of `gkxl validate FOLDER/` (text and `--json`) on folders of 500, 2,000,
  5,000 and 10,000 workbooks (`--memory-counts`). Target: the largest within 1.5x of the smallest.

Usage: python benchmarks/bench_validate.py [--runs 20] [--count 1000] [--memory-counts 500,2000,5000,10000]
       [--parts one,batch,memory] [--quick]   (--quick: 5 runs, 200 files, memory at 100 and 400)
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from installed import installed, load, run, where

NEEDED = "import sys, python_calamine as c; wb = c.CalamineWorkbook.from_path(sys.argv[1]); " \
    "[wb.get_sheet_by_name(n).to_python() for n in sys.argv[2:] if n in wb.sheet_names]"  # fmt: skip
EVERY = "import sys, python_calamine as c; wb = c.CalamineWorkbook.from_path(sys.argv[1]); " \
    "[wb.get_sheet_by_name(n).to_python() for n in wb.sheet_names]"  # fmt: skip
FOLDER = "\n".join([
    "import os, sys, python_calamine as c",
    "for f in sorted(os.listdir(sys.argv[1])):",
    "    wb = c.CalamineWorkbook.from_path(os.path.join(sys.argv[1], f))",
    "    [wb.get_sheet_by_name(n).to_python() for n in sys.argv[2:] if n in wb.sheet_names]",
    "    wb.close()",
])  # fmt: skip
FLOOR = "`python -c` python-calamine, the sheets gkxl reads (floor)"
BATCH_FLOOR = "python-calamine, the sheets gkxl reads, one process (floor)"


def needed_sheets() -> list[str]:
    from gkxl.form.model import load_form

    form = load_form("2021")
    return [form.cover["sheet"], *(t.sheet for t in form.tables), form.previous_sheet["sheet"]]


def sample_files(folder: Path, count: int, distinct: int = 50) -> Path:
    """`count` workbooks in `folder`: `distinct` random reports, hard-linked round robin (validate does not care
    that contents repeat; writing 10,000 workbooks with openpyxl would take minutes)."""
    from gkxl.form.model import load_form
    from gkxl.workbook.sample import random_report, write_report

    sources = folder.parent / "distinct"
    sources.mkdir(parents=True, exist_ok=True)
    originals = []
    for i in range(distinct):
        path = sources / f"r{i:03d}.xlsx"
        if not path.exists():
            write_report(random_report(load_form("2021"), random.Random(i), unit=f"第{i}乡人民政府", year=2024), path)
        originals.append(path)
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        target = folder / f"township-{i:05d}.xlsx"
        if not target.exists():
            os.link(originals[i % distinct], target)
    return folder


def table(title: str, rows: dict[str, list[tuple[float, float, int]]], base: str, per: int = 1) -> None:
    print(f"\n{title}")
    print(f"| case | median | {'per file | ' if per > 1 else ''}ratio | peak RSS |")
    print(f"|---|---|{'---|' if per > 1 else ''}---|---|")
    floor = statistics.median(w for w, _, _ in rows[base])
    for name, runs in rows.items():
        wall = statistics.median(w for w, _, _ in runs)
        rss = max(m for _, m, _ in runs)
        each = f" {wall / per * 1000:.2f} ms |" if per > 1 else ""
        shown = f"{wall * 1000:.1f} ms" if wall < 1 else f"{wall:.2f} s"
        print(f"| {name} | {shown} |{each} {wall / floor:.2f}x | {rss:.0f} MiB |")


def interleaved(cases: dict[str, list[str]], runs: int) -> dict[str, list[tuple[float, float, int]]]:
    for cmd in cases.values():
        run(cmd)  # warm the file cache and the bytecode
    out: dict[str, list] = {name: [] for name in cases}
    for _ in range(runs):
        for name, cmd in cases.items():
            out[name].append(run(cmd))
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20, help="runs of the one-file cases")
    parser.add_argument("--count", type=int, default=1000, help="files in the batch folder")
    parser.add_argument("--batch-runs", type=int, default=3)
    parser.add_argument("--memory-counts", default="500,2000,5000,10000", help="folder sizes of the memory part")
    parser.add_argument("--quick", action="store_true", help="small counts, few runs: a check, not a measurement")
    parser.add_argument("--dir", type=Path, default=Path(tempfile.gettempdir()) / "gkxl-bench-validate")
    parser.add_argument("--parts", default="one,batch,memory", help="which of one,batch,memory to run")
    args = parser.parse_args()
    if args.quick:
        args.runs, args.count, args.batch_runs, args.memory_counts = 5, 200, 1, "100,400"
    counts = [int(n) for n in args.memory_counts.split(",")]
    parts = args.parts.split(",")
    python = installed()
    gkxl = str(python.parent / "gkxl")
    sheets = needed_sheets()
    one = sample_files(args.dir / "1", 1) / "township-00000.xlsx"
    print(f"{os.cpu_count()} CPUs, load average {load()} at start; {where(python)}")

    if "one" in parts:
        one_file(python, gkxl, one, sheets, args.runs)
    if "batch" in parts:
        batch(python, gkxl, sample_files(args.dir / str(args.count), args.count), sheets, args.batch_runs)
    if "memory" in parts:
        memory(gkxl, {n: sample_files(args.dir / str(n), n) for n in counts})


def one_file(python: Path, gkxl: str, one: Path, sheets: list[str], runs: int) -> None:
    table(
        f"One workbook (median of {runs} runs):",
        interleaved(
            {
                FLOOR: [str(python), "-c", NEEDED, str(one), *sheets],
                "`python -c` python-calamine, every sheet": [str(python), "-c", EVERY, str(one)],
                "`gkxl validate ONE.xlsx`": [gkxl, "validate", str(one)],
            },
            runs,
        ),
        FLOOR,
    )


def batch(python: Path, gkxl: str, batch: Path, sheets: list[str], runs: int) -> None:
    count = len(os.listdir(batch))
    table(
        f"A folder of {count} workbooks (median of {runs} runs):",
        interleaved(
            {
                BATCH_FLOOR: [str(python), "-c", FOLDER, str(batch), *sheets],
                "`gkxl validate FOLDER/` (default: every core)": [gkxl, "validate", str(batch)],
                "`gkxl validate FOLDER/ -j 1`": [gkxl, "validate", str(batch), "-j", "1"],
                "`gkxl validate FOLDER/ --json`": [gkxl, "validate", str(batch), "--json"],
            },
            runs,
        ),
        BATCH_FLOOR,
        per=count,
    )


def memory(gkxl: str, folders: dict[int, Path]) -> None:
    cases = {}
    for n, folder in folders.items():
        cases[f"`gkxl validate` {n} files"] = [gkxl, "validate", str(folder)]
        cases[f"`gkxl validate --json` {n} files"] = [gkxl, "validate", str(folder), "--json"]
    rows = interleaved(cases, 1)
    small, large = min(folders), max(folders)
    print(f"\nPeak memory (one run each): load average {load()}")
    print("| case | wall | per file | peak RSS |\n|---|---|---|---|")
    for name, [(wall, rss, _)] in rows.items():
        n = int(name.split()[-2])
        print(f"| {name} | {wall:.2f} s | {wall / n * 1000:.2f} ms | {rss:.0f} MiB |")
    for kind in ("`gkxl validate`", "`gkxl validate --json`"):
        ratio = rows[f"{kind} {large} files"][0][1] / rows[f"{kind} {small} files"][0][1]
        print(f"{kind}: {large} files use {ratio:.2f}x the peak memory of {small} (target <= 1.5x)")


if __name__ == "__main__":
    main()
