"""What every sheet gkxl writes shares: fonts, fills, mark colours, protection, validation and page setup.

The lowest module of workbook/: the template, the 校验 sheet, 上年数据 and annotated copies all use it.
"""

from __future__ import annotations

from gkxl.form.model import column_letters, split_address

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (merge's path)
if TYPE_CHECKING:
    from collections.abc import Sequence

    from openpyxl.worksheet.worksheet import Worksheet

FONT = "宋体"
LINE_PT = 13.5  # one line of 10-pt 宋体: what a row of wrapped text needs per line
INPUT_FILL = "FFFDF5D8"  # pale yellow: where the clerk types
COVER_HINT = "黄色单元格为填报项，请填写数字，没有发生的填 0。"  # a summary's cover drops it: nothing to fill
HEADER_FILL = "FFDDEBF7"  # pale blue: the header row of a list sheet (校验结果, 汇总明细, 来源)


_LINES: dict[tuple[str, float], int] = {}  # a list sheet repeats its labels: each is measured once


def wrapped_lines(text: str, width: float) -> int:
    """The lines `text` takes in a wrapping column `width` wide (a CJK character is two columns wide)."""
    key = (text, width)
    if key not in _LINES:
        units = sum(2 if ord(ch) > 0x2E80 else 1 for ch in text) if not text.isascii() else len(text)
        if len(_LINES) > 4096:
            _LINES.clear()
        _LINES[key] = max(-(-units // max(width - 1.5, 1)), 1)
    return _LINES[key]


def row_height(values: Sequence[object], widths: Sequence[float]) -> float:
    """The height a row of wrapped text needs (neither Excel nor LibreOffice grows a row on opening a file)."""
    return LINE_PT * max(wrapped_lines(str(v), w) for v, w in zip(values, widths, strict=True)) + 3


def wrap_height(values: Sequence[object], wrapped: Sequence[tuple[int, float]]) -> float | None:
    """The height of a list sheet's row whose columns (0-based index, width) `wrapped` wrap their text, when
    one of them needs more than a line (None: the default height fits)."""
    lines = max((wrapped_lines(str(values[i]), w) for i, w in wrapped if i < len(values) and values[i] is not None),
                default=1)  # fmt: skip
    return LINE_PT * lines + 3 if lines > 1 else None

VALIDATION = {
    "count": ("whole", "greaterThanOrEqual", "0", None, "请填写不小于 0 的整数（件数）。"),
    "signed_count": ("whole", "between", "-999999999", "999999999", "请填写整数，减少时填负数（如 -8）。"),
    # A custom rule: Excel's 'decimal' type cannot limit the places. `{cell}` is the validated cell itself.
    "money": (
        "custom",
        None,
        "AND(ISNUMBER({cell}),{cell}>=0,ROUND({cell},4)={cell})",
        None,
        "请填写不小于 0 的金额，单位：万元（如 12.5 即 12.5 万元，不是元），最多 4 位小数。",
    ),
}


MARK_COLORS = {"error": "FFFF7C80", "warning": "FFFFC000", "explained": "FFC6EFCE"}
# What the clerk guide calls them: 橙色 is Excel's name for FFC000, and distinct from the yellow input cells.
MARK_NAMES = {"error": "红色", "warning": "橙色", "explained": "绿色"}


WHOLE_FORMAT = "0"


def money_format(places: int | None) -> str:
    """An amount as typed (up to 4 decimals, no padding), or with the fixed places the form asks for."""
    return "0." + "0" * places if places else "0.####"


def whole_money(ws: Worksheet, address: str) -> None:
    """`0.####` shows a whole amount as '5.': a conditional number format drops the dot (Excel, WPS and
    LibreOffice all apply a conditional number format)."""
    from openpyxl.formatting.rule import Rule
    from openpyxl.styles.differential import DifferentialStyle
    from openpyxl.styles.numbers import NumberFormat

    formula = f"AND(ISNUMBER({address}),{address}=INT({address}))"
    dxf = DifferentialStyle(numFmt=NumberFormat(numFmtId=1, formatCode=WHOLE_FORMAT))
    ws.conditional_formatting.add(address, Rule(type="expression", formula=[formula], dxf=dxf))


def cell_styles() -> dict:
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side

    side = Side(style="thin", color="FF000000")
    return {
        "border": Border(left=side, right=side, top=side, bottom=side),
        "center": Alignment(horizontal="center", vertical="center", wrap_text=True),
        "left": Alignment(horizontal="left", vertical="center", wrap_text=True),
        "font": Font(name=FONT, size=10),
        "bold": Font(name=FONT, size=10, bold=True),
        "title": Font(name=FONT, size=14, bold=True),
        "input_fill": PatternFill("solid", fgColor=INPUT_FILL),
        "unlocked": Protection(locked=False),
    }


def protect(ws: Worksheet) -> None:
    # No password: the structure stays intact, nobody is locked out. Formatting stays allowed.
    p = ws.protection
    p.sheet = True
    p.formatCells = p.formatColumns = p.formatRows = False


# A4 at 100 %: the printable width in Excel column-width characters (7 px each at 96 dpi) between 1.5 cm
# margins. A sheet wider than this prints landscape, where it shrinks less.
PORTRAIT_CHARS = 96
FOOTER_PAGE = "第 &P 页，共 &N 页"
FOOTER_FILE = "&F"  # the file name, until the workbook knows its unit


def sheet_width(ws: Worksheet, last_col: int) -> float:
    """The printed width of columns A..last_col, in column-width characters (default 8.43)."""
    dims = ws.column_dimensions
    return sum(
        (dims[column_letters(c)].width or 8.43) if column_letters(c) in dims else 8.43 for c in range(1, last_col + 1)
    )


def print_setup(
    ws: Worksheet,
    landscape: bool | None = None,
    last_row: int | None = None,
    last_col: int | None = None,
    *,
    title_rows: tuple[int, int] | None = None,
    unit: str | None = None,
    center: bool = True,
) -> None:
    """The one page setup of every sheet gkxl writes: A4, fit to page width (as many pages down as needed),
    `title_rows` (first, last) repeated on every page, and a footer with unit, sheet name and page number.

    `landscape=None` chooses the orientation by the sheet's width; `last_row`/`last_col` default to what the
    sheet holds; `unit=None` shows the file name until `footer_unit` names the unit."""
    last_row = last_row or ws.max_row
    last_col = last_col or ws.max_column
    if landscape is None:
        landscape = sheet_width(ws, last_col) > PORTRAIT_CHARS
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_area = f"A1:{column_letters(last_col)}{last_row}"
    ws.print_options.horizontalCentered = center
    if title_rows:
        ws.print_title_rows = f"{title_rows[0]}:{title_rows[1]}"
    margins = ws.page_margins  # inches: 1.5 cm sides, room for the footer at the bottom
    margins.left = margins.right = 0.6
    margins.top, margins.bottom, margins.header, margins.footer = 0.7, 0.8, 0.3, 0.35
    _footer(ws, unit)


def _footer(ws: Worksheet, unit: str | None) -> None:
    footer = ws.oddFooter
    footer.left.text = _escape_footer(unit) if unit else FOOTER_FILE
    footer.center.text = "&A"  # the sheet's name
    footer.right.text = FOOTER_PAGE
    for part in (footer.left, footer.center, footer.right):
        part.size, part.font = 9, f"{FONT},Regular"


def _escape_footer(text: str) -> str:
    return text.replace("&", "&&")


def footer_unit(wb, unit: str | None) -> None:
    """Name the unit in the footer of every sheet that has gkxl's footer (once the unit is known)."""
    if not unit:
        return
    for ws in wb.worksheets:
        if ws.oddFooter.right.text == FOOTER_PAGE:
            ws.oddFooter.left.text = _escape_footer(unit)


def add_validation(ws: Worksheet, kind: str, addresses: list[str]) -> None:
    from openpyxl.worksheet.datavalidation import DataValidation

    vtype, op, f1, f2, prompt = VALIDATION[kind]
    # A formula naming its own cell gets one validation per cell (no reliance on relative anchoring).
    groups = [[a] for a in addresses] if "{cell}" in f1 else [addresses]
    for group in groups:
        dv = DataValidation(type=vtype, operator=op, formula1=f1.format(cell=group[0]), formula2=f2, allow_blank=True)
        dv.error, dv.errorTitle, dv.prompt = prompt, "输入有误", prompt
        dv.showErrorMessage = True
        for address in group:
            dv.add(address)
        ws.add_data_validation(dv)


def absolute_ref(sheet: str, address: str) -> str:
    """'表三', 'D6' -> "'表三'!$D$6"."""
    row, col = split_address(address)
    return f"'{sheet}'!${column_letters(col)}${row}"
