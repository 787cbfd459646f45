"""Benchmark `gkxl csv` against the floor: python-calamine reading only the sheets gkxl needs, in the same run.

    python benchmarks/bench_csv.py             # 500, 2,000 and 5,000 workbooks; an unchanged re-run of 10,000
    python benchmarks/bench_csv.py --quick     # 100, 400 and 1,000; a re-run of 2,000

Run it from a normal (non-editable) install, `pip install .` into a scratch environment: an editable install's
import finder adds tens of milliseconds to every Python start. Every workbook is distinct (its own unit name;
identical files are kept once in all.csv). For each count it prints, per file:
- the floor: python-calamine opening each workbook and reading its cover, tables and 上年数据 (what gkxl reads;
  the 校验 sheet, most of a template's cells, is never read), in this process;
- `gkxl csv` as a scheduler starts it (a new process, interpreter start-up included), with its default
  worker processes and with --jobs 1, wall and CPU time, and the ratio to the floor (targets: at most 2x);
- peak memory (RSS) of the largest gkxl process, which must stay flat as the count grows (target: within
  1.5x from the smallest count to the largest).
Then an unchanged re-run of the largest folder (target: under 0.5 s for 10,000 files), median of --rounds.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from gkxl.form.model import load_form
from gkxl.workbook.sample import random_report, write_report

_MEASURE = """
import json, resource, subprocess, sys, time
start = time.perf_counter()
done = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
wall = time.perf_counter() - start
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "rss_kib": usage.ru_maxrss,
                  "code": done.returncode, "err": done.stderr[-2000:].decode("utf-8", "replace")}))
"""


def make_inputs(folder: Path, files: int, distinct: int = 20) -> list[Path]:
    """`files` workbooks, each with its own unit name (rewritten on the cover of one of `distinct` sources)."""
    folder.mkdir(parents=True)
    sources = []
    for i in range(distinct):
        form = load_form("2019" if i % 5 == 4 else "2021")
        report = random_report(form, random.Random(i), unit=f"源{i}乡人民政府", year=2024 if i % 5 != 4 else 2020)
        path = write_report(report, folder.parent / f"src-{i}.xlsx")
        with zipfile.ZipFile(path) as zf:
            sources.append((f"源{i}乡人民政府", [(info, zf.read(info.filename)) for info in zf.infolist()]))
    paths = []
    for n in range(files):
        unit, parts = sources[n % len(sources)]
        path = folder / f"乡镇-{n:05d}.xlsx"
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as out:
            for info, data in parts:
                if info.filename == "xl/worksheets/sheet1.xml":
                    data = data.replace(_xml_text(unit), _xml_text(f"第{n}乡人民政府"))
                out.writestr(info, data)
        paths.append(path)
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


def measure(*args: str) -> dict:
    """One process, as a scheduler starts it: wall and CPU time, and the peak RSS of its largest process."""
    done = subprocess.run([sys.executable, "-c", _MEASURE, *args], capture_output=True, text=True, check=True)
    result = json.loads(done.stdout)
    if result["code"] not in (0, 1):
        sys.exit(f"{' '.join(args)} failed ({result['code']}):\n{result['err']}")
    return result


def gkxl_csv(folder: Path, out: Path, *extra: str) -> dict:
    return measure(sys.executable, "-m", "gkxl", "csv", str(folder), "-o", str(out), *extra)


def link_subset(paths: list[Path], folder: Path) -> Path:
    folder.mkdir()
    for path in paths:
        os.link(path, folder / path.name)
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100/400/1,000 files, a re-run of 2,000")
    parser.add_argument("--rounds", type=int, default=3, help="re-runs timed (median)")
    args = parser.parse_args()
    counts, rerun = ([100, 400, 1000], 2000) if args.quick else ([500, 2000, 5000], 10_000)
    import gkxl

    editable = "site-packages" not in gkxl.__file__
    print(f"gkxl csv, Python {sys.version.split()[0]}, {os.cpu_count()} cores, gkxl from {gkxl.__file__}"
          + ("  (EDITABLE INSTALL: start-up figures are inflated)" if editable else ""))  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        every = make_inputs(tmp / "all-inputs", max(rerun, *counts))
        floor(every[:20])  # warm the page cache and the library
        print(f"{'files':>6} {'floor ms/file':>13} {'csv ms/file':>11} {'ratio':>6} {'CPU ratio':>9} "
              f"{'-j 1 ms/file':>12} {'ratio':>6} {'peak RSS':>9}")  # fmt: skip
        peaks = []
        for n in counts:
            folder = link_subset(every[:n], tmp / f"in{n}")
            fw, fc = floor(every[:n])
            default = gkxl_csv(folder, tmp / f"out{n}")
            serial = gkxl_csv(folder, tmp / f"serial{n}", "--jobs", "1")
            peaks.append(max(default["rss_kib"], serial["rss_kib"]))
            print(f"{n:>6} {fw / n * 1000:>13.2f} {default['wall'] / n * 1000:>11.2f} {default['wall'] / fw:>5.2f}x "
                  f"{default['cpu'] / fc:>8.2f}x {serial['wall'] / n * 1000:>12.2f} {serial['wall'] / fw:>5.2f}x "
                  f"{peaks[-1] / 1024:>6.0f} MiB")  # fmt: skip
        print(f"peak RSS from {counts[0]} to {counts[-1]} files: {peaks[-1] / peaks[0]:.2f}x (target <= 1.5x)")
        folder = tmp / "all-inputs"
        gkxl_csv(folder, tmp / "rerun")
        walls = [gkxl_csv(folder, tmp / "rerun")["wall"] for _ in range(args.rounds)]
        print(f"unchanged re-run of {rerun} files: {statistics.median(walls):.2f} s "
              f"(median of {args.rounds}; target < 0.5 s for 10,000)")  # fmt: skip


if __name__ == "__main__":
    main()
