"""Benchmark `gkxl csv` against the floor: python-calamine reading only the sheets gkxl needs, in the same run.

    python benchmarks/bench_csv.py                    # 500, 2,000, 5,000 and 10,000 workbooks, 3 rounds
    python benchmarks/bench_csv.py --quick            # 100, 400 and 1,000 workbooks, 1 round
    python benchmarks/bench_csv.py --counts 500,10000 --rounds 1

gkxl is installed non-editable into a scratch venv (benchmarks/installed.py; set GKXL_BENCH_VENV to give it a
path of its own) and started as a scheduler starts it: its `gkxl` console script, a new process, interpreter
start-up included. Every workbook is distinct (its own unit name; identical files are kept once in all.csv).
For each count, `--rounds` times, interleaved (floor, default workers, --jobs 1, each into a new OUTDIR):
- the floor: python-calamine opening each workbook and reading its cover, tables and 上年数据 (what gkxl reads;
  the 校验 sheet, most of a template's cells, is never read), in this process;
- `gkxl csv` with its default worker processes and with --jobs 1: wall and CPU time (workers included), and
  the ratios to the floor (target: at most 2x per file);
- peak RSS of the largest gkxl process (main or worker), which must stay flat as the count grows (target:
  within 1.5x from the smallest count to the largest).
Then an unchanged re-run of the largest folder (target: under 0.5 s for 10,000 files), median of the rounds.
Figures are medians; the load average is printed, since the machine may be shared.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import statistics
import sys
import tempfile
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from installed import installed, load, run, where

from gkxl.form.model import load_form
from gkxl.workbook.sample import random_report, write_report


def make_inputs(folder: Path, files: int, distinct: int = 20) -> list[Path]:
    """`files` workbooks, each with its own unit name (rewritten on the cover of one of `distinct` sources).
    Kept in `folder` for the next run of the benchmark (made again if the count differs)."""
    paths = [folder / f"乡镇-{n:05d}.xlsx" for n in range(files)]
    if folder.is_dir() and all(p.exists() for p in paths):
        return paths
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    sources = []
    for i in range(distinct):
        form = load_form("2019" if i % 5 == 4 else "2021")
        report = random_report(form, random.Random(i), unit=f"源{i}乡人民政府", year=2024 if i % 5 != 4 else 2020)
        path = write_report(report, folder.parent / f"src-{i}.xlsx")
        with zipfile.ZipFile(path) as zf:
            sources.append((f"源{i}乡人民政府", [(info, zf.read(info.filename)) for info in zf.infolist()]))
    for n, path in enumerate(paths):
        unit, parts = sources[n % len(sources)]
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as out:
            for info, data in parts:
                if info.filename == "xl/worksheets/sheet1.xml":
                    data = data.replace(_xml_text(unit), _xml_text(f"第{n}乡人民政府"))
                out.writestr(info, data)
    return paths


def _xml_text(text: str) -> bytes:
    """Text as gkxl's writer puts it in sheet XML (non-ASCII as character references)."""
    return "".join(ch if ch.isascii() else f"&#{ord(ch)};" for ch in text).encode()


def needed_sheets() -> set[str]:
    out = set()
    for form_id in ("2021", "2019"):
        form = load_form(form_id)
        out |= {form.cover["sheet"], *(t.sheet for t in form.tables)}
        if form.previous_sheet:
            out.add(form.previous_sheet["sheet"])
    return out


def floor(paths: list[Path]) -> tuple[float, float]:
    """(wall, CPU) seconds for python-calamine to read the sheets gkxl needs from every workbook."""
    from python_calamine import CalamineWorkbook

    wanted = needed_sheets()
    start, cpu = time.perf_counter(), time.process_time()
    for path in paths:
        book = CalamineWorkbook.from_path(str(path))
        for name in book.sheet_names:
            if name in wanted:
                book.get_sheet_by_name(name).to_python()
        book.close()
    return time.perf_counter() - start, time.process_time() - cpu


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def gkxl_csv(gkxl: str, folder: Path, out: Path, *extra: str) -> tuple[float, float, float]:
    """(wall s, CPU s of the process and its workers, peak RSS MiB of the largest of them) of one `gkxl csv`."""
    cpu = children_cpu()
    wall, rss, code = run([gkxl, "csv", str(folder), "-o", str(out), *extra])
    if code not in (0, 1):
        sys.exit(f"gkxl csv {folder} -o {out} {' '.join(extra)} failed with exit code {code}")
    return wall, children_cpu() - cpu, rss


def link_subset(paths: list[Path], folder: Path) -> Path:
    folder.mkdir()
    for path in paths:
        os.link(path, folder / path.name)
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100, 400 and 1,000 files, one round")
    parser.add_argument("--counts", help="comma-separated counts (default 500,2000,5000,10000)")
    parser.add_argument("--rounds", type=int, help="rounds per count (median; default 3, --quick 1)")
    parser.add_argument("--inputs", type=Path, default=Path(tempfile.gettempdir()) / "gkxl-bench-csv-inputs",
                        help="where the generated workbooks are kept between runs")  # fmt: skip
    args = parser.parse_args()
    counts = [int(c) for c in args.counts.split(",")] if args.counts else None
    counts = counts or ([100, 400, 1000] if args.quick else [500, 2000, 5000, 10_000])
    rounds = args.rounds or (1 if args.quick else 3)
    python = installed()
    gkxl = str(python.parent / "gkxl")
    print(f"gkxl csv: {os.cpu_count()} cores, load average {load()} at start; {where(python)}; "
          f"{rounds} round(s), medians")  # fmt: skip
    every = make_inputs(args.inputs / "all", max(counts))
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        floor(every[:50])  # warm the page cache and the library
        print("| files | floor, ms/file | `gkxl csv`, ms/file | ratio | CPU ratio | `--jobs 1`, ms/file | ratio "
              "| CPU ratio | peak RSS |")  # fmt: skip
        print("|---|---|---|---|---|---|---|---|---|")
        peaks = {}
        for n in counts:
            folder = link_subset(every[:n], tmp / f"in{n}")
            got: dict[str, list] = {"floor": [], "default": [], "serial": []}
            for r in range(rounds):
                got["floor"].append(floor(every[:n]))
                got["default"].append(gkxl_csv(gkxl, folder, tmp / f"out{n}-{r}"))
                got["serial"].append(gkxl_csv(gkxl, folder, tmp / f"serial{n}-{r}", "--jobs", "1"))
                shutil.rmtree(tmp / f"out{n}-{r}")
                shutil.rmtree(tmp / f"serial{n}-{r}")
            fw, fc = (statistics.median(x[i] for x in got["floor"]) for i in (0, 1))
            dw, dc = (statistics.median(x[i] for x in got["default"]) for i in (0, 1))
            sw, sc = (statistics.median(x[i] for x in got["serial"]) for i in (0, 1))
            peaks[n] = max(x[2] for x in got["default"] + got["serial"])
            print(f"| {n:,} | {fw / n * 1000:.2f} | {dw / n * 1000:.2f} | {dw / fw:.2f}x | {dc / fc:.2f}x "
                  f"| {sw / n * 1000:.2f} | {sw / fw:.2f}x | {sc / fc:.2f}x | {peaks[n]:.0f} MiB |",
                  flush=True)  # fmt: skip
        low, high = counts[0], counts[-1]
        print(f"peak RSS from {low:,} to {high:,} files: {peaks[high] / peaks[low]:.2f}x (target <= 1.5x)")
        folder = tmp / f"in{high}"
        gkxl_csv(gkxl, folder, tmp / "rerun")
        reruns = [gkxl_csv(gkxl, folder, tmp / "rerun") for _ in range(max(rounds, 3))]
        wall = statistics.median(w for w, _, _ in reruns)
        print(f"unchanged re-run of {high:,} files: {wall:.2f} s, peak RSS {max(m for *_, m in reruns):.0f} MiB "
              f"(median of {len(reruns)}; target < 0.5 s for 10,000); load average {load()} at the end")  # fmt: skip


if __name__ == "__main__":
    main()
