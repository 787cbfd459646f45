"""Every total of a report computed from its parts: the targets of the form's hard '=' rules.

Blank parts count as 0, as in the rules. A total whose parts include an invalid cell (text, say) cannot be
computed, and neither can any total that depends on it: those are left out.
"""

from __future__ import annotations

from gkxl.model import Form
from gkxl.rules import Rule, hard_rules
from gkxl.values import Number


def total_rules(form: Form) -> list[Rule]:
    """The rules that define a total: hard rules of the form `target = parts`."""
    return [r for r in hard_rules(form) if r.op == "="]


def computed_totals(form: Form, values: dict[str, Number | None], invalid: set[str] = frozenset()) -> dict[str, Number]:
    """Target key -> value from its parts, in dependency order (a total of totals comes after them)."""
    rules = total_rules(form)
    targets = {r.target.key for r in rules}
    known: dict[str, Number] = {
        c.key: values.get(c.key) or 0 for c in form.cells if c.key not in targets and c.key not in invalid
    }
    out: dict[str, Number] = {}
    pending = rules
    while pending:
        rest = []
        for rule in pending:
            if rule.target.key in out:
                continue  # one target can close several rules (a grand total); the first computes it
            if all(c.key in known for c in rule.parts):
                known[rule.target.key] = out[rule.target.key] = rule.expected(known)
            else:
                rest.append(rule)
        if len(rest) == len(pending):
            break  # what is left depends on an invalid cell
        pending = rest
    return out
