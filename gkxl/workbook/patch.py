"""Write a filled standard workbook without openpyxl: the committed template, its XML parts patched in a zip
stream.

Building the template from the form with openpyxl and saving it costs ~0.4 s per command (the import of
openpyxl alone ~0.2 s); a filled report changes only a few hundred cells of it. So the template that
`gkxl template` builds is committed (`workbook/gkxl-F.xlsx|.xlsm`, shipped in the wheel as
`gkxl/workbook/templates/`; tests/test_template_shipped.py proves each equals a fresh build, part by part),
and a filled workbook is that file with:

- the value of each filled cell put into its `<c>` element (numbers as their exact decimal text, text as an
  inline string, never a formula), the cell's style `s=` kept;
- the unit in the footer of every sheet that has gkxl's footer;
- for a summary: the cover's note lines (a style appended to styles.xml), extra list sheets (汇总明细, 来源:
  header row, widths, filter, frozen panes, page setup, their rows streamed), defined names (the summary
  mark), the docProps subject.

The 校验 sheet's formulas stay as they are: the workbook has `fullCalcOnLoad`, so Excel, WPS and LibreOffice
recalculate them on open. Every other part is copied unchanged. When no committed template is found for the
form (a form added without one), callers fall back to openpyxl (`template_path` returns None).
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterable, Sequence
from decimal import Decimal

from gkxl.form.model import Form, column_index, column_letters, split_address
from gkxl.form.record import Record

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (merge's path)
if TYPE_CHECKING:
    from pathlib import Path
    from typing import IO

Value = str | int | float | Decimal | bool | None

# The copy a built wheel ships (setup.py), else the source tree's workbook/ (a checkout).
_HERE = os.path.dirname(os.path.realpath(__file__))  # no pathlib on merge's path
SHIPPED_TEMPLATES = os.path.join(_HERE, "templates")
SOURCE_TEMPLATES = os.path.join(os.path.dirname(os.path.dirname(_HERE)), "workbook")
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
WORKSHEET_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"
WORKSHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
HIDDEN_LAST = "xlwings.conf"  # the .xlsm's hidden settings sheet stays last, as the openpyxl path leaves it
PART_LEVEL = 3  # deflate level of the template's parts
NOTE_COLOR = "FF9C0006"  # the cover's summary lines: dark red, bold
# Characters XML 1.0 forbids, as a str.translate table (compiling the character-class regex cost ~2 ms a run).
_ILLEGAL_XML = dict.fromkeys([*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0xFFFE, 0xFFFF])
_CELL = re.compile(r'<c r="([A-Z]+)(\d+)"([^>]*?)(?:/>|>(.*?)</c>)', re.S)
_ROW = re.compile(r'<row r="(\d+)"([^>]*?)(?:/>|>(.*?)</row>)', re.S)
_STYLE = re.compile(r'\ss="(\d+)"')
_TEXT = re.compile(r"<t[^>]*>(.*?)</t>", re.S)


def escape(text: str) -> str:
    """Text for XML content (xml.sax.saxutils would import urllib and email: ~40 ms)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def quoteattr(text: str) -> str:
    """An attribute value, quoted."""
    return '"' + escape(text).replace('"', "&quot;").replace("\n", "&#10;").replace("\t", "&#9;") + '"'


_CHARREF = re.compile(r"&#(?:x([0-9a-fA-F]+)|([0-9]+));")
# Character references resolved here, exactly as html.unescape resolves them; any other goes to html.unescape.
_PLAIN_REFS = ((0x20, 0x7F), (0xA0, 0xD800), (0xE000, 0xFDD0), (0xFDF0, 0xFFFE))


class _Other(Exception):
    pass


def _charref(m: re.Match) -> str:
    n = int(m.group(1), 16) if m.group(1) else int(m.group(2))
    if n in (9, 10, 13) or any(lo <= n < hi for lo, hi in _PLAIN_REFS):
        return chr(n)
    raise _Other


def unescape(text: str) -> str:
    """XML text with its entities resolved, as html.unescape gives it. XML without a DTD (gkxl refuses one)
    has only its five named entities and character references: `html` (whose import compiles a large regex)
    is imported only for a reference outside the usual ranges."""
    if "&" not in text:
        return text
    try:
        resolved = _CHARREF.sub(_charref, text) if "&#" in text else text
    except _Other:
        resolved = None
    if resolved is None or "&#" in resolved:  # an unusual reference (or one without its ';')
        import html

        return html.unescape(text)
    return (
        resolved.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&apos;", "'")
        .replace("&amp;", "&")
    )  # fmt: skip


def template_name(form_id: str, macros: bool = False) -> str:
    return f"gkxl-{form_id}.{'xlsm' if macros else 'xlsx'}"


def template_path(form_id: str, macros: bool = False) -> str | None:
    """The committed template of the form: the wheel's copy, else the checkout's workbook/; None if neither."""
    for folder in (SHIPPED_TEMPLATES, SOURCE_TEMPLATES):
        path = os.path.join(folder, template_name(form_id, macros))
        if os.path.isfile(path):
            return path
    return None


# --- cells -----------------------------------------------------------------------------------------------


def clean_text(text: str) -> str:
    """Text as XML can carry it: characters XML 1.0 forbids are dropped."""
    if text.isprintable():  # the usual label or name: no control character (a C-speed test, no table lookups)
        return text
    return text.translate(_ILLEGAL_XML)


def number_text(value: int | float | Decimal) -> str:
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"not a finite number: {value}")
        return format(value, "f")
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError(f"not a finite number: {value}")
    return repr(value)


def _text(value: str) -> str:
    """Text as the content of an inline string (cell_xml's, for the rows of a list sheet)."""
    if value.isprintable() and "&" not in value and "<" not in value and ">" not in value:
        return value
    return escape(clean_text(value))


def cell_xml(ref: str, value: Value, style: str | None = None) -> str:
    """One `<c>` element: a number, a boolean or an inline string (text is never a formula)."""
    s = f' s="{style}"' if style else ""
    if value is None:
        return f'<c r="{ref}"{s}/>'
    if isinstance(value, bool):
        return f'<c r="{ref}"{s} t="b"><v>{int(value)}</v></c>'
    if isinstance(value, (int, float, Decimal)):
        return f'<c r="{ref}"{s}><v>{number_text(value)}</v></c>'
    if not isinstance(value, str):
        value = str(value)
    return f'<c r="{ref}"{s} t="inlineStr"><is><t xml:space="preserve">{escape(clean_text(value))}</t></is></c>'


class RowPatch(Record):
    """What changes in one row: cell values, cell styles (new cells), the height."""

    _fields = ("values", "styles", "height")
    _factories = (("values", dict), ("styles", dict))

    def __init__(
        self, values: dict[int, Value] | None = None, styles: dict[int, int] | None = None, height: float | None = None
    ) -> None:
        self.values = {} if values is None else values  # column index -> value
        self.styles = {} if styles is None else styles  # column index -> cellXfs index (overrides)
        self.height = height


def _patch_row(number: int, attrs: str, body: str, patch: RowPatch) -> str:
    cells: dict[int, str] = {}
    for m in _CELL.finditer(body):
        cells[column_index(m.group(1))] = m.group(0)
    for col, value in patch.values.items():
        ref = f"{column_letters(col)}{number}"
        old = cells.get(col)
        style = patch.styles.get(col)
        if style is None and old is not None:
            found = _STYLE.search(old[: old.index(">")])
            style = int(found.group(1)) if found else None
        cells[col] = cell_xml(ref, value, None if style is None else str(style))
    if patch.height is not None:
        attrs = re.sub(r'\s(?:ht|customHeight)="[^"]*"', "", attrs) + f' ht="{patch.height:g}" customHeight="1"'
    return f'<row r="{number}"{attrs}>' + "".join(cells[c] for c in sorted(cells)) + "</row>"


def patch_cells(xml: str, rows: dict[int, RowPatch]) -> str:
    """The sheet's XML with `rows` applied: cells replaced in place (their style kept unless given), missing
    cells and rows inserted in order, and the dimension widened to cover them."""
    if not rows:
        return xml
    if "</sheetData>" not in xml:  # only a self-closing sheetData lacks it (a test first: compiling costs more)
        xml = re.sub(r"<sheetData\s*/>", "<sheetData></sheetData>", xml, count=1)
    start = xml.index(">", xml.index("<sheetData")) + 1
    end = xml.index("</sheetData>")
    out, pending = [], dict(sorted(rows.items()))
    for m in _ROW.finditer(xml, start, end):
        number = int(m.group(1))
        for r in [r for r in pending if r < number]:
            out.append(_patch_row(r, "", "", pending.pop(r)))
        if number in pending:
            out.append(_patch_row(number, m.group(2), m.group(3) or "", pending.pop(number)))
        else:
            out.append(m.group(0))
    out.extend(_patch_row(r, "", "", p) for r, p in pending.items())
    xml = xml[:start] + "".join(out) + xml[end:]
    last_row = max(rows)
    last_col = max((c for p in rows.values() for c in p.values), default=1)
    return _widen_dimension(xml, last_row, last_col)


def _widen_dimension(xml: str, last_row: int, last_col: int) -> str:
    m = re.search(r'<dimension ref="([A-Z]+\d+)(?::([A-Z]+\d+))?"\s*/>', xml)
    if not m:
        return xml
    row, col = split_address(m.group(2) or m.group(1))
    ref = f"A1:{column_letters(max(col, last_col))}{max(row, last_row)}"
    return xml[: m.start()] + f'<dimension ref="{ref}"/>' + xml[m.end() :]


def sheet_cells(values: dict[str, Value]) -> dict[int, RowPatch]:
    """{'B3': v, …} as row patches."""
    rows: dict[int, RowPatch] = {}
    for address, value in values.items():
        row, col = split_address(address)
        rows.setdefault(row, RowPatch()).values[col] = value
    return rows


def inline_text(body: str | None) -> str | None:
    """The inline-string text of a `<c>` element's content (None when it has none)."""
    texts = _TEXT.findall(body) if body else None
    return unescape("".join(texts)) if texts else None


def max_row(xml: str) -> int:
    at = xml.rfind('<row r="')  # rows are in order: the last one is the highest
    return int(xml[at + 8 : xml.index('"', at + 8)]) if at >= 0 else 0


def add_merge(xml: str, ref: str) -> str:
    at = xml.find('<mergeCells count="')
    if at >= 0:
        digits = at + len('<mergeCells count="')
        end = xml.index('">', digits)
        head = f'<mergeCells count="{int(xml[digits:end]) + 1}"><mergeCell ref="{ref}"/>'
        return xml[:at] + head + xml[end + 2 :]
    at = xml.index("</sheetData>") + len("</sheetData>")
    at = xml.index(">", at) + 1 if xml.startswith("<sheetProtection", at) else at
    return xml[:at] + f'<mergeCells count="1"><mergeCell ref="{ref}"/></mergeCells>' + xml[at:]


# --- footers ---------------------------------------------------------------------------------------------


def footer_section(text: str) -> str:
    """A footer section as gkxl's page setup writes it (9-pt 宋体), `text` already escaped for the footer."""
    from gkxl.workbook.styles import FONT

    return f'&"{FONT},Regular"&9 {text}'


def footer_text(text: str) -> str:
    """Plain text as a footer section shows it ('&' doubled), cleaned for XML."""
    from gkxl.workbook.styles import _escape_footer

    return _escape_footer(clean_text(text))


def footer_xml(left: str) -> str:
    from gkxl.workbook.styles import FOOTER_PAGE

    footer = f"&L{footer_section(left)}&C{footer_section('&A')}&R{footer_section(FOOTER_PAGE)}"
    return (
        f"<headerFooter><oddHeader></oddHeader><oddFooter>{escape(footer)}</oddFooter><evenHeader></evenHeader>"
        "<evenFooter></evenFooter><firstHeader></firstHeader><firstFooter></firstFooter></headerFooter>"
    )


def footer_unit(xml: str, unit: str) -> str:
    """Name the unit on the left of the sheet's footer, if the footer is gkxl's (`styles.footer_unit`)."""
    from gkxl.workbook.styles import FOOTER_PAGE

    start = xml.rfind("<oddFooter>")  # near the end of the sheet: no scan through the 校验 sheet's rows
    end = xml.find("</oddFooter>", start) if start >= 0 else -1
    if end < 0:
        return xml
    start += len("<oddFooter>")
    footer = unescape(xml[start:end])
    right = footer.rfind("&R")
    if right < 0 or not footer.endswith(FOOTER_PAGE) or not footer.startswith("&L"):
        return xml
    center = footer.find("&C")
    if center < 0:
        return xml
    footer = f"&L{footer_section(footer_text(unit))}{footer[center:]}"
    return xml[:start] + escape(footer) + xml[end:]


# --- list sheets -----------------------------------------------------------------------------------------


class ListSheet(Record):
    """A sheet of plain rows below a bold header (汇总明细, 来源): widths, filter, frozen panes, page setup; the
    text of the `wrap` columns wraps (their column style), each row as high as its longest such text needs."""

    _fields = ("name", "headers", "widths", "rows", "row_count", "freeze", "printed_cols", "header_height", "wrap")

    def __init__(
        self,
        name: str,
        headers: Sequence[str],
        widths: Sequence[float],
        rows: Iterable[Sequence[Value]],
        row_count: int,
        freeze: str,  # the first scrolling cell, e.g. 'E2'
        printed_cols: int,  # the print area stops after this column
        header_height: float | None = None,
        wrap: Sequence[int] = (),  # 1-based columns whose text wraps
    ) -> None:
        self.name, self.headers, self.widths, self.rows = name, headers, widths, rows
        self.row_count, self.freeze, self.printed_cols = row_count, freeze, printed_cols
        self.header_height, self.wrap = header_height, tuple(wrap)


def _pane(freeze: str) -> str:
    row, col = split_address(freeze)
    return (
        f'<pane xSplit="{col - 1}" ySplit="{row - 1}" topLeftCell="{freeze}" activePane="bottomRight" '
        'state="frozen"/><selection pane="topRight"/><selection pane="bottomLeft"/>'
        '<selection pane="bottomRight" activeCell="A1" sqref="A1"/>'
    )


def _list_head(sheet: ListSheet, header_style: int, wrap_style: int) -> str:
    width = len(sheet.headers)
    last = f"{column_letters(width)}{sheet.row_count + 1}"
    wrap = f' style="{wrap_style}"'
    cols = "".join(
        f'<col width="{w:g}" customWidth="1"{wrap if i in sheet.wrap else ""} min="{i}" max="{i}"/>'
        for i, w in enumerate(sheet.widths, 1)
    )
    height = f' ht="{sheet.header_height:g}" customHeight="1"' if sheet.header_height else ""
    header = "".join(cell_xml(f"{column_letters(i)}1", h, str(header_style)) for i, h in enumerate(sheet.headers, 1))
    return (
        f'<worksheet xmlns="{MAIN_NS}"><sheetPr><outlinePr summaryBelow="1" summaryRight="1"/>'
        f'<pageSetUpPr fitToPage="1"/></sheetPr><dimension ref="A1:{last}"/><sheetViews>'
        f'<sheetView workbookViewId="0">{_pane(sheet.freeze)}</sheetView></sheetViews>'
        f'<sheetFormatPr baseColWidth="8" defaultRowHeight="15"/><cols>{cols}</cols>'
        f'<sheetData><row r="1"{height}>{header}</row>'
    )


def _list_tail(sheet: ListSheet, unit: str | None) -> str:
    from gkxl.workbook.styles import FOOTER_FILE

    last = f"{column_letters(len(sheet.headers))}{sheet.row_count + 1}"
    return (
        f'</sheetData><autoFilter ref="A1:{last}"/><printOptions horizontalCentered="0"/>'
        '<pageMargins left="0.6" right="0.6" top="0.7" bottom="0.8" header="0.3" footer="0.35"/>'
        '<pageSetup orientation="landscape" paperSize="9" fitToHeight="0" fitToWidth="1"/>'
        f"{footer_xml(footer_text(unit) if unit else FOOTER_FILE)}</worksheet>"
    )


def _list_rows(out: IO[bytes], sheet: ListSheet, wrap_style: int) -> None:
    from gkxl.workbook.styles import wrap_height

    letters = [column_letters(i + 1) for i in range(len(sheet.headers))]
    styles: list[str | None] = [None] * len(letters)  # a wrapped column's cells carry its style, as Excel gives a
    for i in sheet.wrap:  # cell typed into a styled column
        styles[i - 1] = str(wrap_style)
    columns = [(col, f' s="{style}"' if style else "", style) for col, style in zip(letters, styles, strict=True)]
    wrapped = [(i - 1, sheet.widths[i - 1]) for i in sheet.wrap]
    chunk: list[str] = []
    size = 0
    for number, values in enumerate(sheet.rows, 2):
        if len(values) > len(letters):
            raise ValueError(f"row {number} of {sheet.name} is wider than its header")
        cells = "".join(
            [
                f'<c r="{col}{number}"{s}><v>{v}</v></c>'
                if type(v) is int
                else f'<c r="{col}{number}"{s} t="inlineStr"><is><t xml:space="preserve">{_text(v)}</t></is></c>'
                if type(v) is str
                else cell_xml(f"{col}{number}", v, style)
                for (col, s, style), v in zip(columns, values, strict=False)
                if v is not None
            ]
        )
        height = wrap_height(values, wrapped) if wrapped else None
        tall = f' ht="{height:g}" customHeight="1"' if height else ""
        chunk.append(f'<row r="{number}"{tall}>{cells}</row>')
        size += len(cells)
        if size >= 1 << 16:  # ~64 kB at a time: a row of 2,500 units is ~50 kB on its own
            out.write("".join(chunk).encode("utf-8"))
            chunk.clear()
            size = 0
    out.write("".join(chunk).encode("utf-8"))


def list_sheet_names(sheet: ListSheet, index: int) -> list[str]:
    """The defined names of a list sheet at sheet position `index`: filter, print titles, print area."""
    quoted = "'" + sheet.name.replace("'", "''") + "'"
    last_row = sheet.row_count + 1
    return [
        f'<definedName name="_xlnm._FilterDatabase" localSheetId="{index}" hidden="1">'
        f"{escape(quoted)}!$A$1:${column_letters(len(sheet.headers))}${last_row}</definedName>",
        f'<definedName name="_xlnm.Print_Titles" localSheetId="{index}">{escape(quoted)}!$1:$1</definedName>',
        f'<definedName name="_xlnm.Print_Area" localSheetId="{index}">'
        f"{escape(quoted)}!$A$1:${column_letters(sheet.printed_cols)}${last_row}</definedName>",
    ]


# --- styles ----------------------------------------------------------------------------------------------


def _append(xml: str, tag: str, item: str) -> tuple[str, int]:
    """Append `item` to the `<tag count=…>` list of styles.xml; return the new XML and the item's index."""
    at = xml.find(f'<{tag} count="')  # (no regex: each tag's pattern would be compiled anew)
    digits = at + len(f'<{tag} count="')
    close = xml.find('"', digits) if at >= 0 else -1
    opened = xml.find(">", close)
    if close < 0 or not xml[digits:close].isdigit() or xml[close + 1 : opened].strip():
        raise ValueError(f"styles.xml has no <{tag}>")
    count = int(xml[digits:close])
    end = xml.index(f"</{tag}>", opened)
    xml = xml[:at] + f'<{tag} count="{count + 1}">' + xml[opened + 1 : end] + item + xml[end:]
    return xml, count


def _fill_index(xml: str, rgb: str) -> tuple[str, int]:
    m = re.search(r"<fills[^>]*>(.*?)</fills>", xml, re.S)
    fills = re.findall(r"<fill>.*?</fill>|<fill/>", m.group(1), re.S) if m else []
    for i, fill in enumerate(fills):
        if f'rgb="{rgb}"' in fill and 'patternType="solid"' in fill:
            return xml, i
    return _append(xml, "fills", f'<fill><patternFill patternType="solid"><fgColor rgb="{rgb}"/></patternFill></fill>')


def _xf(font: int, fill: int, alignment: str) -> str:
    return (
        f'<xf numFmtId="0" fontId="{font}" fillId="{fill}" borderId="0" applyAlignment="1" pivotButton="0" '
        f'quotePrefix="0" xfId="0"><alignment {alignment}/></xf>'
    )


def add_summary_styles(xml: str) -> tuple[str, int, int, int]:
    """styles.xml with the cover note's, the list header's and wrapped list text's styles appended: (xml, note
    xf, header xf, wrap xf)."""
    from gkxl.workbook.styles import HEADER_FILL

    xml, note_font = _append(xml, "fonts", f'<font><b val="1"/><color rgb="{NOTE_COLOR}"/></font>')
    xml, bold = _append(xml, "fonts", '<font><b val="1"/></font>')
    xml, fill = _fill_index(xml, HEADER_FILL)
    xml, note = _append(xml, "cellXfs", _xf(note_font, 0, 'vertical="center" wrapText="1"'))
    xml, header = _append(xml, "cellXfs", _xf(bold, fill, 'horizontal="center" vertical="center" wrapText="1"'))
    xml, wrap = _append(xml, "cellXfs", _xf(0, 0, 'wrapText="1"'))
    return xml, note, header, wrap


# --- the package -----------------------------------------------------------------------------------------


class Summary(Record):
    """What makes a filled workbook a summary (merge): cover lines, list sheets, defined names, subject."""

    _fields = ("cover_lines", "sheets", "names", "subject", "remove_from_cover")

    def __init__(
        self,
        cover_lines: Sequence[str],
        sheets: Sequence[ListSheet],
        names: dict[str, str],  # defined name -> its text (the summary mark)
        subject: str,
        remove_from_cover: str = "",  # text dropped from the cover's cells (the template's 'fill in' hint)
    ) -> None:
        self.cover_lines, self.sheets, self.names = cover_lines, sheets, names
        self.subject, self.remove_from_cover = subject, remove_from_cover


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def _core(xml: str, subject: str | None) -> str:
    xml = re.sub(r"(<dcterms:(created|modified)\b[^>]*>)[^<]*", lambda m: m.group(1) + _now(), xml)
    if subject is not None:
        dc = "http://purl.org/dc/elements/1.1/"
        element = f'<dc:subject xmlns:dc="{dc}">{escape(clean_text(subject))}</dc:subject>'
        at = xml.index("</dc:title>") + len("</dc:title>") if "</dc:title>" in xml else xml.index(">") + 1
        xml = xml[:at] + element + xml[at:]
    return xml


def _cover(xml: str, summary: Summary, note_style: int) -> tuple[str, int]:
    """The cover with the template's hint removed and the summary's lines below; returns its last row."""
    rows: dict[int, RowPatch] = {}
    if summary.remove_from_cover:
        for m in _CELL.finditer(xml):
            text = inline_text(m.group(4))
            if text and summary.remove_from_cover in text:
                row, col = int(m.group(2)), column_index(m.group(1))
                rows.setdefault(row, RowPatch()).values[col] = text.replace(summary.remove_from_cover, "").strip()
    xml = patch_cells(xml, rows)
    last = max_row(xml)
    lines: dict[int, RowPatch] = {}
    for text in summary.cover_lines:
        last += 1
        lines[last] = RowPatch({1: text}, {1: note_style}, 30)
        xml = add_merge(xml, f"A{last}:B{last}")
    return patch_cells(xml, lines), last


def _workbook(xml: str, names: list[str], sheets: list[tuple[str, str]], at: int, cover: tuple[str, int] | None) -> str:
    """workbook.xml with `sheets` (name, rId) inserted at position `at`, the local names of later sheets
    shifted, `names` added and the cover's print area grown to row `cover[1]`."""
    m = re.search(r"<sheets>(.*?)</sheets>", xml, re.S)
    entries = re.findall(r"<sheet\b[^>]*/>", m.group(1))
    next_id = max((int(i) for i in re.findall(r'sheetId="(\d+)"', m.group(1))), default=0) + 1
    new = [
        f'<sheet xmlns:r="{REL_NS}" name={quoteattr(clean_text(name))} sheetId="{next_id + i}" state="visible" '
        f'r:id="{rid}"/>'
        for i, (name, rid) in enumerate(sheets)
    ]
    entries[at:at] = new
    xml = xml[: m.start(1)] + "".join(entries) + xml[m.end(1) :]
    if sheets:
        xml = re.sub(
            r'localSheetId="(\d+)"',
            lambda g: f'localSheetId="{int(g.group(1)) + len(sheets) if int(g.group(1)) >= at else g.group(1)}"',
            xml,
        )
    if cover:
        sheet, last = cover
        quoted = re.escape(escape("'" + sheet + "'"))
        xml = re.sub(
            rf'(<definedName name="_xlnm.Print_Area" localSheetId="0">{quoted}!\$A\$1:\$[A-Z]+\$)(\d+)',
            lambda g: g.group(1) + str(max(last, int(g.group(2)))),
            xml,
        )
    if names:
        if "</definedNames>" in xml:
            xml = xml.replace("</definedNames>", "".join(names) + "</definedNames>", 1)
        else:
            at_sheets = xml.index("</sheets>") + len("</sheets>")
            xml = xml[:at_sheets] + "<definedNames>" + "".join(names) + "</definedNames>" + xml[at_sheets:]
    if "fullCalcOnLoad" not in xml:  # the 校验 formulas are recalculated on open
        xml = re.sub(r"<calcPr\b[^>]*/>", "", xml).replace("</workbook>", '<calcPr calcId="124519" '
                                                           'fullCalcOnLoad="1"/></workbook>')  # fmt: skip
    return xml


def write_filled(
    path: str | Path,
    template: str | Path,
    form: Form,
    cells: dict[str, dict[str, Value]],
    unit: str | None = None,
    summary: Summary | None = None,
) -> None:
    """Write at `path` the `template` workbook with `cells` (sheet -> address -> value) filled in, the unit in
    the footers and, for a summary, its extra parts. `path` is written directly: callers write atomically."""
    from gkxl.workbook.zipparts import ZipWriter, read_entries

    entries = read_entries(str(template))
    contents = _Contents(entries)  # a part is inflated only when it is read
    parts = _sheet_parts(contents)
    sheet_names = list(parts)
    worksheets = [p for p in parts.values() if p in contents]
    changed: dict[str, str] = {}

    def text(part: str) -> str:
        if part not in changed:
            changed[part] = contents[part].decode("utf-8")
        return changed[part]

    for sheet, values in cells.items():
        part = parts[sheet]
        changed[part] = patch_cells(text(part), sheet_cells(values))
    new_parts: list[tuple[str, ListSheet]] = []
    if summary is not None:
        styles, note, header, wrap = add_summary_styles(text("xl/styles.xml"))
        changed["xl/styles.xml"] = styles
        cover_sheet = form.cover["sheet"]
        changed[parts[cover_sheet]], last = _cover(text(parts[cover_sheet]), summary, note)
        at = sheet_names.index(HIDDEN_LAST) if HIDDEN_LAST in sheet_names else len(sheet_names)
        used = set(contents)
        rels = text("xl/_rels/workbook.xml.rels")
        added, names = [], []
        for i, sheet in enumerate(summary.sheets):
            n = len(worksheets) + 1 + i
            while f"xl/worksheets/sheet{n}.xml" in used:
                n += 1
            part = f"xl/worksheets/sheet{n}.xml"
            used.add(part)
            rid = f"rIdGkxl{i + 1}"
            rels = rels.replace(
                "</Relationships>",
                f'<Relationship Type="{WORKSHEET_REL}" Target="/{part}" Id="{rid}"/></Relationships>',
            )
            added.append((sheet.name, rid))
            new_parts.append((part, sheet))
            names += list_sheet_names(sheet, at + i)
        names += [f"<definedName name={quoteattr(k)}>{escape(v)}</definedName>" for k, v in summary.names.items()]
        changed["xl/_rels/workbook.xml.rels"] = rels
        changed["xl/workbook.xml"] = _workbook(text("xl/workbook.xml"), names, added, at, (cover_sheet, last))
        types = text("[Content_Types].xml")
        overrides = "".join(f'<Override PartName="/{p}" ContentType="{WORKSHEET_TYPE}"/>' for p, _ in new_parts)
        changed["[Content_Types].xml"] = types.replace("</Types>", overrides + "</Types>")
    # Footers last, so that they see every other change of a sheet.
    tails: dict[str, tuple[tuple[int, bytes], bytes]] = {}  # part -> (its split, the new tail)
    if unit:
        for part in worksheets:
            split = None if part in changed else contents.entry(part).split()
            if split is None:
                changed[part] = footer_unit(text(part), unit)
            else:  # only the footer changes: the stored bytes before it are copied (a shipped template's split)
                tails[part] = split, footer_unit(split[1].decode("utf-8"), unit).encode("utf-8")
    changed["docProps/core.xml"] = _core(text("docProps/core.xml"), summary.subject if summary else None)
    # Level 3: a third of level 6's time (the 校验 sheet is 650 kB of XML), the file ~15 % bigger.
    # Parts left as they are in the template are copied compressed; changed ones deflated anew.
    with open(path, "wb") as f:
        out = ZipWriter(f)
        for entry in entries:
            if entry.name in changed:
                out.replace(entry, changed[entry.name].encode("utf-8"), PART_LEVEL)
            elif entry.name in tails:
                out.replace_tail(entry, *tails[entry.name], PART_LEVEL)
            else:
                out.copy(entry)
        for part, sheet in new_parts:
            # Level 1 for the big list sheets: megabytes of repetitive XML, and the fastest level still shrinks
            # it tenfold.
            def fill(stream, sheet: ListSheet = sheet) -> None:
                stream.write(_list_head(sheet, header, wrap).encode("utf-8"))
                _list_rows(stream, sheet, wrap)
                stream.write(_list_tail(sheet, unit).encode("utf-8"))

            out.stream_new(part, 1, fill)
        out.close()


class _Contents(dict):
    """Part name -> its bytes, inflated from the template on first use."""

    def __init__(self, entries) -> None:
        super().__init__((e.name, e) for e in entries)
        self._entries = dict(self)

    def __getitem__(self, name: str) -> bytes:
        value = dict.__getitem__(self, name)
        if not isinstance(value, bytes):
            value = value.read()
            dict.__setitem__(self, name, value)
        return value

    def entry(self, name: str):
        """The part's zip entry (gkxl.workbook.zipparts.Entry)."""
        return self._entries[name]


def _attr(element: str, name: str) -> str | None:
    """An attribute of one element of gkxl's own template (attributes one space apart, as openpyxl writes)."""
    at = element.find(f' {name}="')
    if at < 0:
        return None
    at += len(name) + 3
    return unescape(element[at : element.index('"', at)])


def _sheet_parts(contents: dict[str, bytes]) -> dict[str, str]:
    """Sheet name -> zip part, in the workbook's order (gkxl's own template: plain, known XML)."""
    from gkxl.read.package import part_name

    rels = contents["xl/_rels/workbook.xml.rels"].decode("utf-8")
    targets = {_attr(r, "Id"): _attr(r, "Target") for r in re.findall(r"<Relationship\b[^>]*>", rels)}
    out = {}
    for element in re.findall(r"<sheet\b[^>]*>", contents["xl/workbook.xml"].decode("utf-8")):
        name, target = _attr(element, "name"), targets.get(_attr(element, "r:id"))
        if name is not None and target is not None:
            out[name] = part_name(target)
    return out
