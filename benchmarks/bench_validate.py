"""`gkxl validate` on one workbook, as a whole process, against a bare python-calamine read of the same file.

Both run as fresh interpreter processes, interleaved, in the same run; the figure that matters is the ratio
of the medians (target: at most 2x). Usage: python benchmarks/bench_validate.py [--runs N]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from gkxl.form.model import load_form
from gkxl.workbook.sample import random_report, write_report

BASELINE = (
    "import sys, python_calamine as c; wb = c.CalamineWorkbook.from_path(sys.argv[1]); "
    "[wb.get_sheet_by_name(n).to_python() for n in wb.sheet_names]"
)


# As on a user's machine, Python caches compiled modules: a PYTHONDONTWRITEBYTECODE inherited from the
# environment would make every run recompile gkxl from source and measure the compiler, not gkxl.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def timed(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = write_report(random_report(load_form("2021"), random.Random(1)), Path(tmp) / "report.xlsx")
        commands = {
            "python -c (python-calamine read)": [sys.executable, "-c", BASELINE, str(path)],
            "gkxl validate": [sys.executable, "-m", "gkxl", "validate", str(path)],
        }
        times: dict[str, list[float]] = {name: [] for name in commands}
        for cmd in commands.values():
            timed(cmd)  # warm the file cache and .pyc files
        for _ in range(args.runs):
            for name, cmd in commands.items():
                times[name].append(timed(cmd))
    medians = {name: statistics.median(t) for name, t in times.items()}
    base = medians["python -c (python-calamine read)"]
    print(f"{'command':36} {'median':>9} {'ratio':>6}")
    for name, median in medians.items():
        print(f"{name:36} {median * 1000:7.1f}ms {median / base:5.2f}x")


if __name__ == "__main__":
    main()
