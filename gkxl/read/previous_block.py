"""The 上年数据 block: last year's figures a workbook carries for the cross-year rules.

Its cells are derived from the form's cross-year rules (each rule names the figure of last year it needs).
Kept apart from gkxl.check.crossyear so that reading a workbook does not load the rules' evaluation.
"""

from __future__ import annotations

from collections import namedtuple
from functools import cache

from gkxl.form.model import Cell, Form
from gkxl.form.rules import spec_lines

BLOCK_FIRST_ROW = 5  # 上年数据: title, blank, 上年年度, blank, then one row per figure
BLOCK_YEAR_CELL = "B3"


class PreviousCell(namedtuple("PreviousCell", "key source sheet cell")):  # no typing import
    """One input of the 上年数据 block: last year's value `key` of `source` (a Cell of the form), at sheet!cell."""

    __slots__ = ()

    @property
    def label(self) -> str:
        return f"上年 {self.source.where}"


@cache
def previous_cells(form: Form) -> tuple[PreviousCell, ...]:
    """The 上年数据 block: one input per figure of last year that a cross-year rule needs."""
    if not form.previous_sheet:
        return ()
    keys = list(
        dict.fromkeys(
            pick(spec["previous"]).key
            for spec in form.cross_year_specs
            for pick in spec_lines(form.table(spec["table"]), spec)
        )
    )
    sheet = form.previous_sheet["sheet"]
    return tuple(
        PreviousCell(f"prev_{key}", form.cell(key), sheet, f"B{BLOCK_FIRST_ROW + i}") for i, key in enumerate(keys)
    )


def block_cell(prev: PreviousCell) -> Cell:
    """A 上年数据 input as a form cell, so spreadsheet formulas can treat it like any other part."""
    return Cell(
        key=prev.key,
        table="previous",
        sheet=prev.sheet,
        cell=prev.cell,
        row_key=None,
        col_key=prev.key,
        row_path=(prev.label,),
        col_path=(),
        kind=prev.source.kind,
        row_label=prev.label,
        col_label="",
    )
