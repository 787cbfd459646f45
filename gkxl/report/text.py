"""A report's text split into its parts: the prose the checks read, with where each piece was printed.

Built from the lines the importer reads (any of txt, html, docx, pdf); table rows are left out of the prose.
Lines are joined without a separator, since Chinese text wraps anywhere (a PDF line break is not a space).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from gkxl.report.parts import PartSpec, find_heading, numbered_line

if TYPE_CHECKING:
    from gkxl.importer.lines import Source

_FULL_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
_SENTENCE_END = "。！？!?"


@dataclass(frozen=True)
class TextLine:
    text: str
    where: str  # '第 3 页', '段落“…”'
    tabular: bool = False


@dataclass(frozen=True)
class Heading:
    spec: PartSpec
    number: str | None  # as printed
    line: TextLine
    index: int  # position among the report's lines


@dataclass
class Part:
    """The prose under one heading; `text` has no whitespace, `starts` maps offsets back to lines."""

    spec: PartSpec | None  # None: the text before the first heading (title, preamble)
    heading: Heading | None
    text: str = ""
    starts: list[int] = field(default_factory=list)
    lines: list[TextLine] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.spec.heading if self.spec else "标题及前言"

    def where(self, offset: int) -> str:
        """The page or line of `offset` ('第 3 页'); '' where the reader names paragraphs by their text, which
        the finding quotes anyway."""
        if not self.lines:
            return ""
        where = self.lines[max(bisect_right(self.starts, offset) - 1, 0)].where
        return where if where.startswith("第") else ""

    def sentence(self, offset: int) -> tuple[int, int]:
        """The span of the sentence around `offset`."""
        start = max(self.text.rfind(ch, 0, offset) for ch in _SENTENCE_END) + 1
        ends = [i for ch in _SENTENCE_END if (i := self.text.find(ch, offset)) >= 0]
        return start, (min(ends) + 1 if ends else len(self.text))

    def sentences(self) -> list[tuple[int, int]]:
        out, start = [], 0
        for m in re.finditer(f"[{_SENTENCE_END}]", self.text):
            out.append((start, m.end()))
            start = m.end()
        if start < len(self.text):
            out.append((start, len(self.text)))
        return [(a, b) for a, b in out if self.text[a:b].strip()]


@dataclass
class ReportText:
    lines: list[TextLine]
    headings: list[Heading]
    front: Part
    parts: dict[str, Part]  # by part id, for the headings found
    numbered: list[tuple[int, TextLine]]  # other top-level numbered lines ('七、附件'), by position

    def part(self, part_id: str) -> Part | None:
        return self.parts.get(part_id)


def _clean(text: str) -> str:
    return re.sub(r"\s+", "", text.translate(_FULL_DIGITS))


def _append(part: Part, line: TextLine) -> None:
    text = _clean(line.text)
    if text:
        part.starts.append(len(part.text))
        part.lines.append(line)
        part.text += text


def split_parts(lines: list[TextLine]) -> ReportText:
    """Find the six headings (outside tables, each once, in the order printed) and the prose under each."""
    headings, numbered = [], []
    front = Part(None, None)
    parts: dict[str, Part] = {}
    current = front
    for i, line in enumerate(lines):
        if line.tabular:
            continue
        found = find_heading(line.text)
        if found and found[1].id not in parts:
            heading = Heading(found[1], found[0], line, i)
            headings.append(heading)
            current = parts[found[1].id] = Part(found[1], heading)
            continue
        if numbered_line(line.text) and len(_clean(line.text)) <= 20:
            numbered.append((i, line))
        _append(current, line)
    return ReportText(lines, headings, front, parts, numbered)


def source_lines(source: Source) -> list[TextLine]:
    """The importer's first reading of a file as text lines (the only place that knows the importer's Line)."""
    _name, lines = source.readings[0]
    out = []
    for line in lines:
        text = " ".join([*line.labels, *(t.raw for t in line.values)])
        # A table row with one cell of text and no values is prose: some PDFs draw a frame round the whole
        # page, and pdfplumber then reads every line of text as a one-cell table row.
        tabular = line.tabular and (len(line.labels) > 1 or bool(line.values))
        out.append(TextLine(text, line.where, tabular))
    return out


def read_text(source: Source) -> ReportText:
    return split_parts(source_lines(source))
