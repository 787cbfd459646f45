"""The 上年数据 sheet: last year's figures that the cross-year rules compare with.

The clerk types them once from last year's report, or `gkxl template --previous LAST` copies them.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from gkxl.model import Form
from gkxl.previous_block import BLOCK_FIRST_ROW, BLOCK_YEAR_CELL, previous_cells

if TYPE_CHECKING:
    from openpyxl import Workbook

    from gkxl.reader import Report


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
    protect(ws)


def fill_previous(wb: Workbook, form: Form, last: Report) -> None:
    """Copy last year's figures (from its report) into this workbook's 上年数据 sheet."""
    if not form.previous_sheet:
        return
    ws = wb[form.previous_sheet["sheet"]]
    ws[BLOCK_YEAR_CELL] = last.year
    for prev in previous_cells(form):
        ws[prev.cell] = last.values.get(prev.source.key)


def write_next_year(
    last_path: str | Path, output: str | Path, form_id: str | None = None, xlsm: bool = False
) -> Report:
    """A fresh template for the year after `last_path`'s report: unit, year and 上年数据 filled in.

    Returns last year's report. The form is the one in force for the new year unless `form_id` says otherwise;
    `xlsm` makes the macro-enabled template.
    """
    from gkxl.atomic import atomic_path
    from gkxl.errors import GkxlError
    from gkxl.model import form_for_year, load_form
    from gkxl.reader import read_report

    last = read_report(last_path)
    if last.year is None:
        raise GkxlError("上年报告未填写年度，无法确定本年度", last_path)
    form = load_form(form_id) if form_id else form_for_year(last.year + 1)

    def prepare(wb: Workbook) -> None:
        unit, year = form.meta_cell("unit"), form.meta_cell("year")
        wb[unit.sheet][unit.cell] = last.unit
        wb[year.sheet][year.cell] = last.year + 1
        fill_previous(wb, form, last)

    from gkxl.template import save_standard

    with atomic_path(output) as tmp:
        save_standard(tmp, form, prepare, macros=xlsm)
    return last
