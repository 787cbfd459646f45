"""Consistency rules (勾稽关系), derived from the form definition.

A rule spec in the form data names a table, a target (a row or column key), the parts that should add up
to it, and whether it applies to each column (a row identity) or each row (a column identity). Expanding a
spec over the table gives one `Rule` per target cell: `target op sum(plus) - sum(minus)`.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass
from decimal import Decimal
from functools import cache

from gkxl.model import Cell, Form, Table

Number = int | Decimal

OPS = {"=": operator.eq, "<=": operator.le, ">=": operator.ge}


@dataclass(frozen=True)
class Rule:
    id: str
    severity: str  # 'error' (必须修改) or 'warning' (请核实)
    title: str  # what the rule says, as a person reads it
    basis: str  # how the expected value is described in a message: '各项合计'
    target: Cell
    plus: tuple[Cell, ...]
    minus: tuple[Cell, ...] = ()
    op: str = "="

    @property
    def parts(self) -> tuple[Cell, ...]:
        return self.plus + self.minus

    def expected(self, values: dict[str, Number | None]) -> Number:
        """The value the target should have; blanks count as 0."""
        total: Number = sum((values.get(c.key) or 0 for c in self.plus), 0)
        return total - sum((values.get(c.key) or 0 for c in self.minus), 0)

    def holds(self, reported: Number, expected: Number) -> bool:
        return OPS[self.op](reported, expected)


def _expand(table: Table, spec: dict) -> list[Rule]:
    common = dict(
        id=spec["id"],
        severity=spec["severity"],
        title=spec["title"],
        basis=spec["basis"],
        op=spec.get("op", "="),
    )
    if spec["each"] == "column":
        keys = spec.get("columns") or table.col_keys
        pick = lambda line, col: table.cell(line, col)  # noqa: E731 - rows named in the spec
    else:
        keys = spec.get("rows") or table.row_keys
        pick = lambda line, row: table.cell(row, line)  # noqa: E731 - columns named in the spec
    return [
        Rule(
            target=pick(spec["target"], k),
            plus=tuple(pick(p, k) for p in spec.get("plus", ())),
            minus=tuple(pick(m, k) for m in spec.get("minus", ())),
            **common,
        )
        for k in keys
    ]


@cache
def form_rules(form: Form) -> tuple[Rule, ...]:
    """Every rule of the form, hard and soft, one per target cell."""
    out: list[Rule] = []
    for spec in form.rule_specs:
        out.extend(_expand(form.table(spec["table"]), spec))
    return tuple(out)


def hard_rules(form: Form) -> tuple[Rule, ...]:
    return tuple(r for r in form_rules(form) if r.severity == "error")


def rule_titles(form: Form) -> dict[str, str]:
    return {s["id"]: s["title"] for s in form.rule_specs}
