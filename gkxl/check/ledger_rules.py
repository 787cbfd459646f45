"""The ledger rules (L-*): each 表三 / 表四 cell against its count over the workbook's 台账, for the report's year.

Only a ledger with rows is compared (an empty one means the office does not keep it). A bad ledger row is
an error of its own (L-ROW, at its cell) and then nothing is compared: the counts would be guesses.
"""

from __future__ import annotations

import zipfile

from gkxl.check.findings import Finding
from gkxl.errors import GkxlError
from gkxl.ledger.count import Tally, tally
from gkxl.ledger.rows import Ledger
from gkxl.ledger.spec import APPEAL_SHEET, APPLY_SHEET, appeal_spec, apply_spec, has_ledger
from gkxl.read.reader import Report

MAX_NUMBERS = 5  # 编号 named in a message


def _numbers(numbers: list[str]) -> str:
    if not numbers:
        return ""
    more = f"等 {len(numbers)} 件" if len(numbers) > MAX_NUMBERS else ""
    return f"（台账编号 {'、'.join(numbers[:MAX_NUMBERS])}{more}）"


def _row_findings(ledger: Ledger) -> list[Finding]:
    return [
        Finding("L-ROW", "error", b.sheet, f"{b.column}{b.row}" if b.column else "A1", "", str(b)) for b in ledger.bad
    ]


def compare(report: Report, counts: Tally) -> list[Finding]:
    """An error for every table cell whose reported value (a blank counts as 0) differs from its count."""
    form = report.form
    rule = {"apply": apply_spec(form).rule, "appeal": appeal_spec(form).rule}
    ledger = {"apply": APPLY_SHEET, "appeal": APPEAL_SHEET}
    invalid = {k for k, p in report.problems.items() if p.severity == "error"}
    out = []
    for key, expected in counts.values.items():
        reported = report.values.get(key)
        if key in invalid or (reported or 0) == expected:
            continue
        cell = form.cell(key)
        diff = (reported or 0) - expected
        shown = "未填写" if reported is None else str(reported)
        text = f"填报 {shown}，{ledger[cell.table]} {counts.year} 年计数 {expected}，相差 {diff:+d}"
        text += _numbers(counts.numbers[key])
        out.append(Finding.at(cell, rule[cell.table], "error", text, reported, expected))
    return out


def ledger_findings(report: Report, ledger: Ledger | None = None) -> list[Finding]:
    """The L-* findings of `report`; its ledger is read from its file unless given."""
    form = report.form
    if report.year is None or not has_ledger(form):
        return []
    if ledger is None:
        sheets = tuple(s for s in (APPLY_SHEET, APPEAL_SHEET) if s in report.sheets)
        if report.path is None or not sheets:
            return []
        from gkxl.ledger.read import has_entries, read_ledger

        try:
            if not has_entries(report.path, sheets):
                return []
            ledger = read_ledger(report.path, form, sheets, checked=True)
        except (GkxlError, OSError, zipfile.BadZipFile):
            return []  # the report itself was readable; an unreadable ledger sheet adds nothing to say
    if ledger.bad:
        return _row_findings(ledger)
    return compare(report, tally(form, ledger, report.year))
