"""The blank roster `gkxl roster template` writes: the header, a 单位类型 dropdown, A4 print setup."""

from __future__ import annotations

from pathlib import Path

from gkxl.errors import GkxlError
from gkxl.season.roster import COLUMNS

WIDTHS = (14, 28, 36, 16, 20, 10, 16)
DROPDOWN_ROWS = 2000


def write_roster_template(path: str | Path) -> Path:
    """A blank roster with its header, column widths, a 单位类型 dropdown and A4 print setup."""
    from openpyxl import Workbook
    from openpyxl.worksheet.datavalidation import DataValidation

    from gkxl.atomic import atomic_path
    from gkxl.form.model import load_form
    from gkxl.workbook.styles import cell_styles, print_setup

    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise GkxlError("名册模板应为 .xlsx 文件", path)
    wb = Workbook()
    ws = wb.active
    ws.title = "名册"
    styles = cell_styles()
    for col, (title, width) in enumerate(zip(COLUMNS, WIDTHS, strict=True), start=1):
        cell = ws.cell(1, col, title)
        cell.font, cell.alignment, cell.border = styles["bold"], styles["center"], styles["border"]
        ws.column_dimensions[cell.column_letter].width = width
    types = next(m.options for m in load_form().meta if m.key == "unit_type")
    dv = DataValidation(type="list", formula1='"' + ",".join(types) + '"', allow_blank=True)
    dv.add(f"D2:D{DROPDOWN_ROWS}")
    ws.add_data_validation(dv)
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = "A1:G2"
    print_setup(ws, True, 200, len(COLUMNS))
    ws.print_title_rows = "1:1"
    with atomic_path(path) as tmp:
        wb.save(tmp)
    return path
