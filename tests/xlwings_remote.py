"""A workbook held by xlwings' remote engine, for testing gkxl.excel.buttons on Linux.

xlwings' remote engine (`xw.Book(json=payload)`) runs xlwings' own Book, Sheet and Range code against a
JSON payload (the shape used in xlwings' tests/test_remote_*.py) and records every change as an action,
which an Excel client would then apply. Two things a real Excel does are done here instead:

- `replay` applies the recorded actions to the payload, so a second button press sees the result of the
  first (values, sheets, notes), as in Excel; a formula written reads back as its value, as Excel's
  Range.value gives it (gkxl writes one kind: =HYPERLINK(link, name), whose value is the name);
- fills: the engine cannot read a cell's fill synchronously, so `Fills` patches Range.color to read from a
  dict of the workbook's fills, updated by every fill the engine sets (the action is still recorded).
"""

from __future__ import annotations

import copy
import re
from pathlib import Path

import pytest

ACTION_KEYS = ("func", "args", "values", "sheet_position", "start_row", "start_column", "row_count")


def payload(path: Path, notes: dict[str, list[str]] | None = None, name: str = "报告.xlsm") -> dict:
    """The JSON an Excel client sends for the workbook at `path` (values read with python-calamine)."""
    import xlwings as xw
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_path(str(path))
    sheets = []
    for sheet in book.sheet_names:
        grid = book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
        values = [[None if v == "" else v for v in row] for row in grid] or [[]]
        addresses = (notes or {}).get(sheet, [])
        sheets.append(
            {
                "name": sheet,
                "values": values,
                "pictures": [],
                "tables": [],
                "notes": [{"address": a} for a in addresses],
            }
        )
    return {
        "client": "Office.js",
        "version": xw.__version__,
        "book": {"name": name, "active_sheet_index": 0, "selection": "A1"},
        "names": [],
        "sheets": sheets,
    }


def open_book(data: dict):
    """`xw.Book(json=data)`, built as xlwings' own tests build it (no engine registration needed). The
    remote engine is licensed for noncommercial use: the caller sets XLWINGS_LICENSE_KEY=noncommercial."""
    import xlwings as xw
    from xlwings.pro import _xlremote as remote

    impl = remote.App(remote.Apps(), add_book=False).books.open(copy.deepcopy(data))
    return xw.Book(impl=impl)


def actions(book) -> list[dict]:
    return book.json()["actions"]


def _put(sheet: dict, row: int, col: int, values: list[list[object]]) -> None:
    grid = sheet["values"]
    if grid == [[]]:
        grid.clear()
    width = max([len(r) for r in grid] + [col + len(values[0])])
    while len(grid) < row + len(values):
        grid.append([None] * width)
    for r in grid:
        r.extend([None] * (width - len(r)))
    for i, line in enumerate(values):
        for j, value in enumerate(line):
            grid[row + i][col + j] = value


def _address(action: dict) -> str:
    from gkxl.form.model import column_letters

    return f"${column_letters(action['start_column'] + 1)}${action['start_row'] + 1}"


def _evaluated(value: object) -> object:
    """What Excel shows for a value written to a cell: a formula's result (only HYPERLINK is known here)."""
    if isinstance(value, str) and value.startswith("="):
        m = re.fullmatch(r'=HYPERLINK\("[^"]*","([^"]*)"\)', value)
        if m is None:
            raise AssertionError(f"replay cannot evaluate {value}")
        return m.group(1)
    return value


def replay(data: dict, recorded: list[dict]) -> dict:
    """The payload after an Excel client applied `recorded` actions to it."""
    data = copy.deepcopy(data)
    sheets = data["sheets"]
    for a in recorded:
        sheet = sheets[a["sheet_position"]] if a.get("sheet_position") is not None else None
        func = a["func"]
        if func == "addSheet":
            position, name = a["args"]
            sheets.insert(position, {"name": name, "values": [[]], "pictures": [], "tables": [], "notes": []})
        elif func == "sheetDelete":
            sheets.remove(sheet)
        elif func == "sheetClearContents":
            sheet["values"] = [[]]
        elif func == "setValues":
            _put(sheet, a["start_row"], a["start_column"], [[_evaluated(v) for v in row] for row in a["values"]])
        elif func == "addNote":
            sheet["notes"].append({"address": a["args"][0]})
        elif func == "deleteNote":
            sheet["notes"] = [n for n in sheet["notes"] if n["address"] != a["args"][0]]
        elif func not in ("setRangeColor", "setSheetVisibility", "setColumnWidth", "alert", "setNoteText"):
            raise AssertionError(f"replay does not know {func}")
    return data


class Fills:
    """The fill of every cell (sheet name, '$D$6') -> '#rrggbb', as the workbook would hold them."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch):
        from xlwings.pro import _xlremote as remote

        self.fills: dict[tuple[str, str], str] = {}
        original = remote.Range.color
        fills = self.fills

        def get(rng):
            value = fills.get((rng.sheet.name, rng.address))
            return tuple(int(value[i : i + 2], 16) for i in (1, 3, 5)) if value else None

        def put(rng, value):
            original.fset(rng, value)
            if value:
                fills[(rng.sheet.name, rng.address)] = value.lower()
            else:
                fills.pop((rng.sheet.name, rng.address), None)

        monkeypatch.setattr(remote.Range, "color", property(get, put))

    def __getitem__(self, key: tuple[str, str]) -> str | None:
        sheet, cell = key
        return self.fills.get((sheet, _absolute(cell)))

    def __setitem__(self, key: tuple[str, str], value: str) -> None:
        sheet, cell = key
        self.fills[(sheet, _absolute(cell))] = value


def _absolute(cell: str) -> str:
    m = re.fullmatch(r"([A-Z]+)(\d+)", cell)
    return f"${m.group(1)}${m.group(2)}" if m else cell


def cell_actions(recorded: list[dict], sheets: list[str], func: str) -> dict[tuple[str, str], list[dict]]:
    """(sheet, top-left cell 'D6') -> each `func` action there. `sheets`: the sheet names before the
    actions (positions shift as sheets are added and deleted)."""
    out: dict[tuple[str, str], list[dict]] = {}
    order = list(sheets)
    for a in recorded:
        if a["func"] == "addSheet":
            order.insert(a["args"][0], a["args"][1])
        elif a["func"] == "sheetDelete":
            order.pop(a["sheet_position"])
        elif a["func"] == func:
            key = (order[a["sheet_position"]], _address(a).replace("$", ""))
            out.setdefault(key, []).append(a)
    return out
