"""Read a filled workbook by the definition's addresses, fast (python-calamine), and check its layout."""

from __future__ import annotations

import unicodedata

from gkxl.errors import ReadError, has_controls, printable
from gkxl.form.layout import label_checks, table_extent
from gkxl.form.model import FORM_IDS, TEMPLATE_VERSION, Form, cell_positions, load_form, split_address
from gkxl.form.record import Record
from gkxl.read.package import Package, load_package
from gkxl.read.values import Number, Problem, parse, squash

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (the validate hot path)
if TYPE_CHECKING:
    from pathlib import Path

Grid = list[list[object]]
RESULTS_SHEET = "校验结果"  # written by annotate and the Excel button; its 说明 column is read back
CHECKS_SHEET = "校验"  # the template's sheet of live checks; the 说明 of its soft rule rows is read back
MAX_RESULT_ROWS = 2000
MAX_LAYOUT_PROBLEMS = 4  # per sheet: enough to see the shift, short enough to read
COVER_ROWS, COVER_COLS = 20, 4  # the cover's cells all sit within its first rows and columns
MAX_CELL_TEXT = 60  # of text quoted from a number cell: enough to see what was typed
MAX_COVER_TEXT = 200  # characters of a cover text (a unit's full name is a few dozen)
COVER_RULES = {"unit": "META-UNIT", "unit_code": "META-CODE", "unit_type": "META-TYPE"}
RESULT_COLS = 9  # the 校验结果 sheet's columns (序号 … 说明)
PREVIOUS_COLS = 3  # 上年数据: label, value, note


class Report(Record):
    """One unit's report for one year, as read from a workbook (or built in memory)."""

    form: Form
    values: dict[str, Number | None]
    unit: str | None
    year: int | None
    unit_code: str | None  # 单位代码 on the cover (optional): matches the unit to a roster
    unit_type: str | None  # 单位类型 on the cover (optional), as typed
    path: Path | None
    problems: dict[str, Problem]  # by cell key or meta key
    raw: dict[str, object]
    previous_block: dict[str, Number | None]  # the 上年数据 inputs, by key
    previous_year: int | None
    explanations: dict[tuple[str, str, str], str]  # (rule, sheet, cell) -> 说明
    sheets: tuple[str, ...]  # every sheet of the workbook (extra sheets such as 来源 are not read)
    sha256: str  # of the bytes that were read (read_report(..., digest=True))
    marks: dict[str, str]  # gkxl's defined names in the workbook (GKXL_*)

    _fields = ("form", "values", "unit", "year", "unit_code", "unit_type", "path", "problems", "raw",
               "previous_block", "previous_year", "explanations", "sheets", "sha256", "marks")  # fmt: skip
    _factories = (("problems", dict), ("raw", dict), ("previous_block", dict), ("explanations", dict), ("marks", dict))

    def __init__(
        self,
        form: Form,
        values: dict[str, Number | None],
        unit: str | None = None,
        year: int | None = None,
        unit_code: str | None = None,
        unit_type: str | None = None,
        path: Path | None = None,
        problems: dict[str, Problem] | None = None,
        raw: dict[str, object] | None = None,
        previous_block: dict[str, Number | None] | None = None,
        previous_year: int | None = None,
        explanations: dict[tuple[str, str, str], str] | None = None,
        sheets: tuple[str, ...] = (),
        sha256: str = "",
        marks: dict[str, str] | None = None,
    ) -> None:
        self.form = form
        self.values = values
        self.unit = unit
        self.year = year
        self.unit_code = unit_code
        self.unit_type = unit_type
        self.path = path
        self.problems = {} if problems is None else problems
        self.raw = {} if raw is None else raw
        self.previous_block = {} if previous_block is None else previous_block
        self.previous_year = previous_year
        self.explanations = {} if explanations is None else explanations
        self.sheets = sheets
        self.sha256 = sha256
        self.marks = {} if marks is None else marks

    @property
    def explanations(self) -> dict[tuple[str, str, str], str]:
        """(rule, sheet, cell) -> 说明. Those on the 校验 sheet are read on first use: only a report with
        findings needs them, and scanning that large sheet costs about as much as reading the report."""
        pending = self.__dict__.pop("_pending_notes", None)
        if pending is not None:
            from gkxl.read.check_notes import check_notes

            self._explanations = self._explanations | check_notes(pending, CHECKS_SHEET)
        return self._explanations

    @explanations.setter
    def explanations(self, value: dict[tuple[str, str, str], str]) -> None:
        self._explanations = value

    def __getstate__(self) -> dict:
        self.explanations  # noqa: B018 - read any pending 说明 before the report leaves the process
        return self.__dict__

    @property
    def name(self) -> str:
        return str(self.path) if self.path else (self.unit or "（未命名）")


def unit_key(unit: str | None) -> str:
    """Unit names compared ignoring width, spaces and invisible characters: '城关镇 人民政府' is '城关镇人民政府',
    and so is one with a zero-width space, a soft hyphen, a joiner or a variation selector inside."""
    text = unicodedata.normalize("NFKC", unit or "")
    if not text.isascii():
        text = "".join(ch for ch in text if not _invisible(ch))
    return "".join(text.split())


def _invisible(ch: str) -> bool:
    """Format and control characters (ZWSP, ZWJ, soft hyphen, BOM, …) and variation selectors."""
    return unicodedata.category(ch) in ("Cf", "Cc") or "\ufe00" <= ch <= "\ufe0f" or "\U000e0100" <= ch <= "\U000e01ef"


def _at(grid: Grid, address: str) -> object:
    row, col = split_address(address)
    return _at_index(grid, row - 1, col - 1)


def _at_index(grid: Grid, row: int, col: int) -> object:
    """The value at 0-based (row, col); '' and out-of-range are blank."""
    if row < len(grid) and col < len(grid[row]):
        value = grid[row][col]
        return None if value == "" else value
    return None


_label_checks = label_checks  # (sheet, row, col, address, text, squashed) of every printed label
_cell_positions = cell_positions  # (key, sheet, row, col, kind, address) of every input cell


def _open(package: Package):
    from io import BytesIO

    from python_calamine import CalamineWorkbook

    try:  # the bytes already read and checked: what is parsed is what was checked (and hashed)
        if package.mapped:  # a file gkxl wrote itself: calamine reads only the parts it needs, not a copy
            return CalamineWorkbook.from_path(str(package.path))
        return CalamineWorkbook.from_filelike(BytesIO(package.data))
    except Exception as exc:  # calamine raises several types for broken parts
        raise ReadError(f"工作簿无法读取，文件可能已损坏（{type(exc).__name__}）", package.path) from None


def _sheet(book, package: Package, name: str, nrows: int, ncols: int) -> Grid:
    package.check_extent(name, nrows, ncols)  # a far cell would make calamine allocate its whole rectangle
    try:
        return book.get_sheet_by_name(name).to_python(skip_empty_area=False, nrows=nrows)
    except Exception as exc:
        raise ReadError(f"工作表“{name}”无法读取（{type(exc).__name__}）", package.path) from None


def detect_form(cover_grid: Grid | None, path: Path | str | None, expected: str | None = None) -> Form:
    """The form named on the cover sheet (None: the workbook has no cover sheet)."""
    cover = load_form().cover
    if cover_grid is None:
        raise ReadError(f"不是 gkxl 标准模板：缺少“{cover['sheet']}”工作表（请用 gkxl template 生成的模板填报）", path)
    raw_id = _at(cover_grid, cover["form_cell"])
    form_id = _code_text(raw_id)
    if form_id not in FORM_IDS:
        where = f"{cover['sheet']}!{cover['form_cell']}"
        raise ReadError(f"无法识别表式“{raw_id or ''}”（应为 {' 或 '.join(FORM_IDS)}）", path, where)
    version = _code_text(_at(cover_grid, cover["version_cell"]))
    if version != TEMPLATE_VERSION:
        raise ReadError(f"模板版本“{version}”与本程序（版本 {TEMPLATE_VERSION}）不符，请用新模板重新填报", path)
    if expected and form_id != expected:
        raise ReadError(f"表式为 {form_id}，不是要求的 {expected}", path)
    return load_form(form_id)


def _code_text(raw: object) -> str:
    """A form id or version as typed: 2021.0 is '2021'; NaN, inf or 1e300 stay as they print (and match nothing)."""
    if isinstance(raw, float) and raw.is_integer() and abs(raw) < 1e15:
        return str(int(raw))
    return squash(raw)


def _layout_problems(form: Form, grids: dict[str, Grid], names: list[str]) -> list[str]:
    """Missing sheets first, then up to a few misplaced labels per sheet, from the top."""
    missing = [f"缺少工作表“{t.sheet}”" for t in form.tables if t.sheet not in names]
    wrong: dict[str, list[str]] = {}
    for sheet, row, col, address, text, squashed in _label_checks(form):
        if sheet not in grids:
            continue
        found = _at_index(grids[sheet], row, col)
        if found != text and squash(found) != squashed:
            wrong.setdefault(sheet, []).append(f"{sheet}!{address} 应为“{text}”，实为“{shorten(str(found or ''))}”")
    misplaced = []
    for sheet, problems in wrong.items():
        misplaced += problems[:MAX_LAYOUT_PROBLEMS]
        if len(problems) > MAX_LAYOUT_PROBLEMS:
            misplaced.append(f"{sheet} 另有 {len(problems) - MAX_LAYOUT_PROBLEMS} 处标签不符")
    return missing + misplaced


def _cover_text(report: Report, key: str, value: object) -> str | None:
    """A cover text as it is used (printed, compared, copied into every CSV row): bounded, without control
    characters; a text that is not usable is a problem at its cell (and read as not filled)."""
    if value in (None, ""):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a numeric code typed into the cell
    text = str(value)
    if len(text) > MAX_COVER_TEXT:
        what = "单位名称" if key == "unit" else "本项内容"
        why = f"内容过长（{len(text)} 个字符，最多 {MAX_COVER_TEXT} 个），请只填写{what}"
        report.problems[key] = Problem(COVER_RULES[key], "error", why)
        return None
    if has_controls(text):
        why = f"“{shorten(printable(text))}”含有控制字符（不可见的特殊字符），请删除后重新输入"
        report.problems[key] = Problem(COVER_RULES[key], "error", why)
    return printable(text).strip() or None


def _odd_text(raw: str) -> str:
    """Text in a number cell that must not reach a message as it is: too long to quote, or holding control
    characters (shown as '�', so that '1<ESC>2' cannot read as 12)."""
    text = "".join("\ufffd" if has_controls(ch) else ch for ch in raw[:MAX_CELL_TEXT])
    return text if len(raw) <= MAX_CELL_TEXT else f"{text}…（共 {len(raw)} 个字符）"


def shorten(text: str, limit: int = 40) -> str:
    """A text quoted in a message: at most `limit` characters."""
    return text if len(text) <= limit else f"{text[:limit]}…（共 {len(text)} 个字符）"


def _meta(form: Form, grids: dict[str, Grid], report: Report) -> None:
    for key in ("unit", "unit_code", "unit_type"):
        meta = next((m for m in form.meta if m.key == key), None)
        value = _at(grids[meta.sheet], meta.cell) if meta else None
        setattr(report, key, _cover_text(report, key, value))
    year_cell = form.meta_cell("year")
    raw_year = _at(grids[year_cell.sheet], year_cell.cell)
    if isinstance(raw_year, str) and len(raw_year) > MAX_COVER_TEXT:
        raw_year = shorten(raw_year)
    report.raw["year"] = raw_year
    text = unicodedata.normalize("NFKC", str(raw_year)).strip().removesuffix("年") if raw_year is not None else ""
    text = text[:-2] if text.endswith(".0") else text
    if text.isdigit() and 1990 <= int(text) <= 2100:
        report.year = int(text)
    elif raw_year is not None:
        shown = shorten(printable(str(raw_year)))
        report.problems["year"] = Problem("META-YEAR", "error", f"年度“{shown}”不是有效年份，请填写如 2024")


def read_report(path: str | Path, form_id: str | None = None, digest: bool = False, as_given: bool = False) -> Report:
    """Read a workbook made from the standard template; raise ReadError with one clear message otherwise.
    With `digest`, the report's sha256 is that of the bytes read. The report's path is a Path; with
    `as_given`, `path` as passed (a str stays a str: no pathlib import)."""
    if not as_given:
        from pathlib import Path

        path = Path(path)
    return read_package(load_package(path, as_given=True), form_id, digest)


def read_package(package: Package, form_id: str | None = None, digest: bool = False) -> Report:
    """`read_report` of a workbook already read and checked (gkxl.read.package.load_package); the report's
    path is the package's."""
    path = package.path
    book = _open(package)
    try:
        names = book.sheet_names
        cover_sheet = load_form().cover["sheet"]
        cover = _sheet(book, package, cover_sheet, COVER_ROWS, COVER_COLS) if cover_sheet in names else None
        form = detect_form(cover, path, form_id)
        grids = {t.sheet: _sheet(book, package, t.sheet, *_extent(t)) for t in form.tables if t.sheet in names}
        grids[cover_sheet] = cover
        previous = (_previous_sheet(form), _previous_rows(form), PREVIOUS_COLS)
        for sheet, nrows, ncols in (previous, (RESULTS_SHEET, MAX_RESULT_ROWS, RESULT_COLS)):
            if sheet in names:
                grids[sheet] = _sheet(book, package, sheet, nrows, ncols)
    finally:
        book.close()
    report = report_from_grids(form, grids, names, path, package)
    if CHECKS_SHEET in names:  # its 说明, read from the XML when first asked for (Report.explanations)
        report._pending_notes = package
    report.marks = package.marks()
    if digest:
        from gkxl.read.files import sha256

        report.sha256 = sha256(package.data).hexdigest()
    return report


def _extent(table) -> tuple[int, int]:
    rows, cols = table_extent(table)
    return rows + 1, cols


def report_from_grids(
    form: Form, grids: dict[str, Grid], names: list[str], path: Path | None = None, package: Package | None = None
) -> Report:
    """Check the layout and parse the values of a workbook's sheets, given as grids of cell values from any
    source (python-calamine here, a live workbook in gkxl.excel.buttons). `names` lists all the workbook's sheets;
    `package`, the workbook as read, tells blank cells from formulas without a cached value."""
    problems = _layout_problems(form, grids, names)
    if problems:
        listed = "\n  ".join(problems)
        raise ReadError(f"表格结构与标准模板不符（工作表被改名、删除或行列被移动）：\n  {listed}", path)
    report = Report(form=form, values={}, path=path)
    report.sheets = tuple(names)
    _meta(form, grids, report)
    _values(form, grids, report, package)
    _previous_block(form, grids, report)
    # The 校验 sheet's 说明 (made since they exist there) over the 校验结果 sheet's (older workbooks).
    report.explanations = _explanations(grids.get(RESULTS_SHEET)) | _check_notes(grids.get(CHECKS_SHEET))
    return report


def _previous_sheet(form: Form) -> str | None:
    return form.previous_sheet["sheet"] if form.previous_sheet else None


def _previous_rows(form: Form) -> int:
    from gkxl.read.previous_block import previous_cells

    cells = previous_cells(form)
    return split_address(cells[-1].cell)[0] if cells else 0


def _previous_block(form: Form, grids: dict[str, Grid], report: Report) -> None:
    """The 上年数据 inputs, when the sheet is there (older workbooks may lack it)."""
    from gkxl.read.previous_block import BLOCK_YEAR_CELL, previous_cells

    grid = grids.get(_previous_sheet(form) or "")
    if grid is None:
        return
    raw_year = _at(grid, BLOCK_YEAR_CELL)
    year = parse(raw_year, "count").value if raw_year is not None else None
    report.previous_year = year if isinstance(year, int) and 1990 <= year <= 2100 else None
    for cell in previous_cells(form):
        raw = _at(grid, cell.cell)
        parsed = parse(raw, cell.source.kind)
        report.previous_block[cell.key] = parsed.value
        if parsed.problem and parsed.problem.severity == "error":
            report.problems[cell.key] = parsed.problem


def _explanations(grid: Grid | None) -> dict[tuple[str, str, str], str]:
    """The clerk's 说明 on the 校验结果 sheet, keyed by (rule, sheet, cell) so they survive a re-validation."""
    if not grid:
        return {}
    header = [squash(h) for h in grid[0]]
    try:
        rule, sheet, cell, note = (header.index(h) for h in ("规则", "工作表", "单元格", "说明"))
    except ValueError:
        return {}
    out = {}
    for row in grid[1:]:
        text = str(row[note]).strip() if note < len(row) and row[note] not in (None, "") else ""
        if text:
            out[(str(row[rule]), str(row[sheet]), str(row[cell]))] = text
    return out


def _check_notes(grid: Grid | None) -> dict[tuple[str, str, str], str]:
    """The 说明 typed on the 校验 sheet's rule rows, keyed by (rule, sheet, cell) as the engine's findings are:
    the rule id is in the 编号 column, the target's 'sheet!cell' in 位置."""
    if not grid:
        return {}
    at = next((i for i, row in enumerate(grid[:20]) if row and squash(row[0]) == "序号"), None)
    header = [squash(h) for h in grid[at]] if at is not None else []
    if not {"编号", "位置", "说明"} <= set(header):
        return {}
    rule, where, note = (header.index(h) for h in ("编号", "位置", "说明"))
    out = {}
    for row in grid[at + 1 :]:
        text = str(row[note]).strip() if note < len(row) and row[note] not in (None, "") else ""
        sheet, _, cell = str(row[where]).partition("!")
        if text and cell:
            out[(str(row[rule]), sheet, cell)] = text
    return out


def _values(form: Form, grids: dict[str, Grid], report: Report, package: Package | None) -> None:
    blank: dict[str, dict[str, str]] = {}  # sheet -> address -> key
    raws, values = report.raw, report.values
    grid, nrows, at = (), 0, None
    for key, sheet, row, col, kind, address in _cell_positions(form):
        if sheet is not at:  # _at_index, inlined: this loop runs for every input cell of every file
            grid = grids[sheet]
            nrows, at = len(grid), sheet
        line = grid[row] if row < nrows else ()
        raw = line[col] if col < len(line) else None
        if type(raw) is float:
            # the common case, same result as parse() without its overhead (NaN and inf fail the range)
            if kind == "count":
                if 0 <= raw < 1e15 and raw.is_integer():
                    raws[key] = raw
                    values[key] = int(raw)
                    continue
            elif kind == "signed_count" and -1e15 < raw < 1e15 and raw.is_integer():
                raws[key] = raw
                values[key] = int(raw)
                continue
        elif raw == "":
            raw = None
        raws[key] = raw
        if type(raw) is str and (len(raw) > MAX_CELL_TEXT or has_controls(raw)):
            raw = report.raw[key] = _odd_text(raw)  # bounded and printable, in the message and the JSON
        parsed = parse(raw, kind)
        report.values[key] = parsed.value
        if parsed.problem:
            report.problems[key] = parsed.problem
        elif raw is None:
            blank.setdefault(sheet, {})[address] = key
    if report.year is None and "year" not in report.problems:  # an error value in the year cell reads as blank
        year = form.meta_cell("year")
        blank.setdefault(year.sheet, {})[year.cell] = "year"
    if not blank or (package is None and report.path is None):
        return
    from gkxl.read.hidden_values import hidden_problems

    package = package or load_package(report.path)  # one reading for every sheet with blank cells
    for sheet, keys in blank.items():
        for address, problem in hidden_problems(package, sheet, set(keys)).items():
            report.problems[keys[address]] = problem
