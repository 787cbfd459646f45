"""What the two ledgers hold, derived from the form: the 申请人类型 and 办理结果 choices of 依申请台账 are the
columns and leaf result rows of 表三; the 类型 and 结果 choices of 复议诉讼台账 are the column groups of 表四.

The form data (`checks.ledger`) names the roles of 表三's rows; the choices come from the form's rules
(the parts of the applicants' total and of （七）总计), so a form version brings its own lists.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from gkxl.form.model import Cell, Form
from gkxl.form.rules import Rule, hard_rules

APPLY_SHEET = "依申请台账"
APPEAL_SHEET = "复议诉讼台账"
RESULT_SEPARATOR = " / "
# The columns of each ledger, in the template's order; a separate ledger may order them as it likes.
APPLY_HEADERS = ("编号", "收到日期", "申请人类型", "申请内容", "办理结果", "办结日期", "备注")
APPEAL_HEADERS = ("编号", "类型", "结果", "收到日期", "备注")
OPTIONAL_HEADERS = ("申请内容", "备注")


@dataclass(frozen=True)
class ApplySpec:
    """依申请台账 against 表三: its choices and which row of the table each count goes to."""

    form: Form
    applicants: tuple[tuple[str, str], ...]  # (label as printed, column key)
    results: tuple[tuple[str, str], ...]  # (label, row key) of each leaf result row
    new: str
    carried_in: str
    closed: str
    carried_out: str
    total: str
    rule: str  # the id of the rule comparing 表三 with this ledger

    def cell(self, row_key: str, col_key: str) -> Cell:
        return self.form.table("apply").cell(row_key, col_key)


@dataclass(frozen=True)
class AppealSpec:
    """复议诉讼台账 against 表四: a case type is a column group, a result a column in it."""

    form: Form
    types: tuple[str, ...]  # 行政复议, 未经复议直接起诉, 复议后起诉
    results: tuple[str, ...]  # 结果维持, 结果纠正, 其他结果, 尚未审结
    cells: dict[tuple[str, str], Cell]  # (type, result) -> cell
    totals: dict[str, Cell]  # type -> its 总计 cell
    rule: str


def _rule_for(form: Form, table: str, row: str | None = None, column: str | None = None) -> Rule:
    """The first hard rule of `table` totalling the row `row` across its columns' cells in one column, or
    the column `column` across the cells of one row."""
    for rule in hard_rules(form):
        t = rule.target
        if t.table != table:
            continue
        if row and t.row_key == row and all(c.col_key == t.col_key for c in rule.parts):
            return rule
        if column and t.col_key == column and all(c.row_key == t.row_key for c in rule.parts):
            return rule
    raise KeyError((form.id, table, row, column))


def _result_label(cell: Cell, group: int) -> str:
    return RESULT_SEPARATOR.join(cell.row_path[group:])


@cache
def apply_spec(form: Form) -> ApplySpec:
    roles = form.checks["ledger"]["apply"]
    table = roles["table"]
    applicants = _rule_for(form, table, column=roles["total"]).plus
    leaves = _rule_for(form, table, row=roles["closed"])
    group = len(leaves.target.row_path) - 1  # '三、本年度办理结果' is above every result row: not in the choice
    return ApplySpec(
        form=form,
        applicants=tuple((c.col_path[-1], c.col_key) for c in applicants),
        results=tuple((_result_label(c, group), c.row_key) for c in leaves.plus),
        new=roles["new"],
        carried_in=roles["carried_in"],
        closed=roles["closed"],
        carried_out=roles["carried_out"],
        total=roles["total"],
        rule=roles["rule"],
    )


@cache
def appeal_spec(form: Form) -> AppealSpec:
    roles = form.checks["ledger"]["appeal"]
    table = roles["table"]
    groups = [r for r in hard_rules(form) if r.target.table == table]
    results = tuple(c.col_path[-1] for c in groups[0].plus)
    cells, totals, types = {}, {}, []
    for rule in groups:
        kind = rule.target.col_path[-2]
        if tuple(c.col_path[-1] for c in rule.plus) != results:
            raise ValueError(f"form {form.id}: 表四 groups differ in their results")
        types.append(kind)
        totals[kind] = rule.target
        cells.update({(kind, c.col_path[-1]): c for c in rule.plus})
    return AppealSpec(form, tuple(types), results, cells, totals, roles["rule"])


def has_ledger(form: Form) -> bool:
    return "ledger" in form.checks
