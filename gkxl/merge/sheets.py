"""The extra sheets of a summary workbook: 汇总明细 (per-unit breakdown) and 来源 (provenance).

The reader ignores sheets it does not know, so a summary is still a standard report. 来源 is also read back
when a summary is merged again: its rows (the summary's inputs, and theirs, transitively) are what guards a
higher-level merge against counting a unit twice.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal

from gkxl.errors import ReadError
from gkxl.form.model import Form, column_letters
from gkxl.form.record import Frozen
from gkxl.merge.values import cell_rows

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (merge's path: no pathlib either)
if TYPE_CHECKING:
    from pathlib import Path

DETAIL_SHEET = "汇总明细"
SOURCES_SHEET = "来源"
# A defined name on every summary: it survives the loss of the 来源 sheet, so such a summary is recognised
# (and refused: its parts can no longer be checked against the other inputs).
SUMMARY_MARK = "GKXL_SUMMARY"
MAX_SOURCE_ROWS = 20_000  # rows of 来源 read: far beyond any real merge, and bounded (see Package.check_extent)
# The frozen block a person reads (table, labels, total), one column per unit, then the cell and key for support.
DETAIL_HEADERS = ("工作表", "行标签", "列标签", "合计")
DETAIL_TAIL = ("单元格", "键")
DETAIL_WIDTHS = (7, 36, 14, 9)  # 工作表 fits its header on one line
DETAIL_WRAP = (2, 3)  # the labels wrap: the form's longest row label is ~2.5 times the column's width
TAIL_WIDTHS = (7, 30)
DETAIL_HEADER_HEIGHT = 45  # the unit names wrap onto three lines
SOURCES_FREEZE = "B2"
UNIT_WIDTH = 8  # a 7-digit amount; the unit's name wraps onto the 3-line header
COUNTED_AS_ZERO = "按 0 计（{}）"  # an invalid value summed with --allow-errors
SOURCE_HEADERS = ("序号", "文件名", "SHA-256", "填报单位", "年度", "表式", "错误数", "警告数", "汇总结论", "经由汇总表",
                  "已说明", "说明")  # fmt: skip
SOURCE_WIDTHS = (5, 26, 18, 22, 6, 5, 6, 6, 30, 18, 6, 40)  # the SHA-256 is for machines: only its start shows
SOURCE_WRAP = (2, 4, 9, 10, 12)  # file, unit, verdict, via and 说明 wrap (the SHA-256 does not)
PATH_SEPARATOR = " / "
_SHA = re.compile(r"[0-9a-f]{64}")


class Source(Frozen):
    """One report that went into a summary, as listed in its 来源 sheet (a frozen record, gkxl.form.record)."""

    _fields = ("file", "sha256", "unit", "year", "form", "errors", "warnings", "verdict", "via", "explained",
               "explanations")  # fmt: skip

    def __init__(
        self,
        file: str,
        sha256: str,
        unit: str,
        year: int | None,
        form: str,
        errors: int,
        warnings: int,
        verdict: str,
        via: str = "",  # the summary it came in through; '' for a direct input
        explained: int = 0,  # warnings the clerk confirmed with a 说明 (not counted in `warnings`)
        explanations: str = "",  # those 说明, as 'rule sheet!cell：text；…'
    ) -> None:
        self.__dict__.update(file=file, sha256=sha256, unit=unit, year=year, form=form, errors=errors,
                             warnings=warnings, verdict=verdict, via=via, explained=explained,
                             explanations=explanations)  # fmt: skip

    def replace(self, **changes) -> Source:
        return Source(**{**self.__dict__, **changes})

    def row(self, number: int) -> tuple:
        return (number, self.file, self.sha256, self.unit, self.year, self.form, self.errors, self.warnings,
                self.verdict, self.via, self.explained, self.explanations)  # fmt: skip


def _header(ws, headers: Sequence[str], widths: Sequence[int], wrap: Sequence[int] = ()) -> None:
    """The bold header row and the widths; the `wrap` columns' style wraps text (`append_rows` gives their
    cells that style and each row the height its text needs)."""
    from copy import copy

    from openpyxl.styles import Alignment, Font, PatternFill

    from gkxl.workbook.styles import HEADER_FILL

    ws.append(list(headers))
    first = ws.cell(1, 1)
    first.font, first.fill = Font(bold=True), PatternFill("solid", fgColor=HEADER_FILL)
    first.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for cell in ws[1][1:]:
        cell._style = copy(first._style)  # one style shared by a thousand unit headers: ~50x faster than setting it
    for i in range(len(headers)):
        ws.column_dimensions[column_letters(i + 1)].width = widths[i] if i < len(widths) else UNIT_WIDTH
    for i in wrap:
        ws.column_dimensions[column_letters(i)].alignment = Alignment(wrap_text=True)


def detail_headers(units: Sequence[str]) -> tuple[str, ...]:
    return (*DETAIL_HEADERS, *units, *DETAIL_TAIL)


def detail_widths(units: int) -> tuple[int, ...]:
    return (*DETAIL_WIDTHS, *[UNIT_WIDTH] * units, *TAIL_WIDTHS)


def detail_freeze() -> str:
    """Labels and the total stay in view while scrolling through the units."""
    return f"{column_letters(len(DETAIL_HEADERS) + 1)}2"


def add_detail_sheet(wb, units: Sequence[str], cell_count: int, unit: str | None = None) -> None:
    """The 汇总明细 sheet's header, widths, filter, frozen panes and page setup; its rows are written by
    `detail_rows`. (The openpyxl path; gkxl.workbook.patch writes the same sheet from `detail_headers`,
    `detail_widths` and `detail_freeze`.)"""
    from gkxl.workbook.styles import print_setup

    ws = wb.create_sheet(DETAIL_SHEET)
    headers = detail_headers(units)
    _header(ws, headers, detail_widths(len(units)), DETAIL_WRAP)
    ws.row_dimensions[1].height = DETAIL_HEADER_HEIGHT
    last = column_letters(len(headers))
    ws.auto_filter.ref = f"A1:{last}{cell_count + 1}"
    ws.freeze_panes = detail_freeze()
    # The cell and key are for support: the printout stops at the last unit (a 30-unit county: 3 pages).
    printed = len(DETAIL_HEADERS) + len(units)
    print_setup(ws, True, cell_count + 1, printed, title_rows=(1, 1), unit=unit, center=False)


def _labels(cell) -> tuple[str, str]:
    """The cell's row and column labels as a person names them; 表四 has no row labels: its block (行政复议,
    行政诉讼 / 未经复议直接起诉) stands in the row label."""
    if cell.row_label:
        return cell.row_label, cell.col_label
    return PATH_SEPARATOR.join(cell.col_path[:-1]), cell.col_path[-1]


def detail_rows(
    form: Form,
    totals: dict[str, int | Decimal | None],
    columns: Sequence[dict[str, int | Decimal | None]],
    invalid: Sequence[dict[str, object]] = (),
) -> Iterator[tuple]:
    """One row per statutory cell: its labels, the summary's value, then each unit's value (blank stays blank;
    an invalid value, summed as 0 with --allow-errors, says so), then the cell and key.

    `invalid[i]`: cell key -> what unit i typed, for the cells whose content is not a valid number."""
    invalid = list(invalid) or [{} for _ in columns]
    if len(invalid) != len(columns):
        raise ValueError("detail_rows: one `invalid` per column")
    flawed = [(j, bad) for j, bad in enumerate(invalid) if bad]  # few inputs have invalid cells, if any
    keys = [cell.key for cell in form.cells]
    for cell, units in zip(form.cells, cell_rows(form.id, keys, columns), strict=True):
        for j, bad in flawed:
            if units[j] is None and cell.key in bad:
                units[j] = _counted_as_zero(bad[cell.key])
        yield (cell.sheet, *_labels(cell), totals.get(cell.key), *units, cell.cell, cell.key)


def _counted_as_zero(typed: object) -> str:
    return COUNTED_AS_ZERO.format(f"填报“{typed}”无效" if typed not in (None, "") else "内容无效")


def add_sources_sheet(wb, count: int, unit: str | None = None) -> None:
    """The 来源 sheet's header, widths, filter and page setup; its rows are written by `sources_rows`."""
    from gkxl.workbook.styles import print_setup

    ws = wb.create_sheet(SOURCES_SHEET)
    _header(ws, SOURCE_HEADERS, SOURCE_WIDTHS, SOURCE_WRAP)
    ws.auto_filter.ref = f"A1:{column_letters(len(SOURCE_HEADERS))}{count + 1}"
    ws.freeze_panes = SOURCES_FREEZE
    print_setup(ws, True, count + 1, len(SOURCE_HEADERS), title_rows=(1, 1), unit=unit, center=False)


def sources_rows(sources: Iterable[Source]) -> Iterator[tuple]:
    for number, source in enumerate(sources, 1):
        yield source.row(number)


def note_on_cover(wb, form: Form, lines: Sequence[str]) -> None:
    """Say on the cover that this workbook is a summary (the reader ignores cells it does not know)."""
    from openpyxl.styles import Alignment, Font

    from gkxl.workbook.styles import COVER_HINT, print_setup

    ws = wb[form.cover["sheet"]]
    for row in ws.iter_rows():  # the template's hint: nothing in a summary is to be filled by hand
        for cell in row:
            if isinstance(cell.value, str) and COVER_HINT in cell.value:
                cell.value = cell.value.replace(COVER_HINT, "").strip()
    for text in lines:
        cell = ws.cell(ws.max_row + 1, 1, text)
        ws.merge_cells(start_row=cell.row, start_column=1, end_row=cell.row, end_column=2)
        cell.font, cell.alignment = Font(bold=True, color="FF9C0006"), Alignment(wrap_text=True, vertical="center")
        ws.row_dimensions[cell.row].height = 30
    print_setup(ws, False)  # the print area grows to the new lines


def mark_summary(wb, reports: int) -> None:
    """Put the summary mark on `wb` (its value: how many reports went in)."""
    from openpyxl.workbook.defined_name import DefinedName

    wb.defined_names[SUMMARY_MARK] = DefinedName(SUMMARY_MARK, attr_text=str(reports))


def read_sources(path: str | Path) -> list[Source]:
    """The 来源 rows of a summary workbook ([] when it has no 来源 sheet)."""
    from io import BytesIO

    from python_calamine import CalamineWorkbook

    from gkxl.read.package import load_package

    package = load_package(path, as_given=True)
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


def _damaged(path: str | Path, why: str) -> ReadError:
    return ReadError(f"“{SOURCES_SHEET}”工作表已损坏（{why}），无法确认这份汇总表包含哪些单位，不能再汇总", path)


def _parse_sources(grid: list[list], path: str | Path) -> list[Source]:
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
