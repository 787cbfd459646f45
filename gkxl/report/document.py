"""The model of a written report: title, preamble and the six parts, each prose or one table grid.

Both writers (DOCX, HTML) only translate this model; the tables are the render grid (gkxl.render.grid), so
parts 二–四 look exactly as `gkxl render` draws them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from gkxl.render.grid import TableGrid, heading, table_grid
from gkxl.report.opening import Paragraph, Segment, opening, placeholder
from gkxl.report.parts import PartSpec, part_specs

if TYPE_CHECKING:
    from gkxl.read.reader import Report
    from gkxl.report.prose import Prose


@dataclass(frozen=True)
class Part:
    spec: PartSpec
    paragraphs: tuple[Paragraph, ...] = ()
    table: TableGrid | None = None


@dataclass(frozen=True)
class Document:
    title: str
    unit: str | None
    year: int | None
    preamble: tuple[Paragraph, ...]
    parts: tuple[Part, ...]

    @property
    def placeholders(self) -> int:
        return sum(1 for p in self.parts for para in p.paragraphs for s in para if s.placeholder)


def _prose(spec: PartSpec, prose: Prose | None) -> list[Paragraph]:
    texts = (prose.parts.get(spec.id) if prose else None) or []
    return [(Segment(t),) for t in texts] or [(placeholder(spec.placeholder),)]


def build(report: Report, prose: Prose | None = None) -> Document:
    """The report for `report`'s unit and year; `prose` (the clerk's text) fills 一's sub-sections, 五 and 六."""
    parts = []
    for spec in part_specs(report.form):
        if spec.table:
            parts.append(Part(spec, table=table_grid(report.form.table(spec.table), report.values)))
            continue
        paragraphs = (opening(report) if spec.opening else []) + _prose(spec, prose)
        parts.append(Part(spec, tuple(paragraphs)))
    preamble = tuple((Segment(t),) for t in (prose.preamble if prose else []))
    return Document(heading(report.form, report.unit, report.year), report.unit, report.year, preamble, tuple(parts))
