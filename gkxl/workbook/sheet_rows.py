"""Append many plain rows to one sheet of a saved workbook, as raw SpreadsheetML.

openpyxl needs about 8 µs per cell to build and save a cell; the per-unit breakdown of a large merge has
hundreds of thousands of cells. The sheet is therefore laid out (header, widths, filter, frozen panes) with
openpyxl, saved, and its data rows are then written straight into the sheet's XML part here. Strings are
inline strings and numbers are written as their exact decimal text, which Excel, WPS, LibreOffice, openpyxl
and python-calamine all read.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from pathlib import Path
from xml.sax.saxutils import escape

from gkxl.form.model import column_index, column_letters
from gkxl.read.package import sheet_part
from gkxl.workbook.styles import wrap_height

Value = str | int | Decimal | None
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _cell(ref: str, value: Value, style: str = "") -> str:
    if isinstance(value, str):
        text = escape(_ILLEGAL_XML.sub("", value))
        return f'<c r="{ref}"{style} t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'
    if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
        raise TypeError(f"unsupported cell value {value!r}")
    text = str(value) if isinstance(value, int) else format(value, "f")
    return f'<c r="{ref}"{style}><v>{text}</v></c>'


def _row(number: int, columns: list[tuple[str, str]], values: Sequence[Value], heights: list) -> str:
    """One row; `columns` (letters, style attribute) per column, `heights` the wrapped columns' (index, width)."""
    # Counts are most of the cells: format them inline, everything else through _cell.
    cells = "".join(
        [
            (f'<c r="{col}{number}"{s}><v>{v}</v></c>' if type(v) is int else _cell(f"{col}{number}", v, s))
            if v is not None
            else ""
            for (col, s), v in zip(columns, values, strict=False)
        ]
    )
    height = wrap_height(values, heights) if heights else None
    tall = f' ht="{height:g}" customHeight="1"' if height else ""
    return f'<row r="{number}"{tall}>{cells}</row>'


def _rows(rows: Sequence[Sequence[Value]], first_row: int, wrapped: dict[int, tuple[str, float]]) -> Iterator[str]:
    """The rows' XML; a cell of a `wrapped` column carries the column's style (as Excel gives a typed cell)."""
    width = max(map(len, rows), default=0)
    columns = [(column_letters(i), f' s="{wrapped[i][0]}"' if i in wrapped else "") for i in range(1, width + 1)]
    heights = [(i - 1, w) for i, (_, w) in wrapped.items()]
    for number, values in enumerate(rows, first_row):
        yield _row(number, columns, values, heights)


def _wrapped_columns(xml: str, styles_xml: str) -> dict[int, tuple[str, float]]:
    """Column (1-based) -> (style, width) of the sheet's columns whose style wraps text (set with openpyxl):
    their cells get that style, and each row the height its text needs, as gkxl.workbook.patch writes them."""
    styles = re.search(r"<cellXfs\b.*?</cellXfs>", styles_xml, re.S)
    xfs = re.findall(r"<xf\b.*?(?:/>|</xf>)", styles.group(0), re.S) if styles else []
    out = {}
    for m in re.finditer(r"<col\b([^>]*)/>", xml):
        attrs = dict(re.findall(r'(\w+)="([^"]*)"', m.group(1)))
        style = attrs.get("style")
        if style is None or not style.isdigit() or int(style) >= len(xfs) or 'wrapText="1"' not in xfs[int(style)]:
            continue
        for i in range(int(attrs["min"]), int(attrs["max"]) + 1):
            out[i] = (style, float(attrs.get("width", 8.43)))
    return out


def append_rows(path: str | Path, sheets: dict[str, Iterable[Sequence[Value]]], first_row: int = 2) -> None:
    """Add rows below the existing rows of each named sheet of the saved workbook at `path` (rewritten in place).
    The rows' XML is streamed into the archive row by row, so memory does not grow with the megabytes of XML."""
    path = Path(path)
    with zipfile.ZipFile(path) as zf:
        parts = {}
        for sheet in sheets:
            part = sheet_part(zf, sheet)
            if part is None:
                raise KeyError(sheet)
            parts[part] = sheet
        entries = [(info, zf.read(info)) for info in zf.infolist()]
        styles = zf.read("xl/styles.xml").decode("utf-8") if "xl/styles.xml" in zf.namelist() else ""
    # Level 1 for the big sheets: megabytes of repetitive XML, and the fastest level still shrinks it tenfold.
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as out:
        for info, content in entries:
            if info.filename not in parts:
                out.writestr(info, content, compress_type=zipfile.ZIP_DEFLATED, compresslevel=6)
                continue
            rows = list(sheets[parts[info.filename]])
            last_row, width = first_row + len(rows) - 1, max(map(len, rows), default=0)
            head, tail = _split(content.decode("utf-8"), last_row, width)
            wrapped = _wrapped_columns(head, styles)
            with out.open(info.filename, "w") as part:
                part.write(head.encode("utf-8"))
                for row in _rows(rows, first_row, wrapped):
                    part.write(row.encode("utf-8"))
                part.write(tail.encode("utf-8"))


def _split(xml: str, last_row: int, width: int) -> tuple[str, str]:
    """The sheet's XML before and after the place for new rows (the end of sheetData), its dimension widened."""
    if "<sheetData/>" in xml or "<sheetData />" in xml:
        xml = re.sub(r"<sheetData\s*/>", "<sheetData></sheetData>", xml, count=1)
    match = re.search(r'<dimension ref="A1(?::([A-Z]+)(\d+))?"\s*/>', xml)
    if match:
        old_col = match.group(1) or "A"
        old_row = int(match.group(2) or 1)
        col = max(width, column_index(old_col))
        ref = f"A1:{column_letters(col)}{max(last_row, old_row)}"
        xml = xml[: match.start()] + f'<dimension ref="{ref}"/>' + xml[match.end() :]
    at = xml.index("</sheetData>")
    return xml[:at], xml[at:]
