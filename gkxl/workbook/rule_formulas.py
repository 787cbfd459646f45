"""Spreadsheet formulas for the consistency rules, derived from the same `Rule` objects as the Python engine.

Only functions that behave identically in Excel, WPS and LibreOffice are used (SUM, N, ROUND, COUNT,
COUNTA), no dynamic arrays. Blanks count as 0, as in the engine: SUM skips them and N() of a blank is 0.
Amounts are compared after rounding to 4 places, the precision of money in the form.
"""

from __future__ import annotations

from gkxl.form.model import Cell, column_letters, split_address
from gkxl.form.rules import Rule

PLACES = 4


def _position(cell: Cell) -> tuple[int, int]:
    return split_address(cell.cell)


def _extends(run: list[Cell], cell: Cell) -> bool:
    """Whether `cell` continues `run` as one rectangle (a column or a row of adjacent cells)."""
    last = run[-1]
    if cell.sheet != last.sheet:
        return False
    (row, col), (last_row, last_col) = _position(cell), _position(last)
    down = col == last_col and row == last_row + 1
    right = row == last_row and col == last_col + last.span  # a merged cell's covered columns are empty
    if len(run) == 1:
        return down or right
    vertical = _position(run[0])[1] == last_col
    return down if vertical else right


def _absolute(cell: Cell) -> str:
    row, col = _position(cell)
    return f"${column_letters(col)}${row}"


def refs(cells: tuple[Cell, ...] | list[Cell], qualified: bool) -> list[str]:
    """References to `cells`, adjacent runs joined into ranges; `qualified` prefixes the sheet name."""
    runs: list[list[Cell]] = []
    for cell in cells:
        if runs and _extends(runs[-1], cell):
            runs[-1].append(cell)
        else:
            runs.append([cell])
    out = []
    for run in runs:
        text = _absolute(run[0]) if len(run) == 1 else f"{_absolute(run[0])}:{_absolute(run[-1])}"
        out.append(f"'{run[0].sheet}'!{text}" if qualified else text)
    return out


def reported(rule: Rule, qualified: bool = True) -> str:
    """The reported total as a number (a blank or text is 0)."""
    return f"N({refs([rule.target], qualified)[0]})"


def expected(rule: Rule, qualified: bool = True) -> str:
    """What the target should be: SUM(plus) - SUM(minus)."""
    plus = f"SUM({','.join(refs(rule.plus, qualified))})" if rule.plus else ""
    minus = f"-SUM({','.join(refs(rule.minus, qualified))})" if rule.minus else ""
    return plus + minus or "0"


def difference(reported_ref: str, expected_ref: str) -> str:
    return f"ROUND({reported_ref}-({expected_ref}),{PLACES})"


def violated(rule: Rule, difference_text: str) -> str:
    """A condition that is TRUE when the rule does not hold, given the (reported - expected) difference."""
    return {"=": f"{difference_text}<>0", "<=": f"{difference_text}>0", ">=": f"{difference_text}<0"}[rule.op]


def non_numeric(rule: Rule, qualified: bool = True) -> str:
    """TRUE when a cell of the rule holds text: the engine skips such a rule (the cell has its own finding)."""
    cells = refs((rule.target, *rule.parts), qualified)
    return f"COUNTA({','.join(cells)})<>COUNT({','.join(cells)})"


def broken_condition(rule: Rule) -> str:
    """The conditional-formatting formula on the target's own sheet: TRUE when the total is wrong.

    Parts on another sheet (上年数据) need their sheet name (accepted in conditional formats since Excel 2010)."""
    qualified = any(c.sheet != rule.target.sheet for c in rule.parts)
    return violated(rule, difference(reported(rule, False), expected(rule, qualified)))


def filled(cells: tuple[Cell, ...]) -> str:
    """TRUE when every one of `cells` holds a number."""
    return f"COUNT({','.join(refs(cells, True))})={len(cells)}"


def bad_number(cell: Cell, ref: str) -> str:
    """TRUE when the number in `ref` is not valid for the cell's kind (negative, fractional, > 4 places)."""
    return {
        "count": f"OR({ref}<0,{ref}<>INT({ref}))",
        "signed_count": f"{ref}<>INT({ref})",
        "money": f"OR({ref}<0,ROUND({ref},{PLACES})<>{ref})",
    }[cell.kind]


def invalid(cell: Cell, ref: str) -> str:
    """TRUE when `ref` holds an error value, text (not just spaces) or an invalid number: what the engine
    reports at that cell as V-ERROR, V-NUMBER, V-COUNT or V-MONEY. A blank is not invalid (it is 未填写)."""
    return f"IF(ISERROR({ref}),TRUE,IF(ISNUMBER({ref}),{bad_number(cell, ref)},LEN(TRIM({ref}))>0))"


def unjudged(rule: Rule, qualified: bool = True) -> str:
    """TRUE when a cell of the rule holds text, an error value or an invalid number (negative or fractional
    count): the engine skips such a rule, since that cell has its own finding. IF guards the arithmetic."""
    cells = (rule.target, *rule.parts)
    bad = ",".join(bad_number(c, refs([c], qualified)[0]) for c in cells)
    return f"IF({non_numeric(rule, qualified)},TRUE,OR({bad}))"
