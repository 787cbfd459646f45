"""`gkxl import` of an 8-page PDF against pypdfium2's text extraction of the same file (issue 19 goal 6).

The PDF is the city sample's report (its prose, then its tables) printed by headless Chromium at run time
(tests/shapes.py). Two figures, both medians of interleaved runs in one run:
- in process: `import_report` (reading, matching both forms, validating; no workbook written) against
  opening the PDF with pypdfium2 and extracting every page's text; the label caches are cleared before
  every import, so no run profits from the one before;
- as processes: `gkxl import FILE -o DIR` (the command a user runs, writing the workbook) against
  `python -c` doing the pypdfium2 extraction, both from the scratch venv gkxl is installed into
  non-editable (benchmarks/installed.py; GKXL_BENCH_VENV names it), with each process's peak RSS.
It also checks that the values are the sample's and that nothing is printed on stderr.

Usage: python benchmarks/bench_import.py [--runs N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))  # the fixture builder
sys.path.insert(0, str(ROOT / "benchmarks"))

from installed import ENV, installed, load, run, where  # noqa: E402

BASELINE = (
    "import sys, pypdfium2 as p; d = p.PdfDocument(sys.argv[1]); "
    "[d[i].get_textpage().get_text_range() for i in range(len(d))]"
)


def extract(path: Path) -> None:
    import pypdfium2

    pdf = pypdfium2.PdfDocument(str(path))
    for i in range(len(pdf)):
        pdf[i].get_textpage().get_text_range()
    pdf.close()


def imported(path: Path) -> None:
    from gkxl.importer import import_report
    from gkxl.importer.text import norm_label

    norm_label.cache_clear()
    import_report(path)


def timed(run) -> float:
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def build(folder: Path) -> tuple[Path, dict]:
    from shapes import long_pdf

    from gkxl.importer import import_report

    sample = import_report(ROOT / "tests" / "fixtures" / "samples" / "city-2024-report.pdf").report
    return long_pdf(sample, folder / "report.pdf"), sample.values


def report(name: str, times: dict[str, list[float]], base: str, peaks: dict[str, list[float]] | None = None) -> None:
    medians = {k: statistics.median(v) for k, v in times.items()}
    print(f"\n{name}")
    for k, m in medians.items():
        rss = f"  peak RSS {max(peaks[k]):5.0f} MiB" if peaks else ""
        print(f"  {k:44} {m * 1000:8.1f} ms {m / medians[base]:6.2f}x{rss}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    python = installed()
    print(f"{os.cpu_count()} CPUs, load average {load()} at start; {where(python)}")
    with tempfile.TemporaryDirectory() as tmp:
        path, values = build(Path(tmp))
        pages = len(__import__("pypdfium2").PdfDocument(str(path)))
        from gkxl.importer import import_report

        result = import_report(path)
        exact = result.report is not None and result.report.values == values
        once = subprocess.run([str(python), "-m", "gkxl", "import", str(path), "-o", tmp], capture_output=True,
                              text=True, env=ENV)  # fmt: skip
        print(
            f"PDF: {pages} pages, {path.stat().st_size // 1024} kB; values exact: {exact}; "
            f"stderr of gkxl import: {len(once.stderr.splitlines())} lines; reading: {result.match.reading}"
        )
        inproc = {"pypdfium2 text extraction": [], "import_report (read, match, validate)": []}
        commands = {
            "python -c (pypdfium2 text extraction)": [str(python), "-c", BASELINE, str(path)],
            "gkxl import (writes the workbook)": [str(python.parent / "gkxl"), "import", str(path), "-o", tmp],
        }
        procs: dict[str, list[float]] = {name: [] for name in commands}
        peaks: dict[str, list[float]] = {name: [] for name in commands}
        extract(path), imported(path)  # warm
        for _ in range(args.runs):
            inproc["pypdfium2 text extraction"].append(timed(lambda: extract(path)))
            inproc["import_report (read, match, validate)"].append(timed(lambda: imported(path)))
            for name, cmd in commands.items():
                wall, peak, _ = run(cmd)
                procs[name].append(wall)
                peaks[name].append(peak)
    report("in process (medians)", inproc, "pypdfium2 text extraction")
    report("as processes (medians)", procs, "python -c (pypdfium2 text extraction)", peaks)
    print(f"load average {load()} at the end")


if __name__ == "__main__":
    main()
