"""What every sheet gkxl writes shares: fonts, fills, mark colours, protection, validation and page setup.

The lowest module of workbook/: the template, the 校验 sheet, 上年数据 and annotated copies all use it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from gkxl.form.model import column_letters, split_address

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

FONT = "宋体"
INPUT_FILL = "FFFDF5D8"  # pale yellow: where the clerk types

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


MARK_COLORS = {"error": "FFFF7C80", "warning": "FFFFC000", "explained": "FFC6EFCE"}  # red, amber, green


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


def print_setup(ws: Worksheet, landscape: bool, last_row: int, last_col: int) -> None:
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_area = f"A1:{column_letters(last_col)}{last_row}"
    ws.print_options.horizontalCentered = True


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
