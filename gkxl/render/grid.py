"""The neutral grid model of the printed tables: rows of cells with text, spans and a role.

Built from the form definition's layout (gkxl.form.layout), so every label sits where the template puts it and
the HTML and DOCX writers only translate cells into markup. Sheet rows and columns that hold nothing (the
template's spacer row under the title) are dropped; the table title becomes the heading above the table.
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from itertools import pairwise
from typing import TYPE_CHECKING

from gkxl.form.layout import table_labels
from gkxl.form.model import Cell, Form, Table, split_address
from gkxl.read.values import Number, number_text

if TYPE_CHECKING:
    from gkxl.read.reader import Report

ROLES = ("caption", "corner", "column", "row", "value", "blank")
LABEL_CAP = {"row": 16.0, "group": 5.0, "column": 6.0, "corner": 16.0, "caption": 16.0}
MIN_LABEL, MIN_VALUE, PADDING = 2.0, 2.0, 0.8  # in em (one CJK character)


@dataclass(frozen=True)
class GridCell:
    text: str
    row: int  # 0-based position in the grid
    col: int
    rowspan: int
    colspan: int
    role: str  # one of ROLES
    key: str | None = None  # the form cell key of a value

    @property
    def header(self) -> bool:
        return self.role in ("caption", "corner", "column")


@dataclass(frozen=True)
class TableGrid:
    """One table: `rows[i]` lists the cells that start in grid row i, left to right (as HTML writes them)."""

    id: str
    title: str
    n_rows: int
    n_cols: int
    rows: tuple[tuple[GridCell, ...], ...]
    header_rows: int  # leading rows to repeat if the table has to break across pages
    widths: tuple[float, ...]  # ideal column widths in em
    min_widths: tuple[float, ...]

    @property
    def cells(self) -> list[GridCell]:
        return [c for row in self.rows for c in row]


@dataclass(frozen=True)
class ReportGrid:
    """What a rendered report shows: the heading and the three tables."""

    heading: str
    unit: str | None
    year: int | None
    form: Form
    tables: tuple[TableGrid, ...]
    banner: str | None = None  # '校验未通过：…', shown above the tables of a workbook with errors


def text_width(text: str) -> float:
    """Printed width in em: CJK and full-width characters count 1, others ½."""
    return sum(1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.5 for ch in text)


Rectangle = tuple[int, int, int, int, str, str, str | None]  # top, left, bottom, right, text, role, key


def _rectangles(table: Table, values: dict[str, Number | None]) -> list[Rectangle]:
    """(top, left, bottom, right, text, role, key) in sheet coordinates, title excluded."""
    out = [(lb.top, lb.left, lb.bottom, lb.right, lb.text, lb.role, None) for lb in table_labels(table)]
    out = [r for r in out if r[5] != "title"]
    for cell in table.cells:
        row, col = split_address(cell.cell)
        out.append((row, col, row, col + cell.span - 1, value_text(cell, values.get(cell.key)), "value", cell.key))
    return out


def value_text(cell: Cell, value: Number | None) -> str:
    """As `number_text`, but with the fixed decimals a form column asks for (2019 采购总金额: 保留4位小数)."""
    if cell.places and value is not None:
        return format(Decimal(value).quantize(Decimal(1).scaleb(-cell.places)), "f")
    return number_text(value)


def _used(rects, index_top: int, index_bottom: int) -> list[int]:
    return sorted({i for r in rects for i in range(r[index_top], r[index_bottom] + 1)})


def _header_rows(table: Table, rows: list[int]) -> int:
    """A single-section table repeats its column header on a new page; 表二's blocks each have their own."""
    if len(table.sections) != 1:
        return 0
    first_body = min(r.row for r in table.sections[0].rows)
    return sum(1 for r in rows if r < first_body)


def table_grid(table: Table, values: dict[str, Number | None]) -> TableGrid:
    """The grid of one table with `values` (cell key -> number or None) in its value cells."""
    rects = _rectangles(table, values)
    rows, cols = _used(rects, 0, 2), _used(rects, 1, 3)
    row_at, col_at = {r: i for i, r in enumerate(rows)}, {c: i for i, c in enumerate(cols)}
    cells = [
        GridCell(text, row_at[t], col_at[lf], row_at[b] - row_at[t] + 1, col_at[rt] - col_at[lf] + 1, role, key)
        for t, lf, b, rt, text, role, key in rects
    ]
    cells += _gaps(cells, len(rows), len(cols))
    by_row: list[list[GridCell]] = [[] for _ in rows]
    for c in cells:
        by_row[c.row].append(c)
    widths, minimum = _widths(cells, len(cols))
    return TableGrid(
        id=table.id,
        title=table.title,
        n_rows=len(rows),
        n_cols=len(cols),
        rows=tuple(tuple(sorted(r, key=lambda c: c.col)) for r in by_row),
        header_rows=_header_rows(table, rows),
        widths=widths,
        min_widths=minimum,
    )


def _gaps(cells: list[GridCell], n_rows: int, n_cols: int) -> list[GridCell]:
    """Empty cells wherever nothing is placed, so every row is complete; overlapping cells are a form bug."""
    taken: dict[tuple[int, int], GridCell] = {}
    for c in cells:
        for r in range(c.row, c.row + c.rowspan):
            for k in range(c.col, c.col + c.colspan):
                if (r, k) in taken:
                    raise ValueError(f"layout overlap at grid ({r}, {k}): {taken[r, k].text!r} and {c.text!r}")
                taken[r, k] = c
    return [GridCell("", r, k, 1, 1, "blank") for r in range(n_rows) for k in range(n_cols) if (r, k) not in taken]


def _ideal(cell: GridCell) -> float:
    width = text_width(cell.text)
    if cell.role == "value":
        return max(width, MIN_VALUE)
    if cell.role == "blank":
        return MIN_VALUE
    if cell.role == "column" and width >= 4:
        # Column headers wrap onto two even lines like the official form ('商业/企业'), leaving room for labels.
        width = math.ceil(width / 2)
    cap = LABEL_CAP["group" if cell.role == "row" and cell.rowspan > 1 else cell.role]
    # A long label wraps onto several lines; a group label spanning rows has room to wrap downward.
    return max(min(width, cap), MIN_LABEL)


def _widths(cells: list[GridCell], n_cols: int) -> tuple[tuple[float, ...], tuple[float, ...]]:
    ideal, minimum = [MIN_VALUE + PADDING] * n_cols, [MIN_LABEL + PADDING] * n_cols
    for c in cells:
        if c.colspan == 1:
            ideal[c.col] = max(ideal[c.col], _ideal(c) + PADDING)
            if c.role == "value":
                minimum[c.col] = max(minimum[c.col], text_width(c.text) + PADDING)
    return tuple(ideal), tuple(minimum)


def fit_widths(ideal: tuple[float, ...], minimum: tuple[float, ...], total: float) -> list[float]:
    """Share `total` among columns in proportion to their ideal width, never below a column's minimum."""
    fixed: dict[int, float] = {}
    while True:
        free = [i for i in range(len(ideal)) if i not in fixed]
        room = total - sum(fixed.values())
        weight = sum(ideal[i] for i in free)
        share = {i: room * ideal[i] / weight for i in free} if weight else {}
        short = [i for i in free if share[i] < minimum[i]]
        if not short:
            return [fixed.get(i, share.get(i, 0.0)) for i in range(len(ideal))]
        for i in short:
            fixed[i] = minimum[i]
        if len(fixed) == len(ideal):
            return [fixed[i] for i in range(len(ideal))]


def heading(form: Form, unit: str | None, year: int | None) -> str:
    """'城关镇人民政府2024年政府信息公开工作年度报告' (the parts that are known)."""
    return f"{unit or ''}{f'{year}年' if year else ''}{form.cover['title']}"


def report_grid(report: Report, banner: str | None = None) -> ReportGrid:
    """The grid model of a whole report: heading, unit, year and one grid per table, in form order."""
    tables = tuple(table_grid(t, report.values) for t in report.form.tables)
    title = heading(report.form, report.unit, report.year)
    return ReportGrid(title, report.unit, report.year, report.form, tables, banner)


def page_fits(grid: TableGrid, text_width_em: float) -> bool:
    """Whether the table's columns fit a text block `text_width_em` wide without squeezing below their minimum."""
    return math.fsum(grid.min_widths) <= text_width_em


# --- pages: where a table too tall for the page is cut, and the group labels repeated -----------------------


def row_lines(grid: TableGrid, widths: list[float]) -> list[int]:
    """Estimated printed lines of each grid row, from its one-row cells' text and the column widths (em)."""
    lines = [1] * grid.n_rows
    for cell in grid.cells:
        if cell.rowspan != 1:
            continue
        room = max(sum(widths[cell.col : cell.col + cell.colspan]) - PADDING, 1.0)
        lines[cell.row] = max(lines[cell.row], math.ceil(text_width(cell.text) / room))
    return lines


def page_breaks(heights: list[float], first: int, room: float, first_room: float) -> list[int]:
    """The body rows (from `first`, the first row after the repeated header) that start a new page: each page
    holds `room` (the first page `first_room`) of height after the header."""
    breaks, used, limit = [], 0.0, first_room
    for row in range(first, len(heights)):
        if used + heights[row] > limit and used > 0:
            breaks.append(row)
            used, limit = 0.0, room
        used += heights[row]
    return breaks


def part(grid: TableGrid, start: int, end: int) -> TableGrid:
    """Grid rows [start, end) under the repeated header rows: a cell cut by a page boundary keeps its text on
    each page, as the official form repeats a group label on a new page."""
    keep = [*range(grid.header_rows), *range(start, end)]
    at = {r: i for i, r in enumerate(keep)}
    cells = []
    for c in grid.cells:
        rows = [r for r in range(c.row, c.row + c.rowspan) if r in at]
        if rows:
            cells.append(GridCell(c.text, at[rows[0]], c.col, len(rows), c.colspan, c.role, c.key))
    by_row: list[list[GridCell]] = [[] for _ in keep]
    for c in cells:
        by_row[c.row].append(c)
    rows_ = tuple(tuple(sorted(r, key=lambda c: c.col)) for r in by_row)
    return TableGrid(grid.id, grid.title, len(keep), grid.n_cols, rows_, grid.header_rows, grid.widths, grid.min_widths)


def split(grid: TableGrid, heights: list[float], room: float, first_room: float) -> list[TableGrid]:
    """The table as one grid per page (just itself when it fits `first_room`)."""
    start = grid.header_rows
    header = sum(heights[:start])
    cuts = page_breaks(heights, start, room - header, first_room - header)
    if not cuts:
        return [grid]
    bounds = [start, *cuts, grid.n_rows]
    return [part(grid, a, b) for a, b in pairwise(bounds)]
