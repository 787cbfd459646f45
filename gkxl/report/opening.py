"""The generated opening of 一、总体情况: one paragraph per group of the phrase table, every figure from a cell.

A variant is chosen by its zero figures (the first whose figures are all 0, else the last), so a unit with no
applications reads “本年度未收到新的政府信息公开申请”, not “0件”. A figure whose cells are not filled is never
written as 0: the sentence becomes a marked placeholder naming the cells.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from gkxl.report.phrases import Figure, Sentence, Variant, phrase_table, report_data

if TYPE_CHECKING:
    from gkxl.read.reader import Report


@dataclass(frozen=True)
class Segment:
    text: str
    placeholder: bool = False  # a marked gap the clerk must fill (R-LEFTOVER flags it)


Paragraph = tuple[Segment, ...]


def placeholder(what: str) -> Segment:
    return Segment(report_data()["placeholder"].format(what=what), placeholder=True)


def _unfilled(figures: list[Figure], report: Report) -> list[str]:
    missing = {c.key: c for f in figures for c in f.cells if report.values.get(c.key) is None}
    return [f"{c.sheet} {c.cell}（{c.label}）" for c in missing.values()]


def _choose(sentence: Sentence, report: Report) -> Variant | list[str]:
    """The variant to write, or the cells that must be filled before one can be chosen."""
    for v in sentence.variants:
        if not v.zero:
            return v
        missing = _unfilled(list(v.zero), report)
        if missing:
            return missing
        if all(f.value(report.values) == 0 for f in v.zero):
            return v
    return sentence.variants[-1]


def _figures(v: Variant) -> list[Figure]:
    return [*v.text.figures, *(f for t in v.items for f in t.figures), *v.tail.figures]


def _write(v: Variant, report: Report) -> str:
    values = report.values
    items = [t.write(values) for t in v.items if not t.is_zero(values)]
    chain = (v.items_lead if v.text.text and items else "") + v.sep.join(items)
    written = [v.text.write(values), chain, v.tail.write(values)]
    body = "".join(w for w in written if w)
    return f"{v.prefix}{body}{v.end}" if body else ""


def sentence_segment(sentence: Sentence, report: Report) -> Segment | None:
    chosen = _choose(sentence, report)
    if isinstance(chosen, Variant):
        missing = _unfilled(_figures(chosen), report)
        if not missing:
            text = _write(chosen, report)
            return Segment(text) if text else None
    else:
        missing = chosen
    what = report_data()["missing_cell"].format(where="、".join(missing))
    return placeholder(what)


def opening(report: Report) -> list[Paragraph]:
    """The generated paragraphs (主动公开, 依申请, 复议和诉讼), in the phrase table's order."""
    out = []
    for paragraph in phrase_table(report.form):
        segments = [
            s for sentence in paragraph.sentences if not sentence.read_only if (s := sentence_segment(sentence, report))
        ]
        if segments:
            out.append(_merge(segments))
    return out


def _merge(segments: list[Segment]) -> Paragraph:
    """Adjacent plain sentences become one segment."""
    out: list[Segment] = []
    for s in segments:
        if out and not s.placeholder and not out[-1].placeholder:
            out[-1] = Segment(out[-1].text + s.text)
        else:
            out.append(s)
    return tuple(out)
