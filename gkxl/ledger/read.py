"""The ledgers of a workbook file: the template's own sheets, or a separate workbook's (found by header)."""

from __future__ import annotations

import html
import re
import zipfile
from pathlib import Path

from gkxl.errors import ReadError
from gkxl.form.model import Form, column_letters
from gkxl.ledger.rows import Ledger, ledger_from_grids
from gkxl.ledger.spec import APPEAL_HEADERS, APPEAL_SHEET, APPLY_HEADERS, APPLY_SHEET
from gkxl.read.package import check_package

WIDTH = {APPLY_SHEET: len(APPLY_HEADERS), APPEAL_SHEET: len(APPEAL_HEADERS)}
_SHEET = re.compile(r'<sheet\b[^>]*?\bname="([^"]+)"[^>]*?\br:id="([^"]+)"')
_RELATIONSHIP = re.compile(r"<Relationship\b[^>]*>")


def _parts(zf: zipfile.ZipFile, sheets: tuple[str, ...]) -> dict[str, str]:
    """Sheet name -> zip part, reading workbook.xml once (it holds every defined name: parsing it as a tree
    per sheet would cost more than the check itself)."""
    ids = {html.unescape(name): rid for name, rid in _SHEET.findall(zf.read("xl/workbook.xml").decode("utf-8"))}
    targets = {}
    for element in _RELATIONSHIP.findall(zf.read("xl/_rels/workbook.xml.rels").decode("utf-8")):
        rid, target = re.search(r'\bId="([^"]+)"', element), re.search(r'\bTarget="([^"]+)"', element)
        if rid and target:
            targets[rid.group(1)] = target.group(1)
    out = {}
    for sheet in sheets:
        target = targets.get(ids.get(sheet, ""))
        if target:
            out[sheet] = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    return out


def has_entries(path: str | Path, sheets: tuple[str, ...]) -> bool:
    """Whether any of the template's ledger `sheets` holds anything below its header row in its own columns
    (not in the formula block), seen in the sheets' XML: most workbooks keep no ledger, and a full parse
    takes several times as long to say so."""
    with zipfile.ZipFile(path) as zf:
        names = set(zf.namelist())
        for sheet, part in _parts(zf, sheets).items():
            if part not in names:
                continue
            last = column_letters(WIDTH[sheet])
            cells = re.compile(rf'<c r="[A-{last}](?:[2-9]|[1-9]\d+)"[^>]*?(?:/>|>(.*?)</c>)', re.S)
            for m in cells.finditer(zf.read(part).decode("utf-8", "replace")):
                if m.group(1) and ("<v" in m.group(1) or "<is" in m.group(1)):
                    return True
    return False


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
