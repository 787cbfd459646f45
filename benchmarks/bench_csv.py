"""Benchmark `gkxl csv` against reading the same workbooks with python-calamine, in the same run.

    python benchmarks/bench_csv.py            # 1,000 workbooks
    python benchmarks/bench_csv.py --files 200

`gkxl csv` with no --jobs converts in one worker process per core when there are >= 48 files to convert;
`--jobs 1` (one process) and `--jobs 2` rows show the difference.

Targets (issue 5): converting N workbooks takes at most 3x reading them with python-calamine; a re-run with
nothing changed takes under 1 s for 1,000 files. `gkxl csv` is timed as a real command (a new process, as a
scheduler starts it), so both gkxl figures include interpreter start-up. Each figure is the best of
--rounds runs (the baseline and gkxl alternate, so both see the same machine load); CPU time (user + system)
is shown too, as it is steadier than wall time on a shared machine.
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

from gkxl.form.model import load_form  # noqa: E402
from gkxl.parallel import default_workers  # noqa: E402
from gkxl.workbook.sample import random_report, write_report  # noqa: E402


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


def read_with_calamine(paths: list[Path], only_form: bool = False) -> tuple[float, float]:
    """(wall, CPU) seconds to open every workbook and read every sheet (or only the cover and the tables,
    the sheets `gkxl csv` reads; the template also has a 上年数据 and a 校验 sheet)."""
    from python_calamine import CalamineWorkbook

    form = load_form()
    wanted = {form.cover["sheet"], *(t.sheet for t in form.tables)}
    start, cpu = time.perf_counter(), time.process_time()
    for path in paths:
        book = CalamineWorkbook.from_path(str(path))
        for name in book.sheet_names:
            if not only_form or name in wanted:
                book.get_sheet_by_name(name).to_python()
        book.close()
    return time.perf_counter() - start, time.process_time() - cpu


def _children_cpu() -> float:
    try:
        import resource
    except ImportError:  # Windows: no CPU figure for child processes
        return float("nan")
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_gkxl(folder: Path, outdir: Path, *extra: str) -> tuple[float, float]:
    """(wall, CPU) seconds of one `gkxl csv` process."""
    start, cpu = time.perf_counter(), _children_cpu()
    done = subprocess.run([sys.executable, "-m", "gkxl", "csv", str(folder), "-o", str(outdir), *extra],
                          cwd=ROOT, capture_output=True, text=True, encoding="utf-8")  # fmt: skip
    elapsed = time.perf_counter() - start, _children_cpu() - cpu
    if done.returncode != 0:
        sys.exit(f"gkxl csv failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return elapsed


def snapshot(outdir: Path) -> dict[str, int]:
    return {p.name: p.stat().st_mtime_ns for p in outdir.iterdir()}


def best(*runs: tuple[float, float]) -> tuple[float, float]:
    return min(r[0] for r in runs), min(r[1] for r in runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--distinct", type=int, default=40, help="distinct workbooks among the files")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    base, form_only, conv, serial, two, wide, rerun = [], [], [], [], [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "in"
        paths = make_inputs(folder, args.files, args.distinct)
        read_with_calamine(paths[:20])  # warm the page cache and the library
        for n in range(args.rounds):
            outdir = Path(tmp) / f"out{n}"
            base.append(read_with_calamine(paths))
            form_only.append(read_with_calamine(paths, only_form=True))
            conv.append(run_gkxl(folder, outdir))
            before = snapshot(outdir)
            rerun.append(run_gkxl(folder, outdir))
            if snapshot(outdir) != before:
                sys.exit("the unchanged re-run wrote files")
            wide.append(run_gkxl(folder, Path(tmp) / f"wide{n}", "--wide"))
            serial.append(run_gkxl(folder, Path(tmp) / f"serial{n}", "--jobs", "1"))
            two.append(run_gkxl(folder, Path(tmp) / f"two{n}", "--jobs", "2"))
            for made in (outdir, *(Path(tmp) / f"{kind}{n}" for kind in ("wide", "serial", "two"))):
                shutil.rmtree(made)
    n = args.files
    (bw, bc), (cw, cc), (ww, wc), (rw, rc) = best(*base), best(*conv), best(*wide), best(*rerun)
    fw, fc = best(*form_only)
    (sw, sc), (tw, tc) = best(*serial), best(*two)
    print(f"{n} workbooks ({args.distinct} distinct, forms 2021 and 2019), Python {sys.version.split()[0]}, "
          f"best of {args.rounds}; default --jobs here: {default_workers(n)}")  # fmt: skip
    print(f"  python-calamine, read every sheet: {bw:6.2f} s wall ({bw / n * 1000:.2f} ms/file), {bc:6.2f} s CPU")
    print(f"  python-calamine, read 封面 and tables: {fw:4.2f} s wall ({fw / n * 1000:.2f} ms/file), {fc:6.2f} s CPU")
    print(f"  gkxl csv, convert:                 {cw:6.2f} s wall ({cw / n * 1000:.2f} ms/file), {cc:6.2f} s CPU  "
          f"ratio {cw / bw:.2f}x wall, {cc / bc:.2f}x CPU (target <= 3x); "
          f"{cw / fw:.2f}x the form sheets only")  # fmt: skip
    print(f"  gkxl csv --wide, convert:          {ww:6.2f} s wall, {wc:6.2f} s CPU  ratio {ww / bw:.2f}x wall")
    print(f"  gkxl csv --jobs 1, convert:        {sw:6.2f} s wall ({sw / n * 1000:.2f} ms/file), {sc:6.2f} s CPU  "
          f"ratio {sw / bw:.2f}x wall")  # fmt: skip
    print(f"  gkxl csv --jobs 2, convert:        {tw:6.2f} s wall ({tw / n * 1000:.2f} ms/file), {tc:6.2f} s CPU  "
          f"ratio {tw / bw:.2f}x wall; {sw / tw:.2f}x faster than --jobs 1")  # fmt: skip
    print(f"  gkxl csv, re-run, nothing changed: {rw:6.2f} s wall, {rc:6.2f} s CPU  (target < 1 s for 1,000 files)")


if __name__ == "__main__":
    main()
