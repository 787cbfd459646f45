"""Check one published or draft report file: its tables (read by gkxl.importer) and its text."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from gkxl.check.findings import Finding, count
from gkxl.errors import GkxlError
from gkxl.report.checks import Limits, check_text
from gkxl.report.tables import against_workbook, unreadable
from gkxl.report.text import ReportText, read_text

if TYPE_CHECKING:
    from gkxl.read.reader import Report

RULE_ORDER = ("R-STRUCTURE", "R-TABLES", "R-FIGURE", "R-LEFTOVER", "R-PART5", "R-PART6", "R-REPEAT", "R-LENGTH")


@dataclass
class ReportCheck:
    path: Path
    unit: str | None = None
    year: int | None = None
    form: str | None = None
    findings: list[Finding] = field(default_factory=list)
    error: GkxlError | None = None  # the file could not be read at all

    @property
    def ok(self) -> bool:
        return self.error is None and count(self.findings, "error") == 0

    @property
    def verdict(self) -> str:
        if self.error:
            return "无法读取"
        errors, warnings = count(self.findings, "error"), count(self.findings, "warning")
        if not errors and not warnings:
            return "通过"
        parts = [f"{n} 处{what}" for n, what in ((errors, "必须修改"), (warnings, "请核实")) if n]
        return ("不通过：" if errors else "通过（有提示）：") + "，".join(parts)

    def to_json(self) -> dict:
        return {
            "path": str(self.path),
            "unit": self.unit,
            "year": self.year,
            "form": self.form,
            "ok": self.ok,
            "verdict": self.verdict,
            **({"error": str(self.error)} if self.error else {}),
            "findings": [f.to_json() for f in self.findings],
        }


def read_report_text(path: str | Path) -> ReportText:
    """A report file's text by parts (raises ReadError for a file that cannot be read)."""
    from gkxl.importer.source import read_source

    return read_text(read_source(Path(path)))


def _tables(imported, path: Path, result: ReportCheck) -> Report | None:
    if imported.error is not None or imported.report is None:
        result.findings.append(unreadable(imported.error, str(path)))
        return None
    return imported.report


def check_report(
    path: str | Path,
    workbook: Report | None = None,
    previous: ReportText | None = None,
    limits: Limits | None = None,
) -> ReportCheck:
    """All R-* checks of one report; `workbook` is the clerk's workbook, `previous` last year's report text."""
    path = Path(path)
    from gkxl.importer import import_report

    result = ReportCheck(path)
    imported = import_report(path)  # reads the file once: its text is checked from the same reading
    if imported.source is None:
        result.error = imported.error
        return result
    text = read_text(imported.source)
    tables = _tables(imported, path, result)
    if tables is not None and workbook is not None:
        result.findings += against_workbook(tables, workbook, str(path))
    basis = tables or workbook
    if basis is not None:
        result.unit, result.year, result.form = basis.unit, basis.year, basis.form.id
    result.findings += check_text(text, path, basis, previous, limits, result.year)
    result.findings.sort(key=lambda f: RULE_ORDER.index(f.rule) if f.rule in RULE_ORDER else len(RULE_ORDER))
    return result
