"""The two ledger sheets of the template (依申请台账, 复议诉讼台账), laid out for data entry, each with a block
of COUNTIFS formulas beside it that shows what 表三 / 表四 should be (Excel 2007+, WPS, LibreOffice).

The block mirrors the table it counts for: one row per table row (or 表四 case type), one column per
table column, so `block_cells` maps every table cell to the block cell holding its count; the 校验 sheet's
L rows compare the two. The formulas read whole columns, so rows the clerk adds anywhere are counted.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from gkxl.form.model import Form, column_letters
from gkxl.ledger.spec import APPEAL_HEADERS, APPEAL_SHEET, APPLY_HEADERS, APPLY_SHEET, appeal_spec, apply_spec
from gkxl.workbook.styles import absolute_ref, print_setup, protect

if TYPE_CHECKING:
    from openpyxl import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

    from gkxl.ledger.count import Tally
    from gkxl.ledger.rows import Ledger

ENTRY_ROWS = 5000  # dropdowns and date checks cover this many rows; the formulas count every row
FIRST_DATE, LAST_DATE = "1990-01-01", "2099-12-31"
DATE_FORMAT = "yyyy-mm-dd"
HEADER_FILL, BLOCK_FILL = "FFDDEBF7", "FFF2F2F2"
APPLY_WIDTHS = (10, 12, 14, 36, 44, 12, 20)
APPEAL_WIDTHS = (10, 18, 12, 12, 30)
LABEL_WIDTH = 50
BLOCK_NOTE = "以下由公式按台账自动统计（不要修改），应与{table}一致；年度取自封面。"


@dataclass(frozen=True)
class Block:
    """Where a ledger's formula block sits: the year cell, the header row and the first label column."""

    sheet: str
    headers: tuple[str, ...]
    left: int  # 1-based column of the labels

    @property
    def year_cell(self) -> str:
        return f"{column_letters(self.left + 1)}1"

    def column(self, header: str) -> str:
        """'$C:$C': the whole ledger column with this header."""
        letter = column_letters(self.headers.index(header) + 1)
        return f"${letter}:${letter}"


def apply_block() -> Block:
    return Block(APPLY_SHEET, APPLY_HEADERS, len(APPLY_HEADERS) + 2)


def appeal_block() -> Block:
    return Block(APPEAL_SHEET, APPEAL_HEADERS, len(APPEAL_HEADERS) + 2)


HEADER_ROW, FIRST_BLOCK_ROW = 2, 3  # of the block: its column labels, then its first counting row


@cache
def block_cells(form: Form) -> dict[str, tuple[str, str]]:
    """Table cell key -> (ledger sheet, address) of the block cell counting it."""
    out = {}
    apply, block = apply_spec(form), apply_block()
    columns = [key for _, key in apply.applicants] + [apply.total]
    for i, row in enumerate(form.table("apply").row_keys):
        for j, col in enumerate(columns):
            out[apply.cell(row, col).key] = (block.sheet, f"{column_letters(block.left + 1 + j)}{FIRST_BLOCK_ROW + i}")
    appeal, block = appeal_spec(form), appeal_block()
    for i, kind in enumerate(appeal.types):
        cells = [appeal.cells[(kind, r)] for r in appeal.results] + [appeal.totals[kind]]
        for j, cell in enumerate(cells):
            out[cell.key] = (block.sheet, f"{column_letters(block.left + 1 + j)}{FIRST_BLOCK_ROW + i}")
    return out


def _year_formula(form: Form) -> str:
    year = form.meta_cell("year")
    return f'=IFERROR(--SUBSTITUTE({absolute_ref(year.sheet, year.cell)},"年",""),"")'


def _dates(block: Block) -> tuple[str, str]:
    y = f"${block.year_cell[0]}${block.year_cell[1:]}"
    return f"DATE({y},1,1)", f"DATE({y},12,31)"


def _apply_formulas(form: Form, block: Block) -> dict[str, str]:
    """Block address -> formula, for every cell of 表三."""
    spec = apply_spec(form)
    kind, got, result, done = (block.column(h) for h in ("申请人类型", "收到日期", "办理结果", "办结日期"))
    start, end = _dates(block)
    label_col = column_letters(block.left)
    rows = form.table("apply").row_keys
    leaves = {key: label for label, key in spec.results}
    leaf_rows = [FIRST_BLOCK_ROW + rows.index(k) for k in leaves]
    out = {}
    for j in range(len(spec.applicants)):
        letter = column_letters(block.left + 1 + j)
        who = f"{kind},{letter}${HEADER_ROW}"
        for i, row in enumerate(rows):
            r = FIRST_BLOCK_ROW + i
            if row == spec.new:
                f = f'COUNTIFS({who},{got},">="&{start},{got},"<="&{end})'
            elif row == spec.carried_in:
                f = f'COUNTIFS({who},{got},"<"&{start})-COUNTIFS({who},{got},"<"&{start},{done},"<"&{start})'
            elif row == spec.carried_out:
                f = f'COUNTIFS({who},{got},"<="&{end})-COUNTIFS({who},{got},"<="&{end},{done},"<="&{end})'
            elif row == spec.closed:
                f = f"SUM({letter}{min(leaf_rows)}:{letter}{max(leaf_rows)})"
            else:
                f = f'COUNTIFS({who},{result},${label_col}{r},{done},">="&{start},{done},"<="&{end})'
            out[f"{letter}{r}"] = f"={f}"
    first, last = column_letters(block.left + 1), column_letters(block.left + len(spec.applicants))
    total = column_letters(block.left + 1 + len(spec.applicants))
    for i in range(len(rows)):
        out[f"{total}{FIRST_BLOCK_ROW + i}"] = f"=SUM({first}{FIRST_BLOCK_ROW + i}:{last}{FIRST_BLOCK_ROW + i})"
    return out


def _appeal_formulas(form: Form, block: Block) -> dict[str, str]:
    spec = appeal_spec(form)
    kind, result, got = (block.column(h) for h in ("类型", "结果", "收到日期"))
    start, end = _dates(block)
    label_col, out = column_letters(block.left), {}
    for i in range(len(spec.types)):
        r = FIRST_BLOCK_ROW + i
        for j in range(len(spec.results)):
            letter = column_letters(block.left + 1 + j)
            f = f'COUNTIFS({kind},${label_col}{r},{result},{letter}${HEADER_ROW},{got},">="&{start},{got},"<="&{end})'
            out[f"{letter}{r}"] = f"={f}"
        first, last = column_letters(block.left + 1), column_letters(block.left + len(spec.results))
        out[f"{column_letters(block.left + 1 + len(spec.results))}{r}"] = f"=SUM({first}{r}:{last}{r})"
    return out


def _header(ws: Worksheet, headers: tuple[str, ...], widths: tuple[int, ...], st: dict) -> None:
    from openpyxl.styles import PatternFill

    fill = PatternFill("solid", fgColor=HEADER_FILL)
    for i, (text, width) in enumerate(zip(headers, widths, strict=True), 1):
        cell = ws.cell(1, i, text)
        cell.font, cell.border, cell.alignment, cell.fill = st["bold"], st["border"], st["center"], fill
        ws.column_dimensions[column_letters(i)].width = width
    last = column_letters(len(headers))
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{last}{ENTRY_ROWS + 1}"


def _entry_columns(ws: Worksheet, block: Block, dates: tuple[str, ...], text: tuple[str, ...]) -> None:
    """The ledger's columns are unlocked (the rest of the sheet is protected); dates shown and checked as
    dates; 编号 is text (so 001 stays 001)."""
    from openpyxl.styles import Protection
    from openpyxl.worksheet.datavalidation import DataValidation

    for i in range(1, len(block.headers) + 1):
        ws.column_dimensions[column_letters(i)].protection = Protection(locked=False)
    for header in text:
        ws.column_dimensions[block.column(header)[1]].number_format = "@"
    for header in dates:
        letter = block.column(header)[1]
        ws.column_dimensions[letter].number_format = DATE_FORMAT
    dv = DataValidation(type="date", operator="between", formula1="DATE(1990,1,1)", formula2="DATE(2099,12,31)")
    dv.allow_blank, dv.showErrorMessage, dv.errorTitle = True, True, "日期有误"
    dv.error = dv.prompt = f"请输入日期，如 2024-03-05（{FIRST_DATE[:4]}—{LAST_DATE[:4]} 年）。"
    for header in dates:
        letter = block.column(header)[1]
        dv.add(f"{letter}2:{letter}{ENTRY_ROWS + 1}")
    ws.add_data_validation(dv)


def _choices(ws: Worksheet, block: Block, header: str, source: str, what: str) -> None:
    """A dropdown of `source` (an inline list "a,b" or a range =$I$5:$I$25) under `header`."""
    from openpyxl.worksheet.datavalidation import DataValidation

    letter = block.column(header)[1]
    dv = DataValidation(type="list", formula1=source, allow_blank=True)
    dv.showErrorMessage, dv.errorTitle = True, "输入有误"
    dv.prompt, dv.promptTitle = f"请从下拉列表中选择{what}。", header
    dv.error = f"{header}只能从下拉列表中选择。"
    dv.add(f"{letter}2:{letter}{ENTRY_ROWS + 1}")
    ws.add_data_validation(dv)


def _write_block(
    ws: Worksheet,
    block: Block,
    form: Form,
    table: str,
    labels: list[str],
    columns: list[str],
    formulas: dict[str, str],
    st: dict,
) -> None:
    from openpyxl.styles import PatternFill

    fill = PatternFill("solid", fgColor=BLOCK_FILL)
    left = block.left
    ws.cell(1, left, "报告年度").font = st["bold"]
    ws[block.year_cell] = _year_formula(form)
    ws[block.year_cell].font, ws[block.year_cell].alignment = st["bold"], st["center"]
    ws.cell(1, left + 2, BLOCK_NOTE.format(table=table)).font = st["font"]
    ws.cell(HEADER_ROW, left, table)
    for j, text in enumerate(columns, 1):
        ws.cell(HEADER_ROW, left + j, text)
    for i, text in enumerate(labels):
        ws.cell(FIRST_BLOCK_ROW + i, left, text)
    for address, formula in formulas.items():
        ws[address] = formula
    for r in range(HEADER_ROW, FIRST_BLOCK_ROW + len(labels)):
        for c in range(left, left + len(columns) + 1):
            cell = ws.cell(r, c)
            cell.border, cell.fill = st["border"], fill
            cell.font = st["bold"] if r == HEADER_ROW or c == left else st["font"]
            cell.alignment = st["left"] if c == left else st["center"]
    ws.column_dimensions[column_letters(left - 1)].width = 3
    ws.column_dimensions[column_letters(left)].width = LABEL_WIDTH
    _fit_rows(ws, labels)
    for j in range(1, len(columns) + 1):
        ws.column_dimensions[column_letters(left + j)].width = 10


def _protect(ws: Worksheet) -> None:
    """Like every gkxl sheet, protected without a password (the labels and the formula block); the clerk
    may still filter, sort and insert or delete rows of the ledger."""
    protect(ws)
    p = ws.protection
    p.autoFilter = p.sort = p.insertRows = p.deleteRows = False


def _fit_rows(ws: Worksheet, labels: list[str]) -> None:
    """Rows tall enough for a wrapped label: neither Excel nor LibreOffice grows a row on open."""
    from math import ceil

    for i, text in enumerate(labels):
        units = sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)  # a CJK character is two columns wide
        lines = ceil(units / (LABEL_WIDTH - 2))
        if lines > 1:
            ws.row_dimensions[FIRST_BLOCK_ROW + i].height = 13.5 * lines


def _print(ws: Worksheet, block: Block) -> None:
    """A4 landscape, fit to width, the header row on every page; the ledger's columns print (the rows the
    dropdowns cover), the formula block does not."""
    print_setup(ws, True, ENTRY_ROWS + 1, len(block.headers))
    ws.print_title_rows = "1:1"


def _apply_sheet(wb: Workbook, form: Form, st: dict) -> None:
    spec, block = apply_spec(form), apply_block()
    ws = wb.create_sheet(APPLY_SHEET)
    _header(ws, APPLY_HEADERS, APPLY_WIDTHS, st)
    _entry_columns(ws, block, ("收到日期", "办结日期"), ("编号",))
    leaves = {key: label for label, key in spec.results}
    table = form.table("apply")
    labels = [leaves.get(row) or table.cell(row, spec.total).row_label for row in table.row_keys]
    columns = [label for label, _ in spec.applicants] + [table.cell(spec.new, spec.total).col_label]
    _write_block(ws, block, form, table.sheet, labels, columns, _apply_formulas(form, block), st)
    _choices(ws, block, "申请人类型", '"' + ",".join(columns[:-1]) + '"', "申请人类型（表三的六类申请人）")
    rows = [FIRST_BLOCK_ROW + table.row_keys.index(k) for k in leaves]
    label = column_letters(block.left)
    _choices(ws, block, "办理结果", f"=${label}${min(rows)}:${label}${max(rows)}", "办理结果（表三的办理结果各项）")
    _print(ws, block)
    _protect(ws)


def _appeal_sheet(wb: Workbook, form: Form, st: dict) -> None:
    spec, block = appeal_spec(form), appeal_block()
    ws = wb.create_sheet(APPEAL_SHEET)
    _header(ws, APPEAL_HEADERS, APPEAL_WIDTHS, st)
    _entry_columns(ws, block, ("收到日期",), ("编号",))
    table = form.table("appeal")
    columns = [*spec.results, spec.totals[spec.types[0]].col_path[-1]]
    _write_block(ws, block, form, table.sheet, list(spec.types), columns, _appeal_formulas(form, block), st)
    _choices(ws, block, "类型", '"' + ",".join(spec.types) + '"', "案件类型")
    _choices(ws, block, "结果", '"' + ",".join(spec.results) + '"', "结果")
    _print(ws, block)
    _protect(ws)


def add_ledger_sheets(wb: Workbook, form: Form, st: dict) -> None:
    """Append 依申请台账 and 复议诉讼台账 with their formula blocks (forms whose data names the ledger roles)."""
    if "ledger" not in form.checks:
        return
    _apply_sheet(wb, form, st)
    _appeal_sheet(wb, form, st)


def _replace_rows(ws: Worksheet, headers: tuple[str, ...], rows: list[tuple]) -> None:
    from openpyxl.styles import Protection

    unlocked = Protection(locked=False)
    for row in ws.iter_rows(min_row=2, max_row=max(ws.max_row, 2), max_col=len(headers)):
        for cell in row:
            cell.value = None
    for r, values in enumerate(rows, 2):
        for c, value in enumerate(values, 1):
            cell = ws.cell(r, c, value)
            cell.protection = unlocked
            if headers[c - 1].endswith("日期"):
                cell.number_format = DATE_FORMAT


def fill_from_ledger(wb: Workbook, form: Form, counts: Tally, ledger: Ledger | None = None) -> list[str]:
    """Write the counted tables into `wb`; with `ledger` (a separate workbook's), its rows also replace the
    workbook's own ledger rows, so the copy's formula block and L rules agree. Returns the sheets replaced."""
    for key, value in counts.values.items():
        cell = form.cell(key)
        wb[cell.sheet][cell.cell] = value
    if ledger is None:
        return []
    replaced = []
    if ledger.applications is not None and APPLY_SHEET in wb.sheetnames:
        rows = [(a.number, a.received, a.applicant, a.content, a.result, a.closed, a.note) for a in ledger.applications]
        _replace_rows(wb[APPLY_SHEET], APPLY_HEADERS, rows)
        replaced.append(APPLY_SHEET)
    if ledger.cases is not None and APPEAL_SHEET in wb.sheetnames:
        rows = [(c.number, c.kind, c.result, c.received, c.note) for c in ledger.cases]
        _replace_rows(wb[APPEAL_SHEET], APPEAL_HEADERS, rows)
        replaced.append(APPEAL_SHEET)
    return replaced
