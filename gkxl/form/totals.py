"""Every total of a report computed from its parts: the targets of the form's hard '=' rules.

Blank parts count as 0, as in the rules, but a total whose parts are all blank stays blank (filling 0 would
hide that nothing was filled in). A total whose parts include an invalid cell (text, say) cannot be
computed, and neither can any total that depends on it; nor is a negative number written into a count (四、
结转下年度继续办理 when 三 exceeds 一 + 二): those are left out for the clerk, and the engine says why.
"""

from __future__ import annotations

from gkxl.form.model import Form, Number
from gkxl.form.rules import Rule, hard_rules


def total_rules(form: Form) -> list[Rule]:
    """The rules that define a total: hard rules of the form `target = parts`."""
    return [r for r in hard_rules(form) if r.op == "="]


def computed_totals(form: Form, values: dict[str, Number | None], invalid: set[str] = frozenset()) -> dict[str, Number]:
    """Target key -> value from its parts, in dependency order (a total of totals comes after them)."""
    rules = total_rules(form)
    targets = {r.target.key for r in rules}
    known: dict[str, Number | None] = {
        c.key: values.get(c.key) for c in form.cells if c.key not in targets and c.key not in invalid
    }
    out: dict[str, Number] = {}
    pending = rules
    while pending:
        rest = []
        for rule in pending:
            if rule.target.key in known:
                continue  # one target can close several rules (a grand total); the first computes it
            if not all(c.key in known for c in rule.parts):
                rest.append(rule)
                continue
            value = None if all(known[c.key] is None for c in rule.parts) else rule.expected(known)
            known[rule.target.key] = value
            if value is not None and not (value < 0 and rule.target.kind == "count"):
                out[rule.target.key] = value
        if len(rest) == len(pending):
            break  # what is left depends on an invalid cell
        pending = rest
    return out
