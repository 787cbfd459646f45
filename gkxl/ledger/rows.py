"""Reading a ledger's rows from a sheet's grid of values, and saying exactly what is wrong with a bad row.

A ledger sheet has one header row (the template's first row; a separate ledger may have title rows above
it and its columns in any order) and one row per application or case. A choice must be one of the
dropdown's texts exactly, as the COUNTIFS formulas beside the ledger compare it; a date must be a date
(a cell Excel stores as a date or a date serial), never text that looks like one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from gkxl.form.model import Form, column_index, column_letters
from gkxl.ledger.spec import (
    APPEAL_HEADERS,
    APPEAL_SHEET,
    APPLY_HEADERS,
    APPLY_SHEET,
    OPTIONAL_HEADERS,
    appeal_spec,
    apply_spec,
)
from gkxl.read.values import squash

Grid = list[list[object]]
HEADER_SEARCH_ROWS = 10  # a separate ledger may have a title or two above its header row
EXCEL_EPOCH = dt.date(1899, 12, 30)  # serial 1 is 1900-01-01 in Excel's (and LibreOffice's) 1900 system
SERIAL_RANGE = (32874, 73051)  # 1990-01-01 .. 2100-01-01: a number in a date column taken as a serial
MAX_SHOWN_CHOICES = 8


@dataclass(frozen=True)
class BadCell:
    """One problem of one ledger row, named by sheet, row and column."""

    sheet: str
    row: int
    column: str  # letter; '' for a problem of the sheet (a missing column)
    header: str
    message: str

    def __str__(self) -> str:
        if not self.column:
            return f"{self.sheet}：{self.message}"
        return f"{self.sheet} 第 {self.row} 行 {self.column} 列（{self.header}）：{self.message}"


@dataclass(frozen=True)
class Application:
    number: str
    received: dt.date
    applicant: str
    result: str | None
    closed: dt.date | None
    row: int
    content: object = None  # 申请内容 and 备注: kept as typed, to copy the row into another workbook
    note: object = None


@dataclass(frozen=True)
class Case:
    number: str
    kind: str
    result: str
    received: dt.date
    row: int
    note: object = None


@dataclass
class Ledger:
    """Both ledgers of a workbook; a sheet that is missing is None, an empty one an empty list."""

    applications: list[Application] | None = None
    cases: list[Case] | None = None
    bad: list[BadCell] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)  # ledger (APPLY_SHEET, APPEAL_SHEET) -> rows in it
    sheets: dict[str, str] = field(default_factory=dict)  # ledger -> the sheet it was read from

    @property
    def empty(self) -> bool:
        return not self.applications and not self.cases and not self.bad


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


def _text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _date(value: object) -> dt.date | str:
    """The date in a cell, or why it is not one."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool) and SERIAL_RANGE[0] <= value < SERIAL_RANGE[1]:
        return EXCEL_EPOCH + dt.timedelta(days=int(value))
    return f"“{_text(value)}”不是日期（请输入日期，如 2024-03-05，单元格格式为日期，不要输入文字）"


def _choice(value: object, choices: tuple[str, ...], what: str) -> str | None:
    """Why `value` is not one of `choices` (None: it is)."""
    if isinstance(value, str) and value in choices:
        return None
    text = _text(value)
    near = next((c for c in choices if squash(c) == squash(text)), None)
    if near:
        return f"“{text}”应为“{near}”（请从下拉列表中选择，不要手工输入）"
    shown = "、".join(choices[:MAX_SHOWN_CHOICES]) + ("等" if len(choices) > MAX_SHOWN_CHOICES else "")
    return f"“{text}”不是可选的{what}（应为{shown}，请从下拉列表中选择）"


class _Rows:
    """The rows of one ledger sheet, by header, collecting every problem."""

    def __init__(self, sheet: str, grid: Grid, headers: tuple[str, ...], bad: list[BadCell]):
        self.sheet, self.bad = sheet, bad
        self.columns: dict[str, int] = {}
        self.header_row = 0
        for i, row in enumerate(grid[:HEADER_SEARCH_ROWS]):
            found = {squash(v): j for j, v in enumerate(row) if not _blank(v)}
            if all(squash(h) in found for h in headers if h not in OPTIONAL_HEADERS):
                self.columns = {h: found[squash(h)] for h in headers if squash(h) in found}
                self.header_row = i + 1
                break
        else:
            missing = "、".join(h for h in headers if h not in OPTIONAL_HEADERS)
            bad.append(
                BadCell(sheet, 0, "", "", f"找不到表头行（前 {HEADER_SEARCH_ROWS} 行中没有同时含“{missing}”的一行）")
            )
        self.grid = grid

    def __iter__(self):
        """(row number, {header: value}) of every row with anything in the ledger's columns."""
        if not self.header_row:
            return
        for i, row in enumerate(self.grid[self.header_row :], self.header_row + 1):
            values = {h: (row[j] if j < len(row) else None) for h, j in self.columns.items()}
            if any(not _blank(v) for v in values.values()):
                yield i, {h: None if _blank(v) else v for h, v in values.items()}

    def problem(self, row: int, header: str, message: str) -> None:
        column = column_letters(self.columns[header] + 1)
        self.bad.append(BadCell(self.sheet, row, column, header, message))

    def number(self, row: int, values: dict, seen: dict[str, int]) -> str | None:
        raw = values["编号"]
        if raw is None:
            self.problem(row, "编号", "未填写编号")
            return None
        number = _text(raw).strip()
        if number in seen:
            self.problem(row, "编号", f"编号“{number}”与第 {seen[number]} 行重复")
            return None
        seen[number] = row
        return number

    def date(self, row: int, values: dict, header: str, required: bool = True) -> dt.date | None:
        raw = values[header]
        if raw is None:
            if required:
                self.problem(row, header, f"未填写{header}")
            return None
        parsed = _date(raw)
        if isinstance(parsed, str):
            self.problem(row, header, parsed)
            return None
        return parsed

    def choice(self, row: int, values: dict, header: str, choices: tuple[str, ...], required: bool = True):
        raw = values[header]
        if raw is None:
            if required:
                self.problem(row, header, f"未填写{header}")
            return None
        why = _choice(raw, choices, header)
        if why:
            self.problem(row, header, why)
            return None
        return raw


def read_applications(form: Form, sheet: str, grid: Grid, bad: list[BadCell]) -> tuple[list[Application], int]:
    spec = apply_spec(form)
    applicants = tuple(label for label, _ in spec.applicants)
    results = tuple(label for label, _ in spec.results)
    rows, out, seen, n = _Rows(sheet, grid, APPLY_HEADERS, bad), [], {}, 0
    for r, values in rows:
        n += 1
        before = len(bad)
        number = rows.number(r, values, seen)
        received = rows.date(r, values, "收到日期")
        applicant = rows.choice(r, values, "申请人类型", applicants)
        result = rows.choice(r, values, "办理结果", results, required=False)
        closed = rows.date(r, values, "办结日期", required=False)
        if closed and received and closed < received:
            rows.problem(r, "办结日期", f"办结日期 {closed} 早于收到日期 {received}")
        if (values["办理结果"] is None) != (values["办结日期"] is None):
            given, missing = ("办理结果", "办结日期") if values["办结日期"] is None else ("办结日期", "办理结果")
            rows.problem(r, missing, f"已填写{given}，未填写{missing}（办结的申请两项都要填）")
        if len(bad) == before:
            extra = values.get("申请内容"), values.get("备注")
            out.append(Application(number, received, applicant, result, closed, r, *extra))
    return out, n


def read_cases(form: Form, sheet: str, grid: Grid, bad: list[BadCell]) -> tuple[list[Case], int]:
    spec = appeal_spec(form)
    rows, out, seen, n = _Rows(sheet, grid, APPEAL_HEADERS, bad), [], {}, 0
    for r, values in rows:
        n += 1
        before = len(bad)
        number = rows.number(r, values, seen)
        kind = rows.choice(r, values, "类型", spec.types)
        result = rows.choice(r, values, "结果", spec.results)
        received = rows.date(r, values, "收到日期")
        if len(bad) == before:
            out.append(Case(number, kind, result, received, r, values.get("备注")))
    return out, n


def ledger_from_grids(form: Form, grids: dict[str, Grid]) -> Ledger:
    """The ledgers in `grids` (sheet name -> values), found by the template's sheet names or else by their
    header row; a workbook without them gives an empty Ledger."""
    ledger = Ledger()
    apply_sheet = _find(grids, APPLY_SHEET, APPLY_HEADERS)
    appeal_sheet = _find(grids, APPEAL_SHEET, APPEAL_HEADERS, exclude=apply_sheet)
    if apply_sheet:
        ledger.sheets[APPLY_SHEET] = apply_sheet
        ledger.applications, ledger.rows[APPLY_SHEET] = read_applications(
            form, apply_sheet, grids[apply_sheet], ledger.bad
        )
    if appeal_sheet:
        ledger.sheets[APPEAL_SHEET] = appeal_sheet
        ledger.cases, ledger.rows[APPEAL_SHEET] = read_cases(form, appeal_sheet, grids[appeal_sheet], ledger.bad)
    sheets = list(grids)
    ledger.bad.sort(key=lambda b: (sheets.index(b.sheet), b.row, column_index(b.column) if b.column else 0))
    return ledger


def _find(grids: dict[str, Grid], name: str, headers: tuple[str, ...], exclude: str | None = None) -> str | None:
    if name in grids:
        return name
    wanted = {squash(h) for h in headers if h not in OPTIONAL_HEADERS}
    for sheet, grid in grids.items():
        if sheet != exclude and any(wanted <= {squash(v) for v in row} for row in grid[:HEADER_SEARCH_ROWS]):
            return sheet
    return None
