"""Read a filled workbook by the definition's addresses, fast (python-calamine), and check its layout."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from gkxl.errors import ReadError
from gkxl.layout import table_extent, table_labels
from gkxl.model import FORM_IDS, Cell, Form, Table, column_letters, load_form, split_address
from gkxl.package import check_package, formula_cells
from gkxl.template import TEMPLATE_VERSION
from gkxl.values import Number, Problem, parse

Grid = list[list[object]]
MAX_LAYOUT_PROBLEMS = 8
NO_CACHED_VALUE = "公式没有计算结果（文件未经 Excel 重新计算保存），请在 Excel 中打开并保存，或直接填写数字"


@dataclass
class Report:
    """One unit's report for one year, as read from a workbook (or built in memory)."""

    form: Form
    values: dict[str, Number | None]
    unit: str | None = None
    year: int | None = None
    path: Path | None = None
    problems: dict[str, Problem] = field(default_factory=dict)  # by cell key or meta key
    raw: dict[str, object] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return str(self.path) if self.path else (self.unit or "（未命名）")

    def sha256(self) -> str:
        return hashlib.sha256(self.path.read_bytes()).hexdigest() if self.path else ""


def _squash(text: object) -> str:
    """Compare labels ignoring spaces and line breaks (Excel/WPS may reflow them)."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text or "")))


def _at(grid: Grid, address: str) -> object:
    row, col = split_address(address)
    if row - 1 < len(grid) and col - 1 < len(grid[row - 1]):
        value = grid[row - 1][col - 1]
        return None if value == "" else value
    return None


def _open(path: Path):
    from python_calamine import CalamineWorkbook

    try:
        return CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises several types for broken parts
        raise ReadError(f"工作簿无法读取，文件可能已损坏（{type(exc).__name__}）", path) from None


def _sheet(book, name: str, nrows: int, path: Path) -> Grid:
    try:
        return book.get_sheet_by_name(name).to_python(skip_empty_area=False, nrows=nrows)
    except Exception as exc:
        raise ReadError(f"工作表“{name}”无法读取（{type(exc).__name__}）", path) from None


def _detect_form(book, path: Path, expected: str | None) -> tuple[Form, Grid]:
    """The form of the workbook, and its cover sheet's grid (read once)."""
    cover = load_form().cover
    if cover["sheet"] not in book.sheet_names:
        raise ReadError(f"不是 gkxl 标准模板：缺少“{cover['sheet']}”工作表（请用 gkxl template 生成的模板填报）", path)
    grid = _sheet(book, cover["sheet"], 20, path)
    raw_id = _at(grid, cover["form_cell"])
    form_id = str(int(raw_id)) if isinstance(raw_id, float) else _squash(raw_id)
    if form_id not in FORM_IDS:
        where = f"{cover['sheet']}!{cover['form_cell']}"
        raise ReadError(f"无法识别表式“{raw_id or ''}”（应为 {' 或 '.join(FORM_IDS)}）", path, where)
    version = _at(grid, cover["version_cell"])
    version = str(int(version)) if isinstance(version, float) else _squash(version)
    if version != TEMPLATE_VERSION:
        raise ReadError(f"模板版本“{version}”与本程序（版本 {TEMPLATE_VERSION}）不符，请用新模板重新填报", path)
    if expected and form_id != expected:
        raise ReadError(f"表式为 {form_id}，不是要求的 {expected}", path)
    return load_form(form_id), grid


@cache
def _expected_labels(table: Table) -> tuple[tuple[str, str, str], ...]:
    """(address, printed text, squashed text) of every label: the same for every file, so worked out once."""
    return tuple(
        (f"{column_letters(label.left)}{label.top}", label.text, _squash(label.text)) for label in table_labels(table)
    )


def _layout_problems(form: Form, grids: dict[str, Grid], names: list[str]) -> list[str]:
    problems = []
    for table in form.tables:
        if table.sheet not in names:
            problems.append(f"缺少工作表“{table.sheet}”")
            continue
        grid = grids[table.sheet]
        for address, text, squashed in _expected_labels(table):
            found = _at(grid, address)
            if found != text and _squash(found) != squashed:
                problems.append(f"{table.sheet}!{address} 应为“{text}”，实为“{found or ''}”")
    return problems


def _meta(form: Form, grids: dict[str, Grid], report: Report) -> None:
    unit = _at(grids[form.meta_cell("unit").sheet], form.meta_cell("unit").cell)
    report.unit = str(unit).strip() if unit not in (None, "") else None
    year_cell = form.meta_cell("year")
    raw_year = _at(grids[year_cell.sheet], year_cell.cell)
    report.raw["year"] = raw_year
    text = unicodedata.normalize("NFKC", str(raw_year)).strip().removesuffix("年") if raw_year is not None else ""
    text = text[:-2] if text.endswith(".0") else text
    if text.isdigit() and 1990 <= int(text) <= 2100:
        report.year = int(text)
    elif raw_year is not None:
        report.problems["year"] = Problem("META-YEAR", "error", f"年度“{raw_year}”不是有效年份，请填写如 2024")


def read_report(path: str | Path, form_id: str | None = None) -> Report:
    """Read a workbook made from the standard template; raise ReadError with one clear message otherwise."""
    path = Path(path)
    check_package(path)
    book = _open(path)
    try:
        form, cover = _detect_form(book, path, form_id)
        names = book.sheet_names
        grids = {t.sheet: _sheet(book, t.sheet, table_extent(t)[0] + 1, path) for t in form.tables if t.sheet in names}
        grids[form.cover["sheet"]] = cover
    finally:
        book.close()
    problems = _layout_problems(form, grids, names)
    if problems:
        more = f"\n  ……另有 {len(problems) - MAX_LAYOUT_PROBLEMS} 处" if len(problems) > MAX_LAYOUT_PROBLEMS else ""
        listed = "\n  ".join(problems[:MAX_LAYOUT_PROBLEMS])
        raise ReadError(f"表格结构与标准模板不符（工作表被改名、删除或行列被移动）：\n  {listed}{more}", path)
    report = Report(form=form, values={}, path=path)
    _meta(form, grids, report)
    _values(form, grids, report)
    return report


@cache
def _positions(form: Form) -> tuple[tuple[Cell, int, int], ...]:
    """Each input cell with its 0-based grid row and column, worked out once per form."""
    return tuple((cell, *(n - 1 for n in split_address(cell.cell))) for cell in form.cells)


def _values(form: Form, grids: dict[str, Grid], report: Report) -> None:
    blank: dict[str, set[str]] = {}
    for cell, r, c in _positions(form):
        grid = grids[cell.sheet]
        raw = grid[r][c] if r < len(grid) and c < len(grid[r]) else None
        raw = None if raw == "" else raw
        report.raw[cell.key] = raw
        parsed = parse(raw, cell.kind)
        report.values[cell.key] = parsed.value
        if parsed.problem:
            report.problems[cell.key] = parsed.problem
        elif raw is None:
            blank.setdefault(cell.sheet, set()).add(cell.cell)
    if report.path is None:
        return
    for sheet, addresses in blank.items():
        for address in formula_cells(report.path, sheet, addresses):
            key = next(c.key for c in form.cells if c.sheet == sheet and c.cell == address)
            report.problems[key] = Problem("V-FORMULA", "error", NO_CACHED_VALUE)
