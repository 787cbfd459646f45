"""Consistency rules (勾稽关系), derived from the form definition.

A rule spec in the form data names a table, a target (a row or column key), the parts that should add up
to it, and whether it applies to each column (a row identity) or each row (a column identity). Expanding a
spec over the table gives one `Rule` per target cell: `target op sum(plus) - sum(minus)`.
"""

from __future__ import annotations

import operator
from decimal import Decimal
from functools import cache, partial

from gkxl.form.model import DERIVED, Cell, Form, Table
from gkxl.form.record import Frozen

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (the validate hot path)
if TYPE_CHECKING:
    from collections.abc import Callable

Number = int | Decimal

OPS = {"=": operator.eq, "<=": operator.le, ">=": operator.ge}


class Rule(Frozen):
    id: str
    severity: str  # 'error' (必须修改) or 'warning' (请核实)
    title: str  # what the rule says, as a person reads it
    basis: str  # how the expected value is described in a message: '各项合计'
    target: Cell
    plus: tuple[Cell, ...]
    minus: tuple[Cell, ...]
    op: str
    name: str  # a short Chinese name for clerks (the 校验 sheet's 规则 column); `id` is for support

    _fields = ("id", "severity", "title", "basis", "target", "plus", "minus", "op", "name")

    def __init__(
        self,
        id: str,
        severity: str,
        title: str,
        basis: str,
        target: Cell,
        plus: tuple[Cell, ...],
        minus: tuple[Cell, ...] = (),
        op: str = "=",
        name: str = "",
    ) -> None:
        self.__dict__.update(
            id=id, severity=severity, title=title, basis=basis, target=target, plus=plus, minus=minus, op=op, name=name
        )

    @property
    def parts(self) -> tuple[Cell, ...]:
        return self.plus + self.minus

    def expected(self, values: dict[str, Number | None]) -> Number:
        """The value the target should have; blanks count as 0."""
        keys = self.__dict__.get("_keys")
        if keys is None:  # the parts' keys, once (and kept in the form's cache with the rules)
            keys = self.__dict__["_keys"] = (tuple(c.key for c in self.plus), tuple(c.key for c in self.minus))
        plus, minus = keys
        total: Number = sum([values.get(k) or 0 for k in plus], 0)
        return total - sum([values.get(k) or 0 for k in minus], 0) if minus else total

    def holds(self, reported: Number, expected: Number) -> bool:
        return OPS[self.op](reported, expected)


def _in_column(table: Table, col: str, row: str | None) -> Cell:
    return table.cell(row, col)


def _in_row(table: Table, row: str | None, col: str) -> Cell:
    return table.cell(row, col)  # the same lookup, with the row fixed first (for functools.partial)


def spec_lines(table: Table, spec: dict) -> list[Callable[[str], Cell]]:
    """One picker per line a spec applies to: for `each: column`, pick(row_key) is that row's cell in the
    column; for `each: row`, pick(col_key) is that column's cell in the row."""
    if spec["each"] == "column":
        return [partial(_in_column, table, col) for col in spec.get("columns") or table.col_keys]
    return [partial(_in_row, table, row) for row in spec.get("rows") or table.row_keys]


def _expand(table: Table, spec: dict) -> list[Rule]:
    return [
        Rule(
            id=spec["id"],
            severity=spec["severity"],
            title=spec["title"],
            basis=spec["basis"],
            op=spec.get("op", "="),
            name=spec.get("name", ""),
            target=pick(spec["target"]),
            plus=tuple(pick(p) for p in spec.get("plus", ())),
            minus=tuple(pick(m) for m in spec.get("minus", ())),
        )
        for pick in spec_lines(table, spec)
    ]


@cache
def form_rules(form: Form) -> tuple[Rule, ...]:
    """Every rule of the form, hard and soft, one per target cell (kept in the form's cache, gkxl.form.model)."""
    found = form.__dict__.get("_rules")
    if found is None:
        out: list[Rule] = []
        for spec in form.rule_specs:
            out.extend(_expand(form.table(spec["table"]), spec))
        found = form.__dict__["_rules"] = tuple(out)
    return found


DERIVED["_rules"] = form_rules


def hard_rules(form: Form) -> tuple[Rule, ...]:
    return tuple(r for r in form_rules(form) if r.severity == "error")
