"""R-TABLES: the three tables of a published report are present and readable (read by gkxl.importer), and
with the clerk's workbook, every value equals the workbook's."""

from __future__ import annotations

from typing import TYPE_CHECKING

from gkxl.check.findings import Finding
from gkxl.read.values import number_text

if TYPE_CHECKING:
    from gkxl.read.reader import Report

MAX_LISTED = 20


def _shown(value) -> str:
    return number_text(value) if value is not None else "空"


def unreadable(error: object, path: str) -> Finding:
    return Finding("R-TABLES", "error", "报告", "", "", f"表格无法读取：{getattr(error, 'message', error)}", path=path)


def against_workbook(tables: Report, workbook: Report, path: str) -> list[Finding]:
    """Every value of the report's tables that differs from the workbook's, cell by cell."""
    if tables.form.id != workbook.form.id:
        message = f"报告的表格为表式 {tables.form.id}，工作簿为表式 {workbook.form.id}，无法逐格核对"
        return [Finding("R-TABLES", "error", "报告", "", "", message, path=path)]
    out = []
    for cell in workbook.form.cells:
        printed, kept = tables.values.get(cell.key), workbook.values.get(cell.key)
        if printed != kept:
            message = f"报告表中为 {_shown(printed)}，工作簿为 {_shown(kept)}"
            out.append(Finding.at(cell, "R-TABLES", "error", message, printed, kept, path=path))
    if len(out) > MAX_LISTED:
        rest = len(out) - MAX_LISTED
        out = [*out[:MAX_LISTED], Finding("R-TABLES", "error", "报告", "", "", f"……另有 {rest} 处不同", path=path)]
    return out
