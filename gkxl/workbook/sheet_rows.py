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
from collections.abc import Iterable, Sequence
from decimal import Decimal
from pathlib import Path
from xml.sax.saxutils import escape

from gkxl.form.model import column_index, column_letters
from gkxl.read.package import sheet_part

Value = str | int | Decimal | None
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _cell(ref: str, value: Value) -> str:
    if isinstance(value, str):
        text = escape(_ILLEGAL_XML.sub("", value))
        return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'
    if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
        raise TypeError(f"unsupported cell value {value!r}")
    text = str(value) if isinstance(value, int) else format(value, "f")
    return f'<c r="{ref}"><v>{text}</v></c>'


def _row(number: int, letters: list[str], values: Sequence[Value]) -> str:
    # Counts are most of the cells: format them inline, everything else through _cell.
    cells = "".join(
        [
            (f'<c r="{col}{number}"><v>{v}</v></c>' if type(v) is int else _cell(f"{col}{number}", v))
            if v is not None
            else ""
            for col, v in zip(letters, values, strict=False)
        ]
    )
    return f'<row r="{number}">{cells}</row>'


def rows_xml(rows: Iterable[Sequence[Value]], first_row: int) -> tuple[str, int, int]:
    """The <row> elements of `rows` starting at `first_row`, with the last row and widest column written."""
    letters: list[str] = []
    parts = []
    row_number, width = first_row - 1, 0
    for row_number, values in enumerate(rows, first_row):
        while len(letters) < len(values):
            letters.append(column_letters(len(letters) + 1))
        width = max(width, len(values))
        parts.append(_row(row_number, letters, values))
    return "".join(parts), row_number, width


def append_rows(path: str | Path, sheets: dict[str, Iterable[Sequence[Value]]], first_row: int = 2) -> None:
    """Add rows below the existing rows of each named sheet of the saved workbook at `path` (rewritten in place)."""
    path = Path(path)
    with zipfile.ZipFile(path) as zf:
        parts = {}
        for sheet in sheets:
            part = sheet_part(zf, sheet)
            if part is None:
                raise KeyError(sheet)
            parts[part] = sheet
        entries = [(info, zf.read(info)) for info in zf.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info, content in entries:
            level = 6
            if info.filename in parts:
                data, last_row, width = rows_xml(sheets[parts[info.filename]], first_row)
                content = _insert(content.decode("utf-8"), data, last_row, width).encode("utf-8")
                level = 1  # megabytes of repetitive XML: the fastest level still shrinks it about tenfold
            out.writestr(info, content, compress_type=zipfile.ZIP_DEFLATED, compresslevel=level)


def _insert(xml: str, data: str, last_row: int, width: int) -> str:
    if "<sheetData/>" in xml or "<sheetData />" in xml:
        xml = re.sub(r"<sheetData\s*/>", "<sheetData></sheetData>", xml, count=1)
    xml = xml.replace("</sheetData>", data + "</sheetData>", 1)
    match = re.search(r'<dimension ref="A1(?::([A-Z]+)(\d+))?"\s*/>', xml)
    if match:
        old_col = match.group(1) or "A"
        old_row = int(match.group(2) or 1)
        col = max(width, column_index(old_col))
        ref = f"A1:{column_letters(col)}{max(last_row, old_row)}"
        xml = xml[: match.start()] + f'<dimension ref="{ref}"/>' + xml[match.end() :]
    return xml
