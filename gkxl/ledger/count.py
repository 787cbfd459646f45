"""Counting a ledger into 表三 and 表四 for report year Y.

表三, per 申请人类型: 本年新收 = received in Y; 上年结转 = received before Y and not concluded before Y; a row
concluded in Y counts in its 办理结果 row; 结转下年度继续办理 = received by the end of Y and not concluded in
Y. 表四: the cases received in Y, by 类型 and 结果. Rows concluded before Y, or received after Y (表四: received
in another year) belong to another year's report: they count nowhere, and the tally says how many and why.
The totals (（七）总计, the 总计 column, each 表四 group's 总计) are the sums of their parts.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from gkxl.form.model import Form
from gkxl.ledger.rows import Ledger
from gkxl.ledger.spec import APPEAL_SHEET, APPLY_SHEET, appeal_spec, apply_spec


@dataclass
class Tally:
    """The counts of one ledger for one year: a value for every cell of each table whose ledger has rows."""

    year: int
    values: dict[str, int] = field(default_factory=dict)  # cell key -> count
    numbers: dict[str, list[str]] = field(default_factory=dict)  # cell key -> 编号 of the rows counted there
    counted: dict[str, int] = field(default_factory=dict)  # sheet -> rows counted
    left_out: dict[str, Counter] = field(default_factory=dict)  # sheet -> reason -> rows


def _add(t: Tally, key: str, number: str) -> None:
    t.values[key] += 1
    t.numbers[key].append(number)


def _apply(form: Form, ledger: Ledger, t: Tally) -> None:
    spec = apply_spec(form)
    start, end = dt.date(t.year, 1, 1), dt.date(t.year, 12, 31)
    table = form.table("apply")
    for cell in table.cells:
        t.values[cell.key], t.numbers[cell.key] = 0, []
    column = {label: key for label, key in spec.applicants}
    result_row = {label: key for label, key in spec.results}
    left, counted = Counter(), 0
    for a in ledger.applications:
        if a.received > end:
            left[f"收到日期在 {t.year} 年以后"] += 1
            continue
        if a.closed is not None and a.closed < start:
            left[f"{t.year} 年以前已办结"] += 1
            continue
        counted += 1
        col = column[a.applicant]
        _add(t, spec.cell(spec.new if a.received >= start else spec.carried_in, col).key, a.number)
        concluded = a.closed is not None and a.closed <= end
        _add(t, spec.cell(result_row[a.result] if concluded else spec.carried_out, col).key, a.number)
        if concluded:
            t.values[spec.cell(spec.closed, col).key] += 1
            t.numbers[spec.cell(spec.closed, col).key].append(a.number)
    order = {a.number: i for i, a in enumerate(ledger.applications)}
    for row in table.row_keys:
        parts = [spec.cell(row, col) for _, col in spec.applicants]
        total = spec.cell(row, spec.total).key
        t.values[total] = sum(t.values[c.key] for c in parts)
        t.numbers[total] = sorted((n for c in parts for n in t.numbers[c.key]), key=order.__getitem__)
    t.counted[APPLY_SHEET], t.left_out[APPLY_SHEET] = counted, left


def _appeal(form: Form, ledger: Ledger, t: Tally) -> None:
    spec = appeal_spec(form)
    for cell in form.table("appeal").cells:
        t.values[cell.key], t.numbers[cell.key] = 0, []
    left, counted = Counter(), 0
    for case in ledger.cases:
        if case.received.year != t.year:
            left[f"收到日期不在 {t.year} 年"] += 1
            continue
        counted += 1
        _add(t, spec.cells[(case.kind, case.result)].key, case.number)
        _add(t, spec.totals[case.kind].key, case.number)
    t.counted[APPEAL_SHEET], t.left_out[APPEAL_SHEET] = counted, left


def tally(form: Form, ledger: Ledger, year: int) -> Tally:
    """The counts of `ledger` (which must have no bad rows) for report `year`; a table whose ledger is
    missing or empty gets no values (the office does not keep that ledger)."""
    if ledger.bad:
        raise ValueError("tally of a ledger with bad rows")
    t = Tally(year)
    if ledger.applications:
        _apply(form, ledger, t)
    if ledger.cases:
        _appeal(form, ledger, t)
    return t
