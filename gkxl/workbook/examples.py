"""The bundled example workbooks: three clean townships (2024), one with the typical errors
(with-errors/), and one report on the 2019 form (form-2019/).

Run `python -m gkxl.workbook.examples examples/` to rebuild them (they are committed for the quick start).
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

from gkxl.form.model import load_form
from gkxl.read.reader import Report
from gkxl.workbook.sample import random_report, write_report

CLEAN = [("城关镇人民政府", "chengguan"), ("河口乡人民政府", "hekou"), ("东街街道办事处", "dongjie")]


def _with_errors(report: Report) -> Report:
    """The mistakes clerks make most: totals not updated, 表四 总计 left 0, words in number cells, blanks."""
    v = report.values
    v["apply_granted_total"] += 1  # a row total not updated after a late change
    v["appeal_review_upheld"] += 2  # 表四: parts filled, 总计 left as it was
    v["appeal_review_total"] = 0
    v["apply_new_total"] = None  # the 总计 column left blank
    report.raw["apply_partial_natural"] = "3件"  # a unit typed into a number cell
    v["apply_partial_natural"] = None
    v["active_penalties_decisions"] = None  # not filled in
    return report


def build_examples(outdir: str | Path) -> list[Path]:
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    form = load_form("2021")
    written = []
    for i, (unit, stem) in enumerate(CLEAN):
        report = random_report(form, random.Random(i), unit=unit, year=2024, scale=4)
        written.append(write_report(report, outdir / f"2024-{stem}.xlsx"))
    broken = _with_errors(random_report(form, random.Random(7), unit="石桥镇人民政府", year=2024, scale=4))
    (outdir / "with-errors").mkdir(exist_ok=True)
    written.append(write_report(broken, outdir / "with-errors" / "2024-shiqiao.xlsx"))
    old = random_report(load_form("2019"), random.Random(9), unit="刘楼乡人民政府", year=2020, scale=4)
    (outdir / "form-2019").mkdir(exist_ok=True)
    written.append(write_report(old, outdir / "form-2019" / "2020-liulou.xlsx"))
    return written


if __name__ == "__main__":
    for path in build_examples(sys.argv[1] if len(sys.argv) > 1 else "examples"):
        print(path)
