"""What the matcher looks for, derived from the form definition: one target per printed row of a table.

A target's names are its printed labels, normalised: the leaf ('1.属于国家秘密'), the leaf with its group
('（三）不予公开 1.属于国家秘密') and the whole path. A form may also accept a single row standing for a whole
group of rows (checks.import_group_rows in the form data: form 2021 accepts the 2019-style single （六）其他处理
row and puts it into （六）3.其他).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from gkxl.form.model import Cell, Form, Section, Table
from gkxl.importer.text import norm_label


@dataclass(frozen=True, eq=False)
class Target:
    table: Table
    section: Section
    label: tuple[str, ...]  # the printed row path
    cells: tuple[Cell, ...]  # where the values go, in column order
    names: tuple[str, ...]  # normalised labels the row may be printed as
    group: bool = False  # a single row standing for a group of rows (hybrid layout)

    @property
    def shown(self) -> str:
        return " ".join(self.label) or "（数据行）"

    @property
    def where(self) -> str:
        return f"{self.table.sheet} “{self.shown}”"

    @property
    def width(self) -> int:
        return len(self.cells)

    def column_names(self) -> str:
        return "、".join(c.col_label for c in self.cells)


def _names(path: tuple[str, ...]) -> tuple[str, ...]:
    if not path:
        return ()
    variants = [path[-1], "".join(path[-2:]), "".join(path)]
    return tuple(dict.fromkeys(norm_label(v) for v in variants))


def _section_of(table: Table, row_key: str | None) -> Section:
    return next(s for s in table.sections if any(r.key == row_key for r in s.rows))


@cache
def form_targets(form: Form) -> tuple[Target, ...]:
    out = []
    for table in form.tables:
        for section in table.sections:
            for row in section.rows:
                cells = tuple(table.cell(row.key, c.key) for c in section.columns)
                out.append(Target(table, section, cells[0].row_path, cells, _names(cells[0].row_path)))
    for spec in form.checks.get("import_group_rows", ()):
        table = form.table(spec["table"])
        cells = tuple(c for c in table.cells if c.row_key == spec["into"])
        path = cells[0].row_path[:-1]
        out.append(Target(table, _section_of(table, spec["into"]), path, cells, _names(path), group=True))
    return tuple(out)


def group_members(form: Form, group: Target) -> list[Target]:
    """The ordinary rows a group target stands for."""
    n = len(group.label)
    return [t for t in form_targets(form) if not t.group and t.table is group.table and t.label[:n] == group.label]


@cache
def table_anchors(table: Table) -> tuple[str, ...]:
    """Labels that only this table prints: its title, captions, corner notes and column headers."""
    texts = [table.title]
    for s in table.sections:
        texts += [s.caption or "", s.corner or ""] + [part for c in s.columns for part in c.label]
    return tuple(t for t in dict.fromkeys(norm_label(x) for x in texts) if len(t) >= 4)


@cache
def section_header(section: Section) -> str:
    """A section's header row as one normalised text: '信息内容本年制发件数本年废止件数现行有效件数'."""
    return norm_label((section.corner or "") + "".join(c.label[-1] for c in section.columns))
