"""Year-over-year plausibility warnings: figures that can be right, but rarely are without a reason.

Defined in the form data (`plausibility`, thresholds included), judged against last year's figures (a
`--previous` report or the 上年数据 block), explainable with a 说明 like any warning.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from gkxl.check.findings import Finding

if TYPE_CHECKING:
    from gkxl.check.crossyear import Previous
    from gkxl.form.model import Cell
    from gkxl.read.reader import Report


def _where(previous: Previous, key: str) -> str:
    return f"{previous.source} {previous.where.get(key, '')}".strip()


def _ratio(report: Report, previous: Previous, spec: dict) -> list[Finding]:
    """`target` more than `ratio` times last year's, or under 1/`ratio` of it, when both are ≥ `at_least`."""
    cell = report.form.table(spec["table"]).cell(*spec["target"])
    this, last = report.values.get(cell.key), previous.values.get(cell.key)
    ratio, floor = Decimal(spec["ratio"]), spec["at_least"]
    if this is None or last is None or this < floor or last < floor:
        return []
    if this <= ratio * last and this * ratio >= last:
        return []
    change = "以上" if this > last else "以下"
    where = _where(previous, cell.key)
    text = f"填报 {this}，上年为 {last}（{where}），变化在 {ratio} 倍{change}，请核实（属实的请写说明）"
    return [_finding(cell, spec, text, this, last, previous)]


def _drop(report: Report, previous: Previous, spec: dict) -> list[Finding]:
    """A line of `column` that had at least `at_least` last year and is 0 this year."""
    out = []
    for cell in report.form.table(spec["table"]).cells:
        if cell.col_key != spec["column"] or cell.row_key in spec.get("except_rows", ()):
            continue
        this, last = report.values.get(cell.key), previous.values.get(cell.key)
        if this == 0 and last is not None and last >= spec["at_least"]:
            text = f"填报 0，上年为 {last}（{_where(previous, cell.key)}），请核实（属实的请写说明）"
            out.append(_finding(cell, spec, text, this, last, previous))
    return out


def _finding(cell: Cell, spec: dict, text: str, this, last, previous: Previous) -> Finding:
    return Finding.at(cell, spec["id"], spec["severity"], text, this, last, related=_where(previous, cell.key))


def plausibility_findings(report: Report, previous: Previous) -> list[Finding]:
    out = []
    for spec in report.form.plausibility_specs:
        out += _ratio(report, previous, spec) if "ratio" in spec else _drop(report, previous, spec)
    return out
