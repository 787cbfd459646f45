"""PDF import speed (issue 16, issue 19 goal 6): an 8-page PDF imports in under 5 s as a whole command, prints
nothing from the PDF libraries, and uses pdfplumber's table finder only where pdfium's text lines cannot be
placed. The ratio to pypdfium2's own text extraction is measured by benchmarks/bench_import.py."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from shapes import CHROMIUM, long_pdf, print_pdf, render_html

from gkxl.importer import import_report
from gkxl.read.reader import read_report

SAMPLES = Path(__file__).parent / "fixtures" / "samples"
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed")


@needs_chromium
def test_an_8_page_pdf_imports_in_under_5_s_and_prints_no_warnings(tmp_path):
    sample = import_report(SAMPLES / "city-2024-report.pdf").report
    path = long_pdf(sample, tmp_path / "report.pdf")
    import pypdfium2

    assert len(pypdfium2.PdfDocument(str(path))) >= 8
    start = time.perf_counter()
    run = subprocess.run([sys.executable, "-m", "gkxl", "import", str(path), "-o", str(tmp_path / "out")],
                         capture_output=True, text=True, timeout=60)  # fmt: skip
    elapsed = time.perf_counter() - start
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stderr == ""  # no pdfminer/pdfium warnings
    assert elapsed < 5.0, f"{elapsed:.1f} s"
    workbook = read_report(tmp_path / "out" / "report.xlsx")
    assert workbook.values == sample.values and workbook.unit == "淮安市人民政府"
    assert import_report(path).match.reading == "PDF 文字"  # no table finder needed


@needs_chromium
def test_table_finder_only_where_text_lines_cannot_be_placed(tmp_path):
    """The district's hybrid rows printed as empty table cells: pdfium's text has rows without numbers, so
    the text reading is refused and the table cells are read instead, to the same values."""
    sample = import_report(SAMPLES / "district-2024-report.pdf").report
    page = tmp_path / "report.html"
    page.write_text(render_html(sample), encoding="utf-8")
    path = tmp_path / "report.pdf"
    print_pdf(page, path, tmp_path / "chromium")
    result = import_report(path)
    assert result.error is None, result.error
    assert result.match.reading == "PDF 表格"
    assert [c.reading for c in result.candidates[:2]] == ["PDF 文字", "PDF 文字"]
    assert all(c.errors for c in result.candidates[:2])
    assert result.report.values == sample.values
    # pdfminer's font warnings are not printed (a fresh process: pytest would capture log records itself)
    code = f"from gkxl.importer import import_report; assert import_report({str(path)!r}).report"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0 and run.stderr == "", run.stderr[-2000:]
