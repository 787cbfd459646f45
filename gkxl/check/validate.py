"""The validation engine: every finding of a report, in one pass."""

from __future__ import annotations

from decimal import Decimal

from gkxl.check.findings import Finding, count, count_explained
from gkxl.check.verdict import Verdict, verdict
from gkxl.errors import GkxlError
from gkxl.form.model import Form, split_address
from gkxl.form.record import Record
from gkxl.form.rules import Rule, form_rules
from gkxl.read.package import load_package
from gkxl.read.reader import Report, read_package, read_report  # noqa: F401  (read_report: re-exported)
from gkxl.read.values import Number

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (the validate hot path)
if TYPE_CHECKING:
    from pathlib import Path

    from gkxl.check.crossyear import LastYear, Previous
    from gkxl.read.package import Package

MAX_NAMED_BLANKS = 5


def _signed(n: Number) -> str:
    return f"+{n}" if n > 0 else str(n)


def _blank_note(names: list[str]) -> str:
    if not names:
        return ""
    shown = "、".join(names[:MAX_NAMED_BLANKS])
    more = f"等 {len(names)} 项" if len(names) > MAX_NAMED_BLANKS else ""
    return f"（其中未填写：{shown}{more}）"


def _rule_finding(rule: Rule, values: dict[str, Number | None]) -> Finding | None:
    reported = values.get(rule.target.key)
    expected = rule.expected(values)
    if rule.holds(reported or 0, expected):
        return None
    shown = "未填写" if reported is None else str(reported)
    if rule.op == "=":
        text = f"填报 {shown}，{rule.basis} {expected}，相差 {_signed((reported or 0) - expected)}"
    else:
        text = f"填报 {shown}，{rule.basis}（{expected}）"
    blanks = [c.label for c in rule.parts if values.get(c.key) is None]
    return Finding.at(
        rule.target, rule.id, rule.severity, text + _blank_note(blanks), reported, expected, blank_parts=tuple(blanks)
    )


def rule_findings(form: Form, values: dict[str, Number | None], invalid: set[str] = frozenset()) -> list[Finding]:
    """Findings of the consistency rules. Rules touching an invalid cell are skipped: that cell has its own."""
    out = []
    get = values.get
    for rule, target, plus, minus, holds in _rule_plan(form):  # Rule.expected and Rule.holds, inlined
        if invalid and (target in invalid or any(k in invalid for k in plus) or any(k in invalid for k in minus)):
            continue
        total = sum([get(k) or 0 for k in plus], 0)
        if minus:
            total -= sum([get(k) or 0 for k in minus], 0)
        if not holds(get(target) or 0, total):
            out.append(_rule_finding(rule, values))
    return out


_PLANS: dict[int, tuple[Form, tuple]] = {}


def _rule_plan(form: Form) -> tuple:
    """(rule, target key, plus keys, minus keys, comparison) of each rule of `form`: the rules as plain data."""
    found = _PLANS.get(id(form))
    if found is None or found[0] is not form:
        from gkxl.form.rules import OPS

        plan = tuple(
            (r, r.target.key, tuple(c.key for c in r.plus), tuple(c.key for c in r.minus), OPS[r.op])
            for r in form_rules(form)
        )
        found = _PLANS[id(form)] = (form, plan)
    return found[1]


def _value_findings(report: Report) -> list[Finding]:
    out = []
    for cell in report.form.cells:
        problem = report.problems.get(cell.key)
        if problem:
            out.append(Finding.at(cell, problem.rule, problem.severity, problem.message, report.raw.get(cell.key)))
        elif report.values.get(cell.key) is None:
            out.append(Finding.at(cell, "V-BLANK", "warning", "未填写（没有发生的请填 0）"))
    return out


def _empty_finding(report: Report) -> list[Finding]:
    """V-EMPTY: a report with every statutory cell blank is not a report (an unfilled template)."""
    cells = report.form.cells
    if any(report.values.get(c.key) is not None or c.key in report.problems for c in cells):
        return []
    text = f"报告未填写：全部 {len(cells)} 个填报单元格都是空白（没有发生的请填 0）"
    return [Finding.at(cells[0], "V-EMPTY", "error", text)]


def _meta_findings(report: Report) -> list[Finding]:
    form, out = report.form, []
    unit, year = form.meta_cell("unit"), form.meta_cell("year")

    def meta(m, rule, severity, message, reported=None):
        return Finding(rule, severity, m.sheet, m.cell, m.key, f"{m.sheet} {m.label}：{message}", reported)

    for m in form.meta:
        problem = report.problems.get(m.key) if m.key != "year" else None
        if problem:  # a cover text that cannot be used (too long, control characters)
            out.append(meta(m, problem.rule, problem.severity, problem.message))
    if not report.unit and "unit" not in report.problems:
        out.append(meta(unit, "META-UNIT", "warning", "未填写填报单位名称"))
    if "year" in report.problems:
        problem = report.problems["year"]
        out.append(meta(year, problem.rule, "error", problem.message, report.raw.get("year")))
    elif report.year is None:
        out.append(meta(year, "META-YEAR", "warning", "未填写年度"))
    elif not form.covers_year(report.year):
        first, last = form.years
        span = f"{first}—{last} 年" if last else f"{first} 年及以后"
        text = f"{report.year} 年的报告不应使用表式 {form.id}（适用于 {span}）"
        out.append(meta(year, "META-YEAR", "error", text, report.year))
    return out


def _soft_checks(report: Report) -> list[Finding]:
    form, checks, out = report.form, report.form.checks, []
    unit = report.unit or ""
    regs = checks.get("regs_row")
    if regs:
        out += _regs_findings(report, regs)
    money = [(c, v) for c in form.cells if c.kind == "money" and (v := report.values.get(c.key)) is not None]
    specs = checks.get("money_max", ())
    if not money or not specs or max(v for _, v in money) <= min(Decimal(c["max"]) for c in specs):
        return out  # no amount above any limit: no unit pattern to match (a regex compiled for nothing)
    limit = next((Decimal(c["max"]) for c in specs if _search(c.get("units", ""), unit)), None)
    for cell, value in money:
        if limit is not None and value > limit:
            text = f"填报 {value} 万元，数额偏大，是否误按“元”填报？（单位应为万元）"
            out.append(Finding.at(cell, "V-MONEY-UNIT", "warning", text, value, limit))
    return out


def _regs_findings(report: Report, regs: dict) -> list[Finding]:
    """T2-REGS: 规章 figures from a unit that cannot make 规章 (《立法法》: only 国务院部门, 省级 and 设区的市级
    人民政府), judged by the cover's 单位类型; without one, guessed from the unit's name, and the message says so."""
    cells = report.form.table(regs["table"]).cells
    filled = [c for c in cells if c.row_key == regs["row"] and report.values.get(c.key)]
    if not filled:
        return []  # nothing in the 规章 row: nothing to judge (and no pattern to compile)
    kind = report.unit_type if report.unit_type in report.form.meta_cell("unit_type").options else None
    if kind:
        if kind in regs["allowed_types"]:
            return []
        reason = f"单位类型为“{kind}”，不能制定规章"
    elif _search(regs["allowed_units"], report.unit or ""):
        return []
    else:
        reason = "按单位名称推断（封面未选单位类型），本单位不能制定规章；如能制定规章，请在封面选择单位类型"
    out = []
    for cell in filled:
        value = report.values[cell.key]
        out.append(Finding.at(cell, "T2-REGS", "warning", f"填报 {value}：{reason}，请核实", value))
    return out


def _search(pattern: str, text: str) -> bool:
    import re  # only for 规章 figures or a large amount: `re` costs one-file validate more than reading the file

    return re.search(pattern, text) is not None


def sort_findings(form: Form, findings: list[Finding], leading: tuple[str, ...] = ()) -> list[Finding]:
    """In reading order: sheet by sheet (any `leading` sheets first, then the cover and the tables), then
    row by row."""
    sheets = [*leading, form.cover["sheet"], *(t.sheet for t in form.tables)]

    def position(f: Finding) -> tuple:
        row, col = split_address(f.cell) if f.cell else (0, 0)
        return (sheets.index(f.sheet) if f.sheet in sheets else len(sheets), row, col, f.rule)

    return sorted(findings, key=position)


def _previous_block_findings(report: Report) -> list[Finding]:
    from gkxl.read.previous_block import previous_cells

    out = []
    for cell in previous_cells(report.form):
        problem = report.problems.get(cell.key)
        if problem:
            message = f"{cell.sheet} {cell.label}：{problem.message}"
            out.append(Finding(problem.rule, problem.severity, cell.sheet, cell.cell, cell.key, message))
    return out


def _cross_year(report: Report, previous: Previous | None) -> list[Finding]:
    if previous is None and not any(v is not None for v in report.previous_block.values()):
        return []  # no figures of last year: nothing to compare (and no need to load the rules)
    from gkxl.check.crossyear import cross_year_findings, previous_from_block
    from gkxl.check.plausibility import plausibility_findings

    previous = previous or previous_from_block(report)
    return cross_year_findings(report, previous) + plausibility_findings(report, previous) if previous else []


def validate(report: Report, previous: Previous | None = None, package: Package | None = None) -> list[Finding]:
    """All findings of one report: metadata, values, consistency rules, soft checks, and (when last year's
    figures are known, from `previous` or the workbook's 上年数据 block) the cross-year rules. `package`: the
    workbook the report was read from, when at hand (its ledger sheets are then not read from the file again)."""
    invalid = {k for k, p in report.problems.items() if p.severity == "error"}
    findings = _meta_findings(report) + _empty_finding(report) + _value_findings(report)
    findings += _previous_block_findings(report)
    findings += rule_findings(report.form, report.values, invalid)
    findings += _soft_checks(report) + _cross_year(report, previous)
    from gkxl.check.ledger_rules import ledger_findings

    findings += ledger_findings(report, package=package)
    path = str(report.path) if report.path else None
    findings = [
        f.replace(path=path, explanation=report.explanations.get(f.location) or f.explanation) for f in findings
    ]
    return sort_findings(report.form, findings)


class FileResult(Record):
    """The outcome of checking one file: its report and findings, or why it could not be read."""

    path: Path
    report: Report | None
    findings: list[Finding]
    error: GkxlError | None

    _fields = ("path", "report", "findings", "error")
    _factories = (("findings", list),)

    def __init__(
        self,
        path: Path,
        report: Report | None = None,
        findings: list[Finding] | None = None,
        error: GkxlError | None = None,
    ) -> None:
        self.path = path
        self.report = report
        self.findings = [] if findings is None else findings
        self.error = error

    @property
    def ok(self) -> bool:
        return self.error is None and count(self.findings, "error") == 0

    @property
    def judged(self) -> Verdict:
        """The report's verdict (errors | incomplete | unexplained | ok), from gkxl.check.verdict."""
        return verdict(self.findings)

    @property
    def status(self) -> str:
        """The verdict's status; 'unreadable' when the file could not be read."""
        return "unreadable" if self.report is None else self.judged.status

    @property
    def verdict(self) -> str:
        """One line for the file, as the CLI, the 校验 button, render, merge and csv print it."""
        if self.error:
            return "无法读取" if self.report is None else "无法完成核对"
        return self.judged.text

    def to_json(self) -> dict:
        r = self.report
        out = {
            "path": str(self.path),
            "form": r.form.id if r else None,
            "unit": r.unit if r else None,
            "year": r.year if r else None,
            "ok": self.ok,
            "status": self.status,
            "verdict": self.verdict,
            "errors": count(self.findings, "error"),
            "warnings": count(self.findings, "warning"),
            "explained": count_explained(self.findings),
            "findings": [f.to_json() for f in self.findings],
        }
        if self.error:
            out["error"] = self.error.message
        return out


def check_file(
    path: str | Path,
    form_id: str | None = None,
    last_year: LastYear | None = None,
    digest: bool = False,
    as_given: bool = False,
) -> FileResult:
    """Read and validate one workbook; an unreadable file gives a result with `error`, never an exception.
    With `digest`, the report carries the sha256 of the bytes that were read.

    With `last_year` (last year's report, or a folder of them matched by unit) the cross-year rules apply too;
    a report of another unit or a year that does not follow is an `error` naming the files.

    The result's (and report's) path is a Path; with `as_given`, `path` as it was passed (a str stays a str,
    so that `gkxl validate ONE.xlsx` imports no pathlib).
    """
    if not as_given:
        from pathlib import Path

        path = Path(path)
    try:
        package = load_package(path, as_given=True)
        report = read_package(package, form_id, digest)
    except GkxlError as exc:
        return FileResult(path, error=exc)
    if last_year is None:
        return FileResult(path, report, validate(report, package=package))
    from gkxl.check.crossyear import no_previous_finding, previous_from_report

    try:
        last = last_year.match(report)
        if last is None:
            return FileResult(path, report, [*validate(report), no_previous_finding(report)])
        return FileResult(path, report, validate(report, previous_from_report(report, last, last_year.same)))
    except GkxlError as exc:
        return FileResult(path, report, validate(report), error=exc)
