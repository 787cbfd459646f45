"""Inside Excel: what the buttons of the macro-enabled template do, through xlwings.

`validate()`, `clear()`, `fill_totals()` and `tally()` are run by the VBA macros (RunPython) on the workbook whose
button was pressed (`xw.Book.caller()`), or on a book passed in. This is the only module that imports
xlwings; the work itself is the library's: gkxl.read.reader parses the sheets' values, gkxl.check.validate finds the
problems, gkxl.form.totals computes the totals.

Marks. A finding's cell is filled red (error) or amber (warning) and gets a note with the message, unless
the clerk has a note there already (theirs is kept; the message is in the 校验结果 sheet anyway). Which
cells gkxl marked, with the fill each had before, is kept in a hidden sheet, so the next validation or
`clear()` restores exactly those cells, and only while they still show gkxl's colour: fills the clerk
set, before or since, are never touched.

Round trips. Every call that reaches Excel goes through `Session.call`, which counts it (the tests check
the figures). A validation reads the sheet names (1) and each sheet in one bulk call (6: the cover, the
three tables, 上年数据 and the 校验 sheet with the clerk's 说明; and the 校验结果 sheet with its 说明 once it
exists: 1), reads the record of earlier marks (1, once there is one), then costs 4 per newly marked
cell (read its fill, look for a note, fill it, add the note), 4 per mark removed (read the fill, restore
it, find the note, delete it) and nothing for a cell still wrong with the same message; then the record
(1), the 校验结果 sheet (clear and write: 2) and the verdict box (1). So: 19 calls on the very first run
of a clean workbook (it creates the 校验结果 sheet and sets 9 column widths), 11 when validating again,
13 again once there are marks, plus 4 per cell newly marked (the first mark also creates the hidden
record: +2).
A fresh, empty template marks every blank input as a warning (about 200 cells, ~800 calls) - the worst
case. Each count is an xlwings call; on Windows one may be a few COM calls (a fill is read as
Interior.ColorIndex, then .Color).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import xlwings as xw

from gkxl.check.findings import SEVERITY_TEXT, Finding
from gkxl.check.validate import validate as validate_report
from gkxl.errors import GkxlError
from gkxl.form.layout import table_extent
from gkxl.form.model import Form, column_letters, load_form, split_address
from gkxl.form.totals import computed_totals, total_rules
from gkxl.read.previous_block import previous_cells
from gkxl.read.reader import CHECKS_SHEET, COVER_ROWS, Report, detect_form, report_from_grids
from gkxl.read.values import cell_number
from gkxl.workbook.annotate import RESULT_HEADERS, RESULT_WIDTHS, RESULTS_SHEET, results_rows
from gkxl.workbook.styles import MARK_COLORS

MARKS_SHEET = "gkxl标记"  # hidden: the cells gkxl marked and the fill each had before
MARKS_HEADER = ("工作表", "单元格", "级别", "原填充色", "gkxl批注", "说明")
MARK_HEX = {severity: "#" + argb[2:].lower() for severity, argb in MARK_COLORS.items()}
SEVERITY_RANK = {"error": 0, "warning": 1, "explained": 2}
TITLE = "gkxl"


class Session:
    """One press of a button: the book, its sheet names, and a count of the calls that reach Excel."""

    def __init__(self, book: xw.Book):
        self.book = book
        self.calls = 0
        self._sheets: dict[str, xw.Sheet] = {}
        self.names: list[str] = self.call(lambda: [s.name for s in book.sheets])

    def call(self, fn):
        self.calls += 1
        return fn()

    def sheet(self, name: str) -> xw.Sheet:
        if name not in self._sheets:
            self._sheets[name] = self.book.sheets[name]
        return self._sheets[name]

    def add_sheet(self, name: str, after: str) -> xw.Sheet:
        sheet = self.call(lambda: self.book.sheets.add(name, after=self.sheet(after)))
        self._sheets[name] = sheet
        self.names.insert(self.names.index(after) + 1, name)
        return sheet

    def alert(self, text: str, error: bool = False) -> None:
        self.call(lambda: self.book.app.alert(text, title=TITLE, mode="critical" if error else "info"))


@dataclass(frozen=True)
class Mark:
    """A cell gkxl filled: with which severity, what fill it had before, whether gkxl added its note."""

    sheet: str
    cell: str
    severity: str
    text: str
    previous: str = ""  # '#rrggbb', or '' for no fill
    noted: bool = False

    @property
    def key(self) -> tuple[str, str]:
        return self.sheet, self.cell


@dataclass
class Outcome:
    """What a button press did: the verdict shown, the findings, and how many calls reached Excel."""

    verdict: str
    calls: int
    findings: list[Finding] = field(default_factory=list)
    marked: int = 0


# --- reading ----------------------------------------------------------------------------------------


def _cover_columns() -> int:
    form = load_form()
    addresses = [m.cell for m in form.meta] + [form.cover["form_cell"], form.cover["version_cell"]]
    return max(split_address(a)[1] for a in addresses)


def _grid(s: Session, sheet: str, rows: int, columns: int) -> list[list[object]]:
    rng = s.sheet(sheet).range((1, 1), (rows, columns))
    return s.call(lambda: rng.options(ndim=2, err_to_str=True).value)


def read(s: Session) -> Report:
    """The report in the book: one bulk read per sheet, parsed by the same reader as `gkxl validate`."""
    cover = load_form().cover["sheet"]
    cover_grid = _grid(s, cover, COVER_ROWS, _cover_columns()) if cover in s.names else None
    form = detect_form(cover_grid, s.book.name)
    grids = {cover: cover_grid}
    for table in form.tables:
        if table.sheet in s.names:
            grids[table.sheet] = _grid(s, table.sheet, *table_extent(table))
    previous = previous_cells(form)
    if previous and previous[0].sheet in s.names:  # last year's figures, for the cross-year rules
        grids[previous[0].sheet] = _grid(s, previous[0].sheet, *split_address(previous[-1].cell))
    for notes in (RESULTS_SHEET, CHECKS_SHEET):  # the clerk's 说明 (校验结果: kept across validations; 校验)
        if notes in s.names:
            sheet = s.sheet(notes)
            grids[notes] = s.call(lambda sheet=sheet: sheet.used_range.options(ndim=2).value)
    return report_from_grids(form, grids, s.names)


# --- marks ------------------------------------------------------------------------------------------


def _hex(rgb) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb) if rgb else ""


def wanted_marks(findings: list[Finding], sheets: list[str]) -> dict[tuple[str, str], Mark]:
    """One mark per offending cell: the worst severity, and every message of the cell."""
    out: dict[tuple[str, str], Mark] = {}
    for f in findings:
        if f.level not in MARK_COLORS or f.sheet not in sheets:
            continue
        line = f"{SEVERITY_TEXT[f.level]}：{f.message}"
        old = out.get((f.sheet, f.cell))
        if old is None:
            out[(f.sheet, f.cell)] = Mark(f.sheet, f.cell, f.level, line)
        else:
            severity = min(old.severity, f.level, key=SEVERITY_RANK.__getitem__)
            out[(f.sheet, f.cell)] = replace(old, severity=severity, text=f"{old.text}\n{line}")
    return out


def _load_marks(s: Session) -> tuple[dict[tuple[str, str], Mark], int]:
    """The marks recorded by the last run, and how many rows the record has."""
    if MARKS_SHEET not in s.names:
        return {}, 0
    rows = s.call(lambda: s.sheet(MARKS_SHEET).used_range.options(ndim=2).value) or []
    marks = {}
    for row in rows[1:]:
        sheet, cell, severity, previous, noted, text = (list(row) + [None] * 6)[:6]
        if sheet and cell and severity in MARK_COLORS:
            mark = Mark(str(sheet), str(cell), severity, str(text or ""), str(previous or ""), noted == "是")
            marks[mark.key] = mark
    return marks, len(rows)


def _save_marks(s: Session, marks: dict[tuple[str, str], Mark], old_rows: int) -> None:
    if not marks and MARKS_SHEET not in s.names:
        return
    rows = [list(MARKS_HEADER)]
    rows += [[m.sheet, m.cell, m.severity, m.previous, "是" if m.noted else "", m.text] for m in marks.values()]
    rows += [[None] * len(MARKS_HEADER)] * max(0, old_rows - len(rows))  # blank out the rest of the old record
    if MARKS_SHEET not in s.names:
        sheet = s.add_sheet(MARKS_SHEET, after=s.names[-1])
        s.call(lambda: setattr(sheet, "visible", False))
    target = s.sheet(MARKS_SHEET)["A1"]
    s.call(lambda: setattr(target, "value", rows))


def _mark(s: Session, mark: Mark) -> Mark:
    rng = s.sheet(mark.sheet)[mark.cell]
    previous = _hex(s.call(lambda: rng.color))
    has_note = s.call(lambda: rng.note is not None)
    s.call(lambda: setattr(rng, "color", MARK_HEX[mark.severity]))
    if not has_note:
        s.call(lambda: rng.add_note(mark.text))
    return replace(mark, previous=previous, noted=not has_note)


def _unmark(s: Session, mark: Mark) -> None:
    rng = s.sheet(mark.sheet)[mark.cell]
    if _hex(s.call(lambda: rng.color)) == MARK_HEX[mark.severity]:
        s.call(lambda: setattr(rng, "color", mark.previous or None))
    if mark.noted:
        note = s.call(lambda: rng.note)
        if note is not None:
            s.call(note.delete)


def _remark(s: Session, old: Mark, new: Mark) -> Mark:
    rng = s.sheet(new.sheet)[new.cell]
    if old.severity != new.severity:
        s.call(lambda: setattr(rng, "color", MARK_HEX[new.severity]))
    if old.noted and old.text != new.text:
        note = s.call(lambda: rng.note)
        if note is None:
            s.call(lambda: rng.add_note(new.text))
        else:
            s.call(lambda: setattr(note, "text", new.text))
    return replace(new, previous=old.previous, noted=old.noted)


def apply_marks(s: Session, wanted: dict[tuple[str, str], Mark]) -> dict[tuple[str, str], Mark]:
    """Make the marks in the book those `wanted`, touching only cells whose mark changes."""
    old, old_rows = _load_marks(s)
    for key, mark in old.items():
        if key not in wanted and mark.sheet in s.names:
            _unmark(s, mark)
    done = {}
    for key, mark in wanted.items():
        done[key] = _remark(s, old[key], mark) if key in old else _mark(s, mark)
    _save_marks(s, done, old_rows)
    return done


# --- the 校验结果 sheet --------------------------------------------------------------------------------


def _link(sheet: str, cell: str) -> str:
    return f'=HYPERLINK("#\'{sheet}\'!{cell}","{cell}")'


def _results_sheet(s: Session, findings: list[Finding], form: Form) -> None:
    rows = results_rows([f for f in findings if f.severity != "info"])
    table = [list(RESULT_HEADERS)] + [[*r[:3], _link(r[2], r[3]), *r[4:]] for r in rows]
    if RESULTS_SHEET in s.names:
        sheet = s.sheet(RESULTS_SHEET)
        s.call(sheet.clear_contents)
    else:
        sheet = s.add_sheet(RESULTS_SHEET, after=form.cover["sheet"])
        for col, width in enumerate(RESULT_WIDTHS, 1):
            rng = sheet.range((1, col))
            s.call(lambda rng=rng, width=width: setattr(rng, "column_width", width))
    s.call(lambda: setattr(sheet["A1"], "value", table))


# --- the buttons ------------------------------------------------------------------------------------


def _verdict(findings: list[Finding]) -> str:
    from gkxl.check.verdict import verdict

    return verdict(findings).text


def _read_or_say_why(s: Session, action: str) -> Report | Outcome:
    """The book's report, or (when its layout is broken, say) the Outcome after telling the clerk why."""
    try:
        return read(s)
    except GkxlError as exc:
        s.alert(f"无法{action}：{exc.message}", error=True)
        return Outcome(exc.message, s.calls)


def validate(book: xw.Book | None = None) -> Outcome:
    """校验: check the book, mark the offending cells, list the findings, show the verdict."""
    s = Session(book or xw.Book.caller())
    report = _read_or_say_why(s, "校验")
    if isinstance(report, Outcome):
        return report
    findings = validate_report(report)
    marks = apply_marks(s, wanted_marks(findings, s.names))
    _results_sheet(s, findings, report.form)
    verdict = _verdict(findings)
    detail = "详见“校验结果”工作表，有问题的单元格已标色并加批注。" if marks else ""
    s.alert(f"{verdict}。{detail}", error=any(f.severity == "error" for f in findings))
    return Outcome(verdict, s.calls, findings, len(marks))


def clear(book: xw.Book | None = None) -> Outcome:
    """清除标记: undo every mark of gkxl (restoring the fills from before) and remove the 校验结果 sheet."""
    s = Session(book or xw.Book.caller())
    old, old_rows = _load_marks(s)
    for mark in old.values():
        if mark.sheet in s.names:
            _unmark(s, mark)
    _save_marks(s, {}, old_rows)
    if RESULTS_SHEET in s.names:
        s.call(s.sheet(RESULTS_SHEET).delete)
    text = f"已清除 {len(old)} 处标记" if old else "没有需要清除的标记"
    s.alert(text)
    return Outcome(text, s.calls)


def runs(cells: dict[tuple[int, int], object]) -> list[tuple[int, int, list[list[object]]]]:
    """Group cells into as few rectangular one-row or one-column blocks as possible: (row, col, values)."""
    rows: list[tuple[int, int, list[object]]] = []
    for r, c in sorted(cells):
        if rows and rows[-1][0] == r and rows[-1][1] + len(rows[-1][2]) == c:
            rows[-1][2].append(cells[(r, c)])
        else:
            rows.append((r, c, [cells[(r, c)]]))
    out = [(r, c, [values]) for r, c, values in rows if len(values) > 1]
    singles = sorted(((c, r, v[0]) for r, c, v in rows if len(v) == 1))
    for c, r, value in singles:
        last = out[-1] if out else None
        if last and len(last[2][0]) == 1 and last[1] == c and last[0] + len(last[2]) == r:
            last[2].append([value])
        else:
            out.append((r, c, [[value]]))
    return out


def fill_totals(book: xw.Book | None = None) -> Outcome:
    """自动合计: write every total (the target of a hard '=' rule) from its parts."""
    s = Session(book or xw.Book.caller())
    report = _read_or_say_why(s, "合计")
    if isinstance(report, Outcome):
        return report
    form = report.form
    invalid = {k for k, p in report.problems.items() if p.severity == "error"}
    totals = computed_totals(form, report.values, invalid)
    changed = {k: v for k, v in totals.items() if k in invalid or report.raw.get(k) is None or report.values[k] != v}
    by_sheet: dict[str, dict[tuple[int, int], object]] = {}
    for key, value in changed.items():
        cell = form.cell(key)
        by_sheet.setdefault(cell.sheet, {})[split_address(cell.cell)] = cell_number(value)
    for sheet, cells in by_sheet.items():
        for r, c, values in runs(cells):
            rng = s.sheet(sheet).range(f"{column_letters(c)}{r}")
            s.call(lambda rng=rng, values=values: setattr(rng, "value", values))
    left = len({r.target.key for r in total_rules(form)} - set(totals))
    text = f"已填写 {len(changed)} 个合计" if changed else "所有合计都与各项相符，无需填写"
    if left:
        text += f"；另有 {left} 个合计因相关单元格不是有效数字未能计算，请先点“校验”查看"
    s.alert(text)
    return Outcome(text, s.calls)


# --- 从台账生成 ---------------------------------------------------------------------------------------

MAX_BAD_SHOWN = 15  # in the alert; `gkxl tally` lists every one


def _ledger_grids(s: Session) -> dict[str, list[list[object]]]:
    from gkxl.ledger.spec import APPEAL_SHEET, APPLY_SHEET

    out = {}
    for name in (APPLY_SHEET, APPEAL_SHEET):
        if name in s.names:
            sheet = s.sheet(name)
            out[name] = s.call(lambda sheet=sheet: sheet.used_range.options(ndim=2).value) or []
    return out


def _write_values(s: Session, form: Form, values: dict[str, object]) -> None:
    by_sheet: dict[str, dict[tuple[int, int], object]] = {}
    for key, value in values.items():
        cell = form.cell(key)
        by_sheet.setdefault(cell.sheet, {})[split_address(cell.cell)] = value
    for sheet, cells in by_sheet.items():
        rows, cols = sorted({r for r, _ in cells}), sorted({c for _, c in cells})
        if len(cells) == len(rows) * len(cols) == (rows[-1] - rows[0] + 1) * (cols[-1] - cols[0] + 1):
            blocks = [(rows[0], cols[0], [[cells[(r, c)] for c in cols] for r in rows])]  # a whole table: one call
        else:
            blocks = runs(cells)
        for r, c, block in blocks:
            rng = s.sheet(sheet).range(f"{column_letters(c)}{r}")
            s.call(lambda rng=rng, block=block: setattr(rng, "value", block))


def tally(book: xw.Book | None = None) -> Outcome:
    """从台账生成: fill 表三 and 表四 from the book's ledger sheets, as `gkxl tally` does; a bad ledger row
    stops it with every bad row named, and nothing is written."""
    from gkxl.ledger.count import tally as count
    from gkxl.ledger.rows import ledger_from_grids

    s = Session(book or xw.Book.caller())
    report = _read_or_say_why(s, "按台账统计")
    if isinstance(report, Outcome):
        return report
    if report.year is None:
        text = "封面未填写有效的年度，无法按年度统计台账"
        s.alert(text, error=True)
        return Outcome(text, s.calls)
    ledger = ledger_from_grids(report.form, _ledger_grids(s))
    if ledger.bad:
        shown = "\n".join(str(b) for b in ledger.bad[:MAX_BAD_SHOWN])
        more = f"\n……另有 {len(ledger.bad) - MAX_BAD_SHOWN} 处" if len(ledger.bad) > MAX_BAD_SHOWN else ""
        text = f"台账有 {len(ledger.bad)} 处错误，未填写表三、表四：\n{shown}{more}"
        s.alert(text, error=True)
        return Outcome(text, s.calls)
    counts = count(report.form, ledger, report.year)
    changed = {k: v for k, v in counts.values.items() if report.values.get(k) != v or k in report.problems}
    _write_values(s, report.form, counts.values)
    if not counts.values:
        text = "台账没有数据，表三、表四未改动"
    else:
        done = "，".join(f"{sheet}计入 {n} 行" for sheet, n in counts.counted.items())
        left = sum(sum(c.values()) for c in counts.left_out.values())
        other = f"；{left} 行属于其他年度，未计入" if left else ""
        text = f"已按台账填写 {len(changed)} 个单元格（{done}{other}）"
    s.alert(text)
    return Outcome(text, s.calls)
