"""Random reports that satisfy every rule of their form, and workbooks written from reports.

Used for the bundled examples, the tests and the benchmarks. The generator is driven by the form's rules
alone: free cells are drawn at random, rule targets are computed from their parts, and a target that would
go negative is balanced by raising one of its parts.
"""

from __future__ import annotations

from decimal import Decimal

from gkxl.atomic import atomic_path
from gkxl.form.model import Form
from gkxl.form.rules import Rule, form_rules
from gkxl.read.reader import Report
from gkxl.read.values import Number, cell_number
from gkxl.workbook.styles import footer_unit

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (merge's path)
if TYPE_CHECKING:
    import random  # the callers' generator: writing a report (import, merge) does not load it
    from pathlib import Path


def _draw(rng: random.Random, kind: str, scale: int) -> Number:
    if kind == "money":
        return Decimal(rng.randrange(0, 100 * scale * 10)) / 100
    if rng.random() < 0.4:
        return 0
    n = rng.randrange(0, scale + 1)
    return -n if kind == "signed_count" and rng.random() < 0.3 else n


def _solve(equalities: list[Rule], values: dict[str, Number]) -> None:
    """Compute every rule target from its parts, in dependency order."""
    pending = list(equalities)
    while pending:
        rest = []
        for rule in pending:
            if rule.target.key in values:
                continue
            if all(c.key in values for c in rule.parts):
                values[rule.target.key] = rule.expected(values)
            else:
                rest.append(rule)
        if len(rest) == len(pending):
            raise ValueError("circular rules")
        pending = rest


def consistent_values(form: Form, rng: random.Random, scale: int = 20) -> dict[str, Number]:
    """A full set of values that passes every rule (hard and soft) of `form`."""
    rules = form_rules(form)
    equalities = [r for r in rules if r.op == "="]
    targets = {r.target.key for r in equalities}
    free = {c.key: _draw(rng, c.kind, scale) for c in form.cells if c.key not in targets}
    regs = form.checks.get("regs_row")
    for cell in form.table(regs["table"]).cells if regs else ():
        if cell.row_key == regs["row"]:
            free[cell.key] = 0
    for _ in range(len(form.cells)):
        values = dict(free)
        _solve(equalities, values)
        short = next((r for r in equalities if r.minus and values[r.target.key] < 0), None)
        if short is None:
            break
        free[short.plus[0].key] -= values[short.target.key]
    for rule in rules:
        if rule.op == "=" or rule.target.key not in free:
            continue
        if not rule.holds(values[rule.target.key], rule.expected(values)):
            values[rule.target.key] = rule.expected(values)
    return values


def random_report(
    form: Form, rng: random.Random, unit: str = "示例乡人民政府", year: int | None = None, scale: int = 20
) -> Report:
    year = year or form.years[0]
    return Report(form=form, values=consistent_values(form, rng, scale), unit=unit, year=year)


def write_report(report: Report, path: str | Path) -> Path:
    """Write `report` into a fresh standard template at `path` (atomically): the committed template patched
    (gkxl.workbook.patch), or built with openpyxl when the form has no committed template."""
    from pathlib import Path

    from gkxl.workbook.patch import template_path, write_filled

    path = Path(path)
    template = template_path(report.form.id)
    # Typed contents other than text and numbers (a date, a time) keep openpyxl's cell types. Text is always
    # text here: an imported '=…' never becomes a formula.
    odd = any(not isinstance(v, (str, int, float, Decimal)) for v in report.raw.values())
    with atomic_path(path) as tmp:
        if template is None or odd:
            write_report_openpyxl(report, tmp)
        else:
            write_filled(tmp, template, report.form, report_cells(report), report.unit)
    return path


def write_report_openpyxl(report: Report, path: str | Path) -> None:
    """`write_report` through openpyxl: the template built from the form, filled in, saved (not atomic)."""
    from gkxl.workbook.template import build_workbook

    wb = build_workbook(report.form)
    fill_workbook(wb, report)
    wb.save(path)


def report_cells(report: Report) -> dict[str, dict[str, object]]:
    """Sheet -> address -> value: what `fill_workbook` puts into the template, for the XML writer."""
    from gkxl.read.previous_block import BLOCK_YEAR_CELL, previous_cells

    form = report.form
    out: dict[str, dict[str, object]] = {}
    for meta in form.meta:
        out.setdefault(meta.sheet, {})[meta.cell] = getattr(report, meta.key)
    for cell in form.cells:
        value = report.values.get(cell.key)
        out.setdefault(cell.sheet, {})[cell.cell] = report.raw.get(cell.key, value) if value is None else value
    cells = previous_cells(form)
    if cells and (report.previous_block or report.previous_year):
        out.setdefault(cells[0].sheet, {})[BLOCK_YEAR_CELL] = report.previous_year
        for prev in cells:
            out.setdefault(prev.sheet, {})[prev.cell] = report.previous_block.get(prev.key)
    return out


def fill_workbook(wb, report: Report) -> None:
    """Put the report's metadata and values into an openpyxl workbook of the template."""
    form = report.form
    for meta in form.meta:
        value = getattr(report, meta.key)
        wb[meta.sheet][meta.cell] = value
    for cell in form.cells:
        value = report.values.get(cell.key)
        wb[cell.sheet][cell.cell] = report.raw.get(cell.key, value) if value is None else cell_number(value)
    _fill_previous_block(wb, report)
    footer_unit(wb, report.unit)


def _fill_previous_block(wb, report: Report) -> None:
    from gkxl.read.previous_block import BLOCK_YEAR_CELL, previous_cells

    cells = previous_cells(report.form)
    if not cells or not (report.previous_block or report.previous_year):
        return
    wb[cells[0].sheet][BLOCK_YEAR_CELL] = report.previous_year
    for prev in cells:
        value = report.previous_block.get(prev.key)
        wb[prev.sheet][prev.cell] = None if value is None else cell_number(value)
