"""The statutory forms as data: load a definition and expand it into cells.

Each form version is a JSON file in `gkxl/form/forms/`. A table has sections; a section has value columns
(with an explicit column letter) and rows (with an explicit row number), so every input cell's address
is stated in the data. Everything else (template, rules, reader, CSV schema) is derived from here.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache, cached_property
from pathlib import Path
from typing import NamedTuple

Number = int | Decimal  # a count is an int, an amount of money (万元) a Decimal: never a float
FORMS_DIR = Path(__file__).parent / "forms"
# One JSON file per form version: adding a version is adding a file. Newest first; the newest is the default.
FORM_IDS = tuple(sorted((p.stem for p in FORMS_DIR.glob("*.json")), reverse=True))
DEFAULT_FORM = FORM_IDS[0]
KINDS = ("count", "signed_count", "money")
TEMPLATE_VERSION = "1"  # of the workbook layout (cover, sheets, cells); the reader refuses other versions


def column_index(letters: str) -> int:
    """'A' -> 1, 'AA' -> 27."""
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def column_letters(index: int) -> str:
    out = ""
    while index:
        index, rem = divmod(index - 1, 26)
        out = chr(65 + rem) + out
    return out


@cache
def split_address(address: str) -> tuple[int, int]:
    """'D6' -> (row 6, column 4)."""
    m = re.fullmatch(r"([A-Z]+)(\d+)", address)
    if not m:
        raise ValueError(f"bad cell address {address!r}")
    return int(m.group(2)), column_index(m.group(1))


class Column(NamedTuple):
    key: str
    label: tuple[str, ...]
    col: int
    kind: str
    span: int = 1
    places: int | None = None  # decimals the form asks to print (2019 采购总金额: 保留4位小数); None: as typed


class Row(NamedTuple):
    key: str | None
    label: tuple[str, ...]
    row: int


class Section(NamedTuple):
    caption: str | None
    corner: str | None
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]


class Cell(NamedTuple):
    """One input cell of the form."""

    key: str
    table: str
    sheet: str
    cell: str
    row_key: str | None
    col_key: str
    row_path: tuple[str, ...]
    col_path: tuple[str, ...]
    kind: str
    row_label: str
    col_label: str
    span: int = 1
    places: int | None = None  # see Column.places

    @property
    def label(self) -> str:
        """How a person names the cell: '（七）总计·自然人'."""
        return "·".join(p for p in (self.row_label, self.col_label) if p)

    @property
    def where(self) -> str:
        return f"{self.sheet} {self.label}"


class Meta(NamedTuple):
    key: str
    sheet: str
    cell: str
    label: str
    kind: str  # text, year, code (单位代码), choice (one of `options`)
    optional: bool = False  # may stay blank without a finding
    options: tuple[str, ...] = ()


@dataclass(frozen=True)
class Table:
    id: str
    sheet: str
    title: str
    sections: tuple[Section, ...]
    cells: tuple[Cell, ...] = field(default=(), compare=False)
    orientation: str = "portrait"  # of the printed page: the wide tables (表三, 表四) print landscape

    def cell(self, row_key: str | None, col_key: str) -> Cell:
        for c in self.cells:
            if c.row_key == row_key and c.col_key == col_key:
                return c
        raise KeyError((self.id, row_key, col_key))

    @property
    def row_keys(self) -> list[str | None]:
        return list(dict.fromkeys(c.row_key for c in self.cells))

    @property
    def col_keys(self) -> list[str]:
        return list(dict.fromkeys(c.col_key for c in self.cells))

    @property
    def width(self) -> int:
        return max(c.col + c.span - 1 for s in self.sections for c in s.columns)


@dataclass(frozen=True, eq=False)
class Form:
    id: str
    name: str
    issued_by: str
    years: tuple[int, int | None]
    cover: dict
    meta: tuple[Meta, ...]
    tables: tuple[Table, ...]
    rule_specs: tuple[dict, ...]
    checks: dict
    cross_year_specs: tuple[dict, ...] = ()
    previous_sheet: dict | None = None
    plausibility_specs: tuple[dict, ...] = ()  # year-over-year plausibility warnings (thresholds as data)

    @cached_property  # read for every file: build the tuple once
    def cells(self) -> tuple[Cell, ...]:
        return tuple(c for t in self.tables for c in t.cells)

    def cell(self, key: str) -> Cell:
        return _cell_index(self)[key]

    def table(self, table_id: str) -> Table:
        for t in self.tables:
            if t.id == table_id:
                return t
        raise KeyError(table_id)

    def meta_cell(self, key: str) -> Meta:
        return next(m for m in self.meta if m.key == key)

    def covers_year(self, year: int) -> bool:
        first, last = self.years
        return year >= first and (last is None or year <= last)

    def to_json(self) -> dict:
        """The public contract printed by `gkxl form --json`."""
        return {
            "form": self.id,
            "name": self.name,
            "issued_by": self.issued_by,
            "cells": [
                {
                    "key": c.key,
                    "sheet": c.sheet,
                    "cell": c.cell,
                    "row_path": list(c.row_path),
                    "col_path": list(c.col_path),
                    "kind": c.kind,
                }
                for c in self.cells
            ],
            "meta": [
                {"key": m.key, "sheet": m.sheet, "cell": m.cell, "label": m.label, "kind": m.kind}
                | ({"optional": True} if m.optional else {})
                | ({"options": list(m.options)} if m.options else {})
                for m in self.meta
            ],
        }


@cache
def _cell_index(form: Form) -> dict[str, Cell]:
    return {c.key: c for c in form.cells}


def _short_labels(paths: list[tuple[str, ...]]) -> dict[tuple[str, ...], str]:
    """The shortest suffix of each path that tells it apart from the others ('总计' is ambiguous in 表四)."""
    distinct = list(dict.fromkeys(paths))
    out = {}
    for p in distinct:
        if not p:
            out[p] = ""
            continue
        for n in range(1, len(p) + 1):
            suffix = p[-n:]
            if sum(1 for q in distinct if q[-n:] == suffix) == 1:
                break
        if suffix[0][:1].isdigit() and n < len(p):
            # '1.属于国家秘密' reads better with its group: '（三）不予公开 1.属于国家秘密'
            out[p] = " ".join(p[-n - 1 :])
        else:
            out[p] = "·".join(suffix)
    return out


def _table(data: dict) -> Table:
    sections = tuple(
        Section(
            caption=s.get("caption"),
            corner=s.get("corner"),
            columns=tuple(
                Column(
                    c["key"], tuple(c["label"]), column_index(c["col"]), c["kind"], c.get("span", 1), c.get("places")
                )
                for c in s["columns"]
            ),
            rows=tuple(Row(r["key"], tuple(r["label"]), r["row"]) for r in s["rows"]),
        )
        for s in data["sections"]
    )
    entries = []
    for s in sections:
        for r in s.rows:
            row_path = ((s.caption,) if s.caption else ()) + r.label
            for c in s.columns:
                entries.append((s, r, c, row_path))
    row_labels = _short_labels([r.label for _, r, _, _ in entries])
    col_labels = _short_labels([c.label for _, _, c, _ in entries])
    cells = tuple(
        Cell(
            key="_".join(p for p in (data["id"], r.key, c.key) if p),
            table=data["id"],
            sheet=data["sheet"],
            cell=f"{column_letters(c.col)}{r.row}",
            row_key=r.key,
            col_key=c.key,
            row_path=row_path,
            col_path=c.label,
            kind=c.kind,
            row_label=row_labels[r.label] if r.label else "",
            col_label=col_labels[c.label],
            span=c.span,
            places=c.places,
        )
        for s, r, c, row_path in entries
    )
    return Table(data["id"], data["sheet"], data["title"], sections, cells, data.get("orientation", "portrait"))


def parse_form(data: dict) -> Form:
    first, last = data["years"]
    form = Form(
        id=data["form"],
        name=data["name"],
        issued_by=data["issued_by"],
        years=(first, last),
        cover=data["cover"],
        meta=tuple(Meta(**{**m, "options": tuple(m.get("options", ()))}) for m in data["meta"]),
        tables=tuple(_table(t) for t in data["tables"]),
        rule_specs=tuple(data["rules"]),
        checks=data.get("checks", {}),
        cross_year_specs=tuple(data.get("cross_year_rules", ())),
        previous_sheet=data.get("previous_sheet"),
        plausibility_specs=tuple(data.get("plausibility", ())),
    )
    keys = [c.key for c in form.cells]
    if len(keys) != len(set(keys)):
        raise ValueError(f"form {form.id}: duplicate cell keys")
    unknown = {c.kind for c in form.cells} - set(KINDS)
    if unknown:
        raise ValueError(f"form {form.id}: unknown kinds {sorted(unknown)}")
    return form


@cache
def load_form(form_id: str = DEFAULT_FORM) -> Form:
    """The definition of one form version ('2021' or '2019')."""
    if form_id not in FORM_IDS:
        raise KeyError(form_id)
    text = (FORMS_DIR / f"{form_id}.json").read_text(encoding="utf-8")
    return parse_form(json.loads(text))


def form_for_year(year: int) -> Form:
    """The form in force for reports of `year`."""
    for fid in FORM_IDS:
        form = load_form(fid)
        if form.covers_year(year):
            return form
    from gkxl.errors import GkxlError

    raise GkxlError(f"没有适用于 {year} 年报告的表式（本程序支持 {'、'.join(FORM_IDS)} 年表式）")
