"""The ledgers of a workbook file: the template's own sheets, or a separate workbook's (found by header)."""

from __future__ import annotations

from pathlib import Path

from gkxl.errors import ReadError
from gkxl.form.model import Form
from gkxl.ledger.rows import Ledger, ledger_from_grids
from gkxl.ledger.spec import APPEAL_SHEET, APPLY_SHEET
from gkxl.read.package import check_package


def read_ledger(path: str | Path, form: Form, sheets: tuple[str, ...] | None = None, checked: bool = False) -> Ledger:
    """The ledgers in the workbook at `path`. `sheets`: the sheets to look at (default: the template's two
    ledger sheets when present, otherwise every sheet, for a separate ledger workbook); `checked`: the
    package checks already passed (the report was just read from the same file)."""
    from python_calamine import CalamineWorkbook

    path = Path(path)
    if not checked:
        check_package(path)
    try:
        book = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises several types for broken parts
        raise ReadError(f"工作簿无法读取，文件可能已损坏（{type(exc).__name__}）", path) from None
    try:
        names = book.sheet_names
        if sheets is None:
            own = [s for s in (APPLY_SHEET, APPEAL_SHEET) if s in names]
            sheets = tuple(own) or tuple(names)
        grids = {}
        for name in sheets:
            if name in names:
                try:
                    grids[name] = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
                except Exception as exc:
                    raise ReadError(f"工作表“{name}”无法读取（{type(exc).__name__}）", path) from None
    finally:
        book.close()
    return ledger_from_grids(form, grids)
