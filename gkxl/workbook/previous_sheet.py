"""The 上年数据 sheet: last year's figures that the cross-year rules compare with.

The clerk types them once from last year's report, or `gkxl template --previous LAST` copies them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from gkxl.form.model import Form
from gkxl.read.previous_block import BLOCK_FIRST_ROW, BLOCK_YEAR_CELL, previous_cells
from gkxl.workbook.styles import print_setup

if TYPE_CHECKING:
    from openpyxl import Workbook

    from gkxl.read.reader import Report


def add_previous_sheet(wb: Workbook, form: Form, st: dict, protect, validation) -> None:
    """Append the sheet; `protect` and `validation` are the template's own helpers, so it looks the same."""
    if not form.previous_sheet:
        return
    ws = wb.create_sheet(form.previous_sheet["sheet"])
    ws["A1"] = form.previous_sheet["title"]
    ws.merge_cells("A1:B1")
    ws["A1"].font, ws["A1"].alignment = st["title"], st["center"]
    header_row = BLOCK_FIRST_ROW - 1
    year = ws[BLOCK_YEAR_CELL]
    ws.cell(year.row, 1, "上年年度").font = st["bold"]
    for col, text in enumerate(("项目", "上年数值"), 1):
        cell = ws.cell(header_row, col, text)
        cell.font, cell.border, cell.alignment = st["bold"], st["border"], st["center"]
    inputs = [year]
    for prev in previous_cells(form):
        label = ws[f"A{ws[prev.cell].row}"]
        label.value, label.font, label.border, label.alignment = prev.label, st["font"], st["border"], st["left"]
        inputs.append(ws[prev.cell])
        validation(ws, prev.source.kind, [prev.cell])
    for cell in inputs:
        cell.border, cell.font, cell.alignment = st["border"], st["font"], st["center"]
        cell.fill, cell.protection = st["input_fill"], st["unlocked"]
    ws.column_dimensions["A"].width, ws.column_dimensions["B"].width = 56, 12
    print_setup(ws, False, title_rows=(header_row, header_row))
    protect(ws)


def fill_previous(wb: Workbook, form: Form, last: Report) -> None:
    """Copy last year's figures (from its report) into this workbook's 上年数据 sheet."""
    if not form.previous_sheet:
        return
    ws = wb[form.previous_sheet["sheet"]]
    ws[BLOCK_YEAR_CELL] = last.year
    for prev in previous_cells(form):
        ws[prev.cell] = last.values.get(prev.source.key)
