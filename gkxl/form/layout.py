"""Where each printed label of a table sits, derived from the form definition.

The template writes these labels (with their merges) and the reader checks them, so both agree by
construction. Column headers are stacked above a section's first value row, one header row per level of
the deepest column path; row labels sit left of the value columns, one label column per level.
"""

from __future__ import annotations

import unicodedata
from itertools import groupby

from gkxl.form.model import DERIVED, Form, Section, Table, column_letters
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


def squash(text: object) -> str:
    """How printed labels are compared: NFKC, no whitespace ('第二十条 第（一）项' == '第二十条第(一)项');
    Excel, WPS and PDF extraction reflow and re-space labels."""
    return "".join(unicodedata.normalize("NFKC", str(text or "")).split())  # str.split: re's \s, no regex


def label_checks(form: Form) -> tuple[tuple[str, int, int, str, str, str], ...]:
    """(sheet, row, col, address, text, squashed text) of every printed label, as the reader checks them:
    computed once per form (and kept in the form's cache, gkxl.form.model)."""
    found = form.__dict__.get("_label_checks")
    if found is None:
        out = []
        for table in form.tables:
            for label in sorted(table_labels(table), key=lambda lb: (lb.top, lb.left)):
                address = f"{column_letters(label.left)}{label.top}"
                out.append((table.sheet, label.top - 1, label.left - 1, address, label.text, squash(label.text)))
        found = form.__dict__["_label_checks"] = tuple(out)
    return found


DERIVED["_label_checks"] = label_checks
