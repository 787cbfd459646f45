"""The extra sheets of a summary workbook: 汇总明细 (per-unit breakdown) and 来源 (provenance).

The reader ignores sheets it does not know, so a summary is still a standard report. 来源 is also read back
when a summary is merged again: its rows (the summary's inputs, and theirs, transitively) are what guards a
higher-level merge against counting a unit twice.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from gkxl.errors import ReadError
from gkxl.form.model import Form, column_letters

DETAIL_SHEET = "汇总明细"
SOURCES_SHEET = "来源"
# A defined name on every summary: it survives the loss of the 来源 sheet, so such a summary is recognised
# (and refused: its parts can no longer be checked against the other inputs).
SUMMARY_MARK = "GKXL_SUMMARY"
MAX_SOURCE_ROWS = 20_000  # rows of 来源 read: far beyond any real merge, and bounded (see Package.check_extent)
DETAIL_HEADERS = ("键", "工作表", "单元格", "行标签", "列标签", "合计")
DETAIL_WIDTHS = (34, 7, 7, 44, 30, 12)
UNIT_WIDTH = 14
SOURCE_HEADERS = ("序号", "文件名", "SHA-256", "填报单位", "年度", "表式", "错误数", "警告数", "汇总结论", "经由汇总表",
                  "已说明", "说明")  # fmt: skip
SOURCE_WIDTHS = (6, 32, 66, 28, 7, 6, 7, 7, 36, 24, 7, 60)
PATH_SEPARATOR = " / "
_SHA = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class Source:
    """One report that went into a summary, as listed in its 来源 sheet."""

    file: str
    sha256: str
    unit: str
    year: int | None
    form: str
    errors: int
    warnings: int
    verdict: str
    via: str = ""  # the summary it came in through; '' for a direct input
    explained: int = 0  # warnings the clerk confirmed with a 说明 (not counted in `warnings`)
    explanations: str = ""  # those 说明, as 'rule sheet!cell：text；…'

    def row(self, number: int) -> tuple:
        return (number, self.file, self.sha256, self.unit, self.year, self.form, self.errors, self.warnings,
                self.verdict, self.via, self.explained, self.explanations)  # fmt: skip


def _header(ws, headers: Sequence[str], widths: Sequence[int]) -> None:
    from copy import copy

    from openpyxl.styles import Alignment, Font, PatternFill

    ws.append(list(headers))
    first = ws.cell(1, 1)
    first.font, first.fill = Font(bold=True), PatternFill("solid", fgColor="FFDDEBF7")
    first.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for cell in ws[1][1:]:
        cell._style = copy(first._style)  # one style shared by a thousand unit headers: ~50x faster than setting it
    for i in range(len(headers)):
        ws.column_dimensions[column_letters(i + 1)].width = widths[i] if i < len(widths) else UNIT_WIDTH


def add_detail_sheet(wb, units: Sequence[str], cell_count: int) -> None:
    """The 汇总明细 sheet's header, widths, filter and frozen panes; its rows are written by `detail_rows`."""
    ws = wb.create_sheet(DETAIL_SHEET)
    _header(ws, (*DETAIL_HEADERS, *units), DETAIL_WIDTHS)
    ws.row_dimensions[1].height = 45
    last = column_letters(len(DETAIL_HEADERS) + len(units))
    ws.auto_filter.ref = f"A1:{last}{cell_count + 1}"
    # Labels and the total stay in view while scrolling through the units.
    ws.freeze_panes = f"{column_letters(len(DETAIL_HEADERS) + 1)}2"


def detail_rows(
    form: Form, totals: dict[str, int | Decimal | None], columns: Sequence[dict[str, int | Decimal | None]]
) -> Iterator[tuple]:
    """One row per statutory cell: its labels, the summary's value, then each unit's value (blank stays blank)."""
    for cell in form.cells:
        paths = (PATH_SEPARATOR.join(cell.row_path), PATH_SEPARATOR.join(cell.col_path))
        yield (cell.key, cell.sheet, cell.cell, *paths, totals.get(cell.key), *(v.get(cell.key) for v in columns))


def add_sources_sheet(wb, count: int) -> None:
    """The 来源 sheet's header, widths and filter; its rows are written by `sources_rows`."""
    ws = wb.create_sheet(SOURCES_SHEET)
    _header(ws, SOURCE_HEADERS, SOURCE_WIDTHS)
    ws.auto_filter.ref = f"A1:{column_letters(len(SOURCE_HEADERS))}{count + 1}"
    ws.freeze_panes = "B2"


def sources_rows(sources: Sequence[Source]) -> Iterator[tuple]:
    for number, source in enumerate(sources, 1):
        yield source.row(number)


def note_on_cover(wb, form: Form, lines: Sequence[str]) -> None:
    """Say on the cover that this workbook is a summary (the reader ignores cells it does not know)."""
    from openpyxl.styles import Alignment, Font

    ws = wb[form.cover["sheet"]]
    for text in lines:
        cell = ws.cell(ws.max_row + 1, 1, text)
        ws.merge_cells(start_row=cell.row, start_column=1, end_row=cell.row, end_column=2)
        cell.font, cell.alignment = Font(bold=True, color="FF9C0006"), Alignment(wrap_text=True, vertical="center")
        ws.row_dimensions[cell.row].height = 30


def mark_summary(wb, reports: int) -> None:
    """Put the summary mark on `wb` (its value: how many reports went in)."""
    from openpyxl.workbook.defined_name import DefinedName

    wb.defined_names[SUMMARY_MARK] = DefinedName(SUMMARY_MARK, attr_text=str(reports))


def read_sources(path: str | Path) -> list[Source]:
    """The 来源 rows of a summary workbook ([] when it has no 来源 sheet)."""
    from io import BytesIO

    from python_calamine import CalamineWorkbook

    from gkxl.read.package import load_package

    path = Path(path)
    package = load_package(path)
    if SOURCES_SHEET not in package.sheet_parts():
        return []
    package.check_extent(SOURCES_SHEET, MAX_SOURCE_ROWS, len(SOURCE_HEADERS))
    book = CalamineWorkbook.from_filelike(BytesIO(package.data))
    try:
        if SOURCES_SHEET not in book.sheet_names:
            return []
        grid = book.get_sheet_by_name(SOURCES_SHEET).to_python(skip_empty_area=False, nrows=MAX_SOURCE_ROWS)
    finally:
        book.close()
    return _parse_sources(grid, path)


def _damaged(path: Path, why: str) -> ReadError:
    return ReadError(f"“{SOURCES_SHEET}”工作表已损坏（{why}），无法确认这份汇总表包含哪些单位，不能再汇总", path)


def _parse_sources(grid: list[list], path: Path) -> list[Source]:
    header = [str(v).strip() for v in grid[0]] if grid else []
    if header[: len(SOURCE_HEADERS)] != list(SOURCE_HEADERS):
        raise _damaged(path, "表头与 gkxl 生成的不符")
    out = []
    for number, row in enumerate(grid[1:], 2):
        row = [*row, *[""] * len(SOURCE_HEADERS)][: len(SOURCE_HEADERS)]
        if all(v in ("", None) for v in row):
            continue
        sha, unit = str(row[2]).strip().lower(), str(row[3]).strip()
        if not _SHA.fullmatch(sha) or not unit:
            raise _damaged(path, f"第 {number} 行缺少 SHA-256 或填报单位")
        out.append(Source(str(row[1]), sha, unit, _int(row[4]), _text(row[5]), _int(row[6]) or 0,
                          _int(row[7]) or 0, str(row[8]), str(row[9] or ""), _int(row[10]) or 0,
                          str(row[11] or "")))  # fmt: skip
    return out


def _int(value: object) -> int | None:
    if isinstance(value, float) and not value.is_integer():  # NaN, inf or a fraction: not a count
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return int(value)
    text = str(value).strip()
    return int(text) if text.isdigit() else None


def _text(value: object) -> str:
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value).strip()
