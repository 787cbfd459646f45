"""Cross-year rules: this year's report against last year's (a workbook, or the 上年数据 block).

Last year's figures are addressed by the same stable keys in both forms (表三's rows and columns did not
change in 2021), so a 2020 report on form 2019 checks a 2021 report on form 2021. A rule whose cells the
previous form lacks (现行有效件数 exists from 2021 on) names the forms it applies to.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from gkxl.check.findings import Finding
from gkxl.errors import GkxlError
from gkxl.form.model import Cell, Form
from gkxl.form.rules import Rule, spec_lines
from gkxl.read.previous_block import block_cell, previous_cells
from gkxl.read.reader import unit_key
from gkxl.read.values import Number

if TYPE_CHECKING:
    from gkxl.read.reader import Report


@dataclass(frozen=True)
class CrossYearRule:
    id: str
    severity: str
    title: str
    basis: str
    target: Cell
    previous_key: str  # the key of last year's cell (same key scheme in every form)
    plus: tuple[Cell, ...] = ()
    minus: tuple[Cell, ...] = ()
    previous_forms: tuple[str, ...] = ()
    name: str = ""

    def expected(self, values: dict[str, Number | None], last: Number) -> Number:
        return (
            last
            + sum((values.get(c.key) or 0 for c in self.plus), 0)
            - sum((values.get(c.key) or 0 for c in self.minus), 0)
        )


@cache
def cross_year_rules(form: Form) -> tuple[CrossYearRule, ...]:
    return tuple(
        CrossYearRule(
            id=spec["id"],
            severity=spec["severity"],
            title=spec["title"],
            basis=spec["basis"],
            target=pick(spec["target"]),
            previous_key=pick(spec["previous"]).key,
            plus=tuple(pick(k) for k in spec.get("plus", ())),
            minus=tuple(pick(k) for k in spec.get("minus", ())),
            previous_forms=tuple(spec.get("previous_forms", ())),
            name=spec.get("name", ""),
        )
        for spec in form.cross_year_specs
        for pick in spec_lines(form.table(spec["table"]), spec)
    )


@dataclass
class Previous:
    """Last year's figures, with where each came from (for messages naming both files and cells)."""

    values: dict[str, Number | None]
    form_id: str
    source: str  # '上年报告 2023年 last.xlsx' or '本表“上年数据”'
    where: dict[str, str] = field(default_factory=dict)  # key -> 'sheet!cell'
    year: int | None = None


def same_name(a: Report, b: Report) -> bool:
    """Without a roster, two reports are of one unit when their names match (ignoring width and spaces)."""
    return unit_key(a.unit) == unit_key(b.unit)


def previous_from_report(this: Report, last: Report, same: Callable[[Report, Report], bool] = same_name) -> Previous:
    """Last year's workbook as the previous figures; a different unit (by `same`: a roster matches codes and
    aliases) or year is refused."""
    if not same(last, this):
        raise GkxlError(f"上年报告的单位“{last.unit or '未填'}”与本年“{this.unit or '未填'}”不一致", last.path)
    if this.year is None or last.year != this.year - 1:
        wanted = f"{this.year - 1} 年" if this.year else "上一年"
        raise GkxlError(f"上年报告的年度为 {last.year or '未填'}，应为 {wanted}", last.path)
    where = {c.key: f"{c.sheet}!{c.cell}" for c in last.form.cells}
    source = f"上年报告 {last.year}年 {last.path.name if last.path else ''}".strip()
    return Previous(dict(last.values), last.form.id, source, where, last.year)


def previous_from_block(report: Report) -> Previous | None:
    """The 上年数据 block of this workbook, when the clerk (or gkxl) filled it."""
    block = report.previous_block
    if not any(v is not None for v in block.values()):
        return None
    cells = previous_cells(report.form)
    values = {c.source.key: block.get(c.key) for c in cells}
    where = {c.source.key: f"{c.sheet}!{c.cell}" for c in cells}
    return Previous(values, report.form.id, "本表“上年数据”", where, report.previous_year)


def cross_year_findings(report: Report, previous: Previous) -> list[Finding]:
    out = []
    for rule in cross_year_rules(report.form):
        if rule.previous_forms and previous.form_id not in rule.previous_forms:
            continue
        last = previous.values.get(rule.previous_key)
        reported = report.values.get(rule.target.key)
        if last is None or reported is None:
            continue  # blanks are reported by the within-year checks
        expected = rule.expected(report.values, last)
        if reported == expected:
            continue
        cell = rule.target
        diff = reported - expected
        where = f"（{previous.source} {previous.where.get(rule.previous_key, '')}）"
        text = f"填报 {reported}，{rule.basis} {expected}{where}，相差 {diff:+}"
        related = f"{previous.source} {previous.where.get(rule.previous_key, '')}"
        out.append(Finding.at(cell, rule.id, rule.severity, text, reported, expected, related=related))
    return out


@dataclass
class LastYear:
    """Last year's reports for `--previous`: one file (used as given) or a folder (matched by unit)."""

    reports: list[Report]
    by_unit: bool
    problems: list[str] = field(default_factory=list)  # files of the folder that could not be read
    same: Callable[[Report, Report], bool] = same_name  # whether two reports are of one unit

    @classmethod
    def load(cls, path: str | Path, same: Callable[[Report, Report], bool] = same_name) -> LastYear:
        from gkxl.read.inputs import expand_inputs
        from gkxl.read.reader import read_report

        path = Path(path)
        if not path.is_dir():
            return cls([read_report(path)], by_unit=False, same=same)
        reports, problems = [], []
        for file in expand_inputs([path]):
            try:
                reports.append(read_report(file))
            except GkxlError as exc:
                problems.append(str(exc))
        return cls(reports, by_unit=True, problems=problems, same=same)

    def match(self, this: Report) -> Report | None:
        """Last year's report of this unit; None when the folder has none; an error when it has several."""
        if not self.by_unit:
            return self.reports[0]
        named = unit_key(this.unit) or this.unit_code  # a report naming no unit matches none
        found = [r for r in self.reports if named and self.same(r, this)]
        if len(found) > 1:
            names = "、".join(r.path.name for r in found if r.path)
            raise GkxlError(f"上年文件夹中有多份“{this.unit}”的报告（{names}），无法确定用哪一份", this.path)
        return found[0] if found else None


def no_previous_finding(report: Report) -> Finding:
    unit = report.form.meta_cell("unit")
    message = f"{unit.sheet} {unit.label}：上年文件夹中没有“{report.unit or '未填'}”的报告，未做跨年度核对"
    return Finding("Y-NO-PREVIOUS", "warning", unit.sheet, unit.cell, unit.key, message)


@cache
def block_rules(form: Form) -> tuple[tuple[Rule, Cell], ...]:
    """The cross-year rules over the workbook's own 上年数据 block, as ordinary rules whose first part is the
    block cell; paired with that cell, since a rule is only judged once last year's figure is filled in."""
    cells = {p.source.key: block_cell(p) for p in previous_cells(form)}
    out = []
    for rule in cross_year_rules(form):
        if rule.previous_forms and form.id not in rule.previous_forms:
            continue  # the block holds figures of a report on this same form
        last = cells[rule.previous_key]
        as_rule = Rule(
            rule.id, rule.severity, rule.title, rule.basis, rule.target, (last, *rule.plus), rule.minus, name=rule.name
        )
        out.append((as_rule, last))
    return tuple(out)
