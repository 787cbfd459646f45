"""The standard workbook: a cover sheet and one sheet per statutory table, laid out like the official form.

Input cells are unlocked, validated by kind and named by their key; everything else is locked by sheet
protection without a password.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from gkxl.form.layout import table_extent, table_labels, value_merges
from gkxl.form.model import TEMPLATE_VERSION, Form, Table, column_letters
from gkxl.workbook.checks_sheet import add_checks
from gkxl.workbook.ledger_sheets import add_ledger_sheets
from gkxl.workbook.previous_sheet import add_previous_sheet
from gkxl.workbook.styles import (
    COVER_HINT,
    LINE_PT,
    absolute_ref,
    add_validation,
    cell_styles,
    money_format,
    print_setup,
    protect,
    whole_money,
)

if TYPE_CHECKING:
    from openpyxl import Workbook
    from openpyxl.worksheet.worksheet import Worksheet



def _write_labels(ws: Worksheet, table: Table, st: dict) -> None:
    for label in table_labels(table):
        cell = ws.cell(label.top, label.left, label.text)
        if label.merged:
            ws.merge_cells(start_row=label.top, start_column=label.left, end_row=label.bottom, end_column=label.right)
        if label.role == "title":
            cell.font, cell.alignment = st["title"], st["center"]
            continue
        for r in range(label.top, label.bottom + 1):
            for c in range(label.left, label.right + 1):
                ws.cell(r, c).border = st["border"]
        cell.font = st["bold"] if label.role in ("caption", "column", "corner") else st["font"]
        cell.alignment = st["left"] if label.role in ("caption", "row") else st["center"]


def _write_inputs(ws: Worksheet, table: Table, st: dict) -> None:
    for r1, c1, r2, c2 in value_merges(table):
        for c in range(c1, c2 + 1):
            ws.cell(r1, c).border = st["border"]
        ws.merge_cells(start_row=r1, start_column=c1, end_row=r2, end_column=c2)
    by_kind: dict[str, list[str]] = {}
    for cell in table.cells:
        c = ws[cell.cell]
        c.border, c.font, c.alignment = st["border"], st["font"], st["center"]
        c.fill, c.protection = st["input_fill"], st["unlocked"]
        c.number_format = money_format(cell.places) if cell.kind == "money" else "0"
        by_kind.setdefault(cell.kind, []).append(cell.cell)
    for kind, addresses in by_kind.items():
        add_validation(ws, kind, addresses)
    for cell in table.cells:
        if cell.kind == "money" and not cell.places:
            whole_money(ws, cell.cell)


LABEL_WIDTHS = {3: {1: 22, 2: 22, 3: 40}, 1: {1: 26}, 0: {}}  # by the number of row-label columns


def _size(ws: Worksheet, table: Table) -> None:
    label_cols = min(c.col for s in table.sections for c in s.columns) - 1
    widths = LABEL_WIDTHS.get(label_cols, {})
    for col in range(1, table.width + 1):
        ws.column_dimensions[column_letters(col)].width = widths.get(col, 12 if label_cols else 10)
    ws.row_dimensions[1].height = 28


def _lines(ws: Worksheet, label) -> int:
    from math import ceil

    width = sum(ws.column_dimensions[column_letters(c)].width for c in range(label.left, label.right + 1))
    units = sum(2 if ord(ch) > 0x2E80 else 1 for ch in label.text)  # a CJK character is two columns wide
    return ceil(units / max(width - 1.5, 1))


def _fit_rows(ws: Worksheet, table: Table) -> None:
    """Give a one-row label that wraps the height it needs: neither Excel nor LibreOffice grows the row on
    open. Row labels and column headers alike (2019 表二's 采购总金额 header wraps onto three lines)."""
    needed: dict[int, int] = {}
    for label in table_labels(table):
        if label.role in ("row", "column") and label.top == label.bottom:
            needed[label.top] = max(needed.get(label.top, 1), _lines(ws, label))
    for row, lines in needed.items():
        if lines > 1:
            ws.row_dimensions[row].height = LINE_PT * lines + 2


def _table_sheet(wb: Workbook, table: Table, st: dict) -> None:
    ws = wb.create_sheet(table.sheet)
    _write_labels(ws, table, st)
    _write_inputs(ws, table, st)
    _size(ws, table)
    _fit_rows(ws, table)
    last_row, last_col = table_extent(table)
    print_setup(ws, table.orientation == "landscape", last_row, last_col, title_rows=(1, header_end(table)))
    ws.sheet_view.showGridLines = False
    protect(ws)


def header_end(table: Table) -> int:
    """The last row to repeat on every printed page: the column header of a one-section table (表三, 表四);
    just the title for 表二, whose blocks each have their own header."""
    if len(table.sections) != 1:
        return 1
    return min(r.row for r in table.sections[0].rows) - 1


def _cover_sheet(wb: Workbook, form: Form, st: dict) -> None:
    ws = wb.active
    ws.title = form.cover["sheet"]
    ws["A1"] = form.cover["title"]
    ws.merge_cells("A1:B1")
    ws["A1"].font, ws["A1"].alignment = st["title"], st["center"]
    rows = [(m.cell, m.label + ("（选填）" if m.optional else ""), None) for m in form.meta]
    rows += [(form.cover["form_cell"], "表式", form.id), (form.cover["version_cell"], "模板版本", TEMPLATE_VERSION)]
    for address, label, value in rows:
        cell = ws[address]
        label_cell = ws.cell(cell.row, cell.column - 1, label)
        label_cell.font, label_cell.border = st["bold"], st["border"]
        cell.border, cell.font, cell.alignment = st["border"], st["font"], st["left"]
        if value is None:
            cell.fill, cell.protection = st["input_fill"], st["unlocked"]
        else:
            cell.value = value
    text = f"表式：{form.name}（{form.issued_by}）。{COVER_HINT}"
    note = ws.cell(ws.max_row + 2, 1, text)
    ws.merge_cells(start_row=note.row, start_column=1, end_row=note.row, end_column=2)
    note.font, note.alignment = st["font"], st["left"]
    ws.row_dimensions[note.row].height = 45
    ws.column_dimensions["A"].width, ws.column_dimensions["B"].width = 16, 48
    _year_validation(ws, form)
    _choice_validation(ws, form)
    print_setup(ws, False)
    protect(ws)


def _year_validation(ws: Worksheet, form: Form) -> None:
    from openpyxl.worksheet.datavalidation import DataValidation

    first, last = form.years
    dv = DataValidation(type="whole", operator="between", formula1=str(first), formula2=str(last or 2099))
    dv.error = dv.prompt = f"本表式适用于 {first} 年{'至 ' + str(last) + ' 年' if last else '及以后'}的年度报告。"
    dv.errorTitle, dv.showErrorMessage = "年度有误", True
    dv.add(form.meta_cell("year").cell)
    ws.add_data_validation(dv)


def _choice_validation(ws: Worksheet, form: Form) -> None:
    """A dropdown for every cover cell with a fixed list of options (单位类型)."""
    from openpyxl.worksheet.datavalidation import DataValidation

    for meta in form.meta:
        if not meta.options:
            continue
        dv = DataValidation(type="list", formula1='"' + ",".join(meta.options) + '"', allow_blank=True)
        dv.prompt, dv.promptTitle = f"请从下拉列表中选择{meta.label}。", meta.label
        dv.error, dv.errorTitle, dv.showErrorMessage = f"{meta.label}应为：{'、'.join(meta.options)}", "输入有误", True
        dv.add(meta.cell)
        ws.add_data_validation(dv)


def _names(wb: Workbook, form: Form) -> None:
    from openpyxl.workbook.defined_name import DefinedName

    from gkxl.read.previous_block import previous_cells

    named = [(c.key, c.sheet, c.cell) for c in form.cells]
    named += [(p.key, p.sheet, p.cell) for p in previous_cells(form)]
    named += [(f"meta_{m.key}", m.sheet, m.cell) for m in form.meta]
    for name, sheet, address in named:
        wb.defined_names[name] = DefinedName(name, attr_text=absolute_ref(sheet, address))


def build_workbook(form: Form) -> Workbook:
    """The standard template of `form`, as an openpyxl workbook (not yet saved)."""
    from openpyxl import Workbook

    wb = Workbook()
    st = cell_styles()
    _cover_sheet(wb, form, st)
    for table in form.tables:
        _table_sheet(wb, table, st)
    add_previous_sheet(wb, form, st, protect, add_validation)
    add_ledger_sheets(wb, form, st)
    _names(wb, form)
    add_checks(wb, form)
    wb.properties.title = f"政府信息公开工作年度报告（表式 {form.id}）"
    wb.properties.creator = "gkxl"
    return wb
