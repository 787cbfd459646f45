"""The phrase table of 一、总体情况 (data/sentences-<form>.json): figures written from cells, and read back.

A template such as “新收政府信息公开申请{apply_new_total}件” is used both ways: to write the sentence from the
workbook, and to recognise the same phrasing in a published text and compare its figure with the tables. A
figure is an expression over cell keys: a key, a sum (`a+b`, `*` globs over the form's keys), and after `|` further
sums a published text may mean (accepted when checking, never written).
"""

from __future__ import annotations

import fnmatch
import json
import re
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path

from gkxl.form.model import Cell, Form
from gkxl.read.values import Number, number_text

DATA = Path(__file__).with_name("data")
_FIELD = re.compile(r"\{([^{}]+)\}")
SEPARATORS = "，、,；;"
NUMBER = r"(\d+(?:\.\d+)?)"


@dataclass(frozen=True)
class Figure:
    """One figure of a template: the sums of cells it may stand for (the first is the one written)."""

    readings: tuple[tuple[Cell, ...], ...]

    @property
    def cells(self) -> tuple[Cell, ...]:
        return self.readings[0]

    def value(self, values: dict[str, Number | None], reading: int = 0) -> Number | None:
        """The sum of a reading's cells; None when one of them is not filled or not a number."""
        parts = [values.get(c.key) for c in self.readings[reading]]
        return None if any(p is None for p in parts) else sum(parts, Decimal(0) if _money(parts) else 0)

    def label(self) -> str:
        """'表三 J6 一、本年新收政府信息公开申请数量·总计'; for a sum, what its cells share and their addresses."""
        cells = self.cells
        if len(cells) == 1:
            return f"{cells[0].sheet} {cells[0].cell} {cells[0].label}"
        shared = _shared([c.row_path for c in cells]) + _shared([c.col_path for c in cells])
        return f"{cells[0].sheet} {'·'.join(shared)}（{'+'.join(c.cell for c in cells)} 之和）"


def _shared(paths: list[tuple[str, ...]]) -> list[str]:
    """The deepest label all paths share, and their last label when it is the same for all."""
    prefix = []
    for labels in zip(*paths, strict=False):
        if len(set(labels)) > 1:
            break
        prefix.append(labels[0])
    out = prefix[-1:]
    last = {p[-1] for p in paths if p}
    if len(last) == 1 and last != set(out):
        out.append(last.pop())
    return out


def _money(parts: list) -> bool:
    return any(isinstance(p, Decimal) for p in parts)


def literal_pattern(text: str) -> str:
    """Literal text as a regular expression in which separators may differ or be left out (“，” for “、”)."""
    return "".join(f"[{SEPARATORS}]?" if ch in SEPARATORS else re.escape(ch) for ch in text)


@dataclass(frozen=True)
class Template:
    """A piece of a sentence: literal text with figures in it."""

    text: str
    figures: tuple[Figure, ...]

    def write(self, values: dict[str, Number | None]) -> str | None:
        """The text with its figures filled in; None when a figure's cells are not filled."""
        shown = [f.value(values) for f in self.figures]
        if any(v is None for v in shown):
            return None
        it = iter(shown)
        return _FIELD.sub(lambda _m: number_text(next(it)), self.text)

    def pattern(self) -> str:
        """A regular expression for the piece as printed: one group per figure."""
        pieces = _FIELD.split(self.text)
        return "".join(NUMBER if i % 2 else literal_pattern(piece) for i, piece in enumerate(pieces))

    def is_zero(self, values: dict[str, Number | None]) -> bool | None:
        shown = [f.value(values) for f in self.figures]
        return None if any(v is None for v in shown) else all(v == 0 for v in shown)


@dataclass(frozen=True)
class Variant:
    """One wording of a sentence: prefix + text + items_lead + items (those not 0, joined by sep) + tail + end.

    Recognised by text + items + tail (prefix and end are only written); `zero` figures are stated as 0 by the
    words of a variant whose condition they are."""

    zero: tuple[Figure, ...]
    prefix: str
    text: Template
    items_lead: str
    items: tuple[Template, ...]
    sep: str
    tail: Template
    end: str


@dataclass(frozen=True)
class Sentence:
    id: str
    variants: tuple[Variant, ...]
    read_only: bool = False  # a phrasing recognised in published texts, never written


@dataclass(frozen=True)
class Paragraph:
    id: str
    sentences: tuple[Sentence, ...]


def _expand(term: str, form: Form) -> tuple[Cell, ...]:
    keys = [c.key for c in form.cells]
    matched = fnmatch.filter(keys, term) if "*" in term else [term] if term in keys else []
    if not matched:
        raise ValueError(f"phrase table {form.id}: no cell matches {term!r}")
    return tuple(form.cell(k) for k in matched)


def _figure(expression: str, form: Form) -> Figure:
    readings = []
    for alternative in expression.split("|"):
        cells = [c for term in alternative.split("+") for c in _expand(term.strip(), form)]
        readings.append(tuple(cells))
    return Figure(tuple(readings))


def _template(text: str, form: Form) -> Template:
    return Template(text, tuple(_figure(e, form) for e in _FIELD.findall(text)))


def _variant(data: dict, form: Form) -> Variant:
    return Variant(
        zero=tuple(_figure(k, form) for k in data.get("zero", ())),
        prefix=data.get("prefix", ""),
        text=_template(data.get("text", ""), form),
        items_lead=data.get("items_lead", ""),
        items=tuple(_template(t, form) for t in data.get("items", ())),
        sep=data.get("sep", "、"),
        tail=_template(data.get("tail", ""), form),
        end=data.get("end", ""),
    )


@cache
def phrase_table(form: Form) -> tuple[Paragraph, ...]:
    """The paragraphs of generated sentences for a form (data/sentences-<form id>.json)."""
    data = json.loads((DATA / f"sentences-{form.id}.json").read_text(encoding="utf-8"))
    return tuple(
        Paragraph(
            p["id"],
            tuple(
                Sentence(s["id"], tuple(_variant(v, form) for v in s["variants"]), s.get("read_only", False))
                for s in p["sentences"]
            ),
        )
        for p in data["paragraphs"]
    )


@cache
def report_data() -> dict:
    """The parts, placeholders and leftover patterns shared by both forms (data/report.json)."""
    return json.loads((DATA / "report.json").read_text(encoding="utf-8"))
