"""R-FIGURE: figures the prose states, read only where the phrasing is one of the phrase table's, compared with
the tables. A phrasing the table does not know is ignored, never guessed: a false alarm costs more than a miss.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from functools import cache

from gkxl.form.model import Form
from gkxl.read.values import Number, number_text
from gkxl.report.phrases import SEPARATORS, Figure, Variant, literal_pattern, phrase_table


@dataclass(frozen=True)
class Reader:
    """One variant of a sentence as a regular expression; group i holds the figure `figures[i]`."""

    sentence: str
    regex: re.Pattern
    figures: tuple[Figure, ...]
    zero: tuple[Figure, ...]  # stated as 0 by the variant's words whenever it matches


@dataclass(frozen=True)
class Claim:
    figure: Figure
    stated: Decimal
    start: int  # the figure's (or, for a stated zero, the phrase's) span in the part's text
    end: int
    phrase: str


def _reader(sentence: str, v: Variant) -> Reader | None:
    items = "".join(f"(?:[{SEPARATORS}]?{t.pattern()})?" for t in v.items)
    chain = f"(?:{literal_pattern(v.items_lead)}{items})?" if v.items_lead else items
    head, tail = v.text.pattern(), v.tail.pattern()
    if not (head or tail or items):
        return None
    figures = (*v.text.figures, *(f for t in v.items for f in t.figures), *v.tail.figures)
    return Reader(sentence, re.compile(head + chain + tail), figures, v.zero)


@cache
def readers(form: Form) -> tuple[Reader, ...]:
    out = []
    for paragraph in phrase_table(form):
        for s in paragraph.sentences:
            out += [r for v in s.variants if (r := _reader(s.id, v))]
    return tuple(out)


def claims(form: Form, text: str) -> list[Claim]:
    """Every figure stated in `text` in a known phrasing; one claim per printed number or stated zero."""
    seen: set[tuple] = set()
    out = []
    for reader in readers(form):
        for m in reader.regex.finditer(text):
            found = [(i, fig) for i, fig in enumerate(reader.figures) if m.group(i + 1) is not None]
            if not found and not reader.zero:
                continue
            for i, fig in found:
                span = m.span(i + 1)
                if span not in seen:
                    seen.add(span)
                    out.append(Claim(fig, Decimal(m.group(i + 1)), *span, m.group(0)))
            for fig in reader.zero:
                if not any(c.figure.cells == fig.cells and c.start < m.end() and m.start() < c.end for c in out):
                    out.append(Claim(fig, Decimal(0), m.start(), m.end(), m.group(0)))
    return sorted(out, key=lambda c: c.start)


@dataclass(frozen=True)
class Contradiction:
    claim: Claim
    expected: Number


def contradictions(form: Form, text: str, values: dict[str, Number | None]) -> list[Contradiction]:
    """Claims whose figure equals none of its readings in `values`; a reading with an unfilled cell is skipped."""
    out = []
    for claim in claims(form, text):
        readings = [claim.figure.value(values, r) for r in range(len(claim.figure.readings))]
        if any(v is None for v in readings):
            continue
        if claim.stated not in {Decimal(v) for v in readings}:
            out.append(Contradiction(claim, readings[0]))
    return out


def describe(c: Contradiction) -> str:
    stated = number_text(c.claim.stated)
    return f"写作 {stated}，{c.claim.figure.label()} 为 {number_text(c.expected)}"
