"""Where each printed label of a table sits, derived from the form definition.

The template writes these labels (with their merges) and the reader checks them, so both agree by
construction. Column headers are stacked above a section's first value row, one header row per level of
the deepest column path; row labels sit left of the value columns, one label column per level.
"""

from __future__ import annotations

from itertools import groupby

from gkxl.form.model import Section, Table
from gkxl.form.record import Frozen

TITLE_ROW = 1


class Label(Frozen):
    top: int
    left: int
    bottom: int
    right: int
    text: str
    role: str  # title, caption, corner, column, row

    _fields = ("top", "left", "bottom", "right", "text", "role")

    def __init__(self, top: int, left: int, bottom: int, right: int, text: str, role: str) -> None:
        self.__dict__.update(top=top, left=left, bottom=bottom, right=right, text=text, role=role)

    @property
    def merged(self) -> bool:
        return (self.top, self.left) != (self.bottom, self.right)


def _label_columns(section: Section) -> int:
    return min(c.col for c in section.columns) - 1


def _header_depth(section: Section) -> int:
    return max(len(c.label) for c in section.columns)


def _column_labels(section: Section, first_row: int) -> list[Label]:
    depth = _header_depth(section)
    top = first_row - depth
    columns = sorted(section.columns, key=lambda c: c.col)
    out = []
    for level in range(depth):
        present = [c for c in columns if len(c.label) > level]
        for prefix, group in groupby(present, key=lambda c: c.label[: level + 1]):
            members = list(group)
            leaf = len(members) == 1 and len(members[0].label) == level + 1
            last = members[-1]
            out.append(
                Label(
                    top + level,
                    members[0].col,
                    first_row - 1 if leaf else top + level,
                    last.col + last.span - 1,
                    prefix[-1],
                    "column",
                )
            )
    return out


def _row_labels(section: Section, width: int) -> list[Label]:
    rows = sorted(section.rows, key=lambda r: r.row)
    out = []
    for level in range(width):
        present = [r for r in rows if len(r.label) > level]
        for prefix, group in groupby(present, key=lambda r: r.label[: level + 1]):
            members = list(group)
            leaf = len(members) == 1 and len(members[0].label) == level + 1
            out.append(
                Label(members[0].row, level + 1, members[-1].row, width if leaf else level + 1, prefix[-1], "row")
            )
    return out


def section_labels(section: Section, table_width: int) -> list[Label]:
    first_row = min(r.row for r in section.rows)
    depth = _header_depth(section)
    width = _label_columns(section)
    out = []
    if section.caption:
        out.append(Label(first_row - depth - 1, 1, first_row - depth - 1, table_width, section.caption, "caption"))
    if width and section.corner:
        out.append(Label(first_row - depth, 1, first_row - 1, width, section.corner, "corner"))
    return out + _column_labels(section, first_row) + _row_labels(section, width)


def table_labels(table: Table) -> list[Label]:
    """Every printed label of the table, title first."""
    out = [Label(TITLE_ROW, 1, TITLE_ROW, table.width, table.title, "title")]
    for section in table.sections:
        out.extend(section_labels(section, table.width))
    return out


def value_merges(table: Table) -> list[tuple[int, int, int, int]]:
    """Value cells that span several columns (表二 （五）（六）（八） in form 2021)."""
    return [
        (r.row, c.col, r.row, c.col + c.span - 1)
        for s in table.sections
        for c in s.columns
        if c.span > 1
        for r in s.rows
    ]


def table_extent(table: Table) -> tuple[int, int]:
    """(last row, last column) of the printed table."""
    return max(r.row for s in table.sections for r in s.rows), table.width
