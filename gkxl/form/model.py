"""The statutory forms as data: load a definition and expand it into cells.

Each form version is a JSON file in `gkxl/form/forms/`. A table has sections; a section has value columns
(with an explicit column letter) and rows (with an explicit row number), so every input cell's address
is stated in the data. Everything else (template, rules, reader, CSV schema) is derived from here.
"""

from __future__ import annotations

import os
from collections import namedtuple
from decimal import Decimal
from functools import cache, cached_property

from gkxl.form.record import Frozen, Identity

Number = int | Decimal  # a count is an int, an amount of money (万元) a Decimal: never a float
FORMS_DIR = os.path.join(os.path.dirname(__file__), "forms")  # a str: no pathlib on the validate hot path
# One JSON file per form version: adding a version is adding a file. Newest first; the newest is the default.
FORM_IDS = tuple(sorted((n[:-5] for n in os.listdir(FORMS_DIR) if n.endswith(".json")), reverse=True))
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
    i = 0  # the letters [A-Z]+, then the digits (\\d+, as a regex would take them)
    while i < len(address) and "A" <= address[i] <= "Z":
        i += 1
    digits = address[i:]
    if not i or not digits.isdecimal():
        raise ValueError(f"bad cell address {address!r}")
    return int(digits), column_index(address[:i])


# The form's parts are named tuples (collections.namedtuple: typing.NamedTuple would import typing at every
# start). Field comments: Column.places, the decimals the form asks to print (2019 采购总金额: 保留4位小数),
# None: as typed.
class Column(namedtuple("Column", "key label col kind span places", defaults=(1, None))):
    __slots__ = ()


class Row(namedtuple("Row", "key label row")):
    __slots__ = ()


class Section(namedtuple("Section", "caption corner columns rows")):
    __slots__ = ()


_CELL_FIELDS = "key table sheet cell row_key col_key row_path col_path kind row_label col_label span places"


class Cell(namedtuple("Cell", _CELL_FIELDS, defaults=(1, None))):
    """One input cell of the form (`places`: see Column)."""

    __slots__ = ()

    @property
    def label(self) -> str:
        """How a person names the cell: '（七）总计·自然人'."""
        return "·".join(p for p in (self.row_label, self.col_label) if p)

    @property
    def where(self) -> str:
        return f"{self.sheet} {self.label}"


class Meta(namedtuple("Meta", "key sheet cell label kind optional options", defaults=(False, ()))):
    """A cover cell. kind: text, year, code (单位代码), choice (one of `options`); optional: may stay blank
    without a finding."""

    __slots__ = ()


class Table(Frozen):
    id: str
    sheet: str
    title: str
    sections: tuple[Section, ...]
    cells: tuple[Cell, ...]  # not compared
    orientation: str  # of the printed page: the wide tables (表三, 表四) print landscape

    _fields = ("id", "sheet", "title", "sections", "cells", "orientation")
    _compare = ("id", "sheet", "title", "sections", "orientation")

    def __init__(
        self,
        id: str,
        sheet: str,
        title: str,
        sections: tuple[Section, ...],
        cells: tuple[Cell, ...] = (),
        orientation: str = "portrait",
    ) -> None:
        self.__dict__.update(id=id, sheet=sheet, title=title, sections=sections, cells=cells, orientation=orientation)

    def cell(self, row_key: str | None, col_key: str) -> Cell:
        try:
            return _table_index(self)[(row_key, col_key)]
        except KeyError:
            raise KeyError((self.id, row_key, col_key)) from None

    @property
    def row_keys(self) -> list[str | None]:
        return list(dict.fromkeys(c.row_key for c in self.cells))

    @property
    def col_keys(self) -> list[str]:
        return list(dict.fromkeys(c.col_key for c in self.cells))

    @property
    def width(self) -> int:
        return max(c.col + c.span - 1 for s in self.sections for c in s.columns)


class Form(Identity):
    id: str
    name: str
    issued_by: str
    years: tuple[int, int | None]
    cover: dict
    meta: tuple[Meta, ...]
    tables: tuple[Table, ...]
    rule_specs: tuple[dict, ...]
    checks: dict
    cross_year_specs: tuple[dict, ...]
    previous_sheet: dict | None
    plausibility_specs: tuple[dict, ...]  # year-over-year plausibility warnings (thresholds as data)

    _fields = ("id", "name", "issued_by", "years", "cover", "meta", "tables", "rule_specs", "checks",
               "cross_year_specs", "previous_sheet", "plausibility_specs")  # fmt: skip

    def __init__(
        self,
        id: str,
        name: str,
        issued_by: str,
        years: tuple[int, int | None],
        cover: dict,
        meta: tuple[Meta, ...],
        tables: tuple[Table, ...],
        rule_specs: tuple[dict, ...],
        checks: dict,
        cross_year_specs: tuple[dict, ...] = (),
        previous_sheet: dict | None = None,
        plausibility_specs: tuple[dict, ...] = (),
    ) -> None:
        self.__dict__.update(
            id=id,
            name=name,
            issued_by=issued_by,
            years=years,
            cover=cover,
            meta=meta,
            tables=tables,
            rule_specs=rule_specs,
            checks=checks,
            cross_year_specs=cross_year_specs,
            previous_sheet=previous_sheet,
            plausibility_specs=plausibility_specs,
        )

    @cached_property  # read for every file: build the tuple once
    def cells(self) -> tuple[Cell, ...]:
        return tuple(c for t in self.tables for c in t.cells)

    def cell(self, key: str) -> Cell:
        index = self.__dict__.get("_by_key")
        if index is None:  # built on first use (and kept in the form's cache)
            index = self.__dict__["_by_key"] = {c.key: c for c in self.cells}
        return index[key]

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


def cell_positions(form: Form) -> tuple[tuple[str, str, int, int, str, str], ...]:
    """(key, sheet, row, col, kind, address) of every input cell, 0-based, as the reader looks them up:
    computed once per form (and kept in the form's cache)."""
    found = form.__dict__.get("_cell_positions")
    if found is None:
        found = tuple((c.key, c.sheet, *(i - 1 for i in split_address(c.cell)), c.kind, c.cell) for c in form.cells)
        form.__dict__["_cell_positions"] = found
    return found


def _table_index(table: Table) -> dict[tuple[str | None, str], Cell]:
    """(row key, column key) -> cell, built on first use (the rules look up every part of every total) and
    kept in the form's cache."""
    index = table.__dict__.get("_index")
    if index is None:
        index = {}
        for c in table.cells:
            index.setdefault((c.row_key, c.col_key), c)
        table.__dict__["_index"] = index
    return index


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


def load_form(form_id: str = DEFAULT_FORM) -> Form:
    """The definition of one form version ('2021' or '2019'), parsed once per process."""
    return _load_form(form_id)


@cache
def _load_form(form_id: str) -> Form:
    if form_id not in FORM_IDS:
        raise KeyError(form_id)
    source = os.path.join(FORMS_DIR, f"{form_id}.json")
    try:
        cached = _cache_path(form_id, source)
    except OSError:
        return parse_form(_form_data(form_id))
    form = _read_cache(cached)
    if form is None:
        form = parse_form(_form_data(form_id))
        _write_cache(form, cached)
    elif any(key not in form.__dict__ for key in DERIVED):  # written before those modules were loaded
        _write_cache(form, cached)
    return form


# What other modules of this layer derive from a form and keep in its __dict__ (key -> the function that
# computes and keeps it), registered as they are imported: the cache keeps them too.
DERIVED: dict[str, object] = {}


# The parsed form is cached beside the bytecode (forms/__pycache__/ID.KEY.pickle), as Python caches a module:
# parsing the JSON and expanding it into cells is most of what reading one workbook costs. KEY changes with
# the JSON file and with the code that builds a Form and what is derived from it and kept with it (this
# module, gkxl.form.record, .layout and .rules), and with Python's version; a cache that cannot be read or
# written is simply not used (PYTHONDONTWRITEBYTECODE: not written).
_HERE = os.path.dirname(__file__)
_BUILDERS = (__file__, *(os.path.join(_HERE, f"{module}.py") for module in ("record", "layout", "rules")))


def _cache_path(form_id: str, source: str) -> str:
    import sys

    stamps = [os.stat(p) for p in (source, *_BUILDERS)]
    key = "-".join(f"{st.st_mtime_ns:x}.{st.st_size:x}" for st in stamps)
    version = f"{sys.version_info[0]}{sys.version_info[1]}"
    return os.path.join(FORMS_DIR, "__pycache__", f"{form_id}.py{version}.{key}.pickle")


def _read_cache(path: str) -> Form | None:
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError:
        return None
    import _pickle  # the C module alone: `pickle` imports more than the cache saves

    try:
        form = _pickle.loads(data)
    except Exception:  # a damaged cache file: parse the form again
        return None
    return form if isinstance(form, Form) else None


def _write_cache(form: Form, path: str) -> None:
    import sys

    if sys.dont_write_bytecode:
        return
    for table in form.tables:  # what reading a workbook derives from the form, computed once, kept in the cache
        _table_index(table)
    if form.cells:
        form.cell(form.cells[0].key)
    cell_positions(form)
    for derive in DERIVED.values():
        derive(form)
    import _pickle

    folder = os.path.dirname(path)
    tmp = f"{path}.{os.getpid()}.tmp"
    try:
        os.makedirs(folder, exist_ok=True)
        with open(tmp, "wb") as f:
            f.write(_pickle.dumps(form, 4))
        os.replace(tmp, path)
        prefix = os.path.basename(path).split(".", 1)[0] + "."
        for name in os.listdir(folder):  # caches of older sources
            if name.startswith(prefix) and name.endswith(".pickle") and name != os.path.basename(path):
                os.remove(os.path.join(folder, name))
    except OSError:  # a read-only install, a full disk: the next run parses again
        from contextlib import suppress

        with suppress(OSError):
            os.remove(tmp)


def _form_data(form_id: str) -> dict:
    import json

    with open(os.path.join(FORMS_DIR, f"{form_id}.json"), encoding="utf-8") as f:
        return json.load(f)


def form_for_year(year: int) -> Form:
    """The form in force for reports of `year`."""
    for fid in FORM_IDS:
        form = load_form(fid)
        if form.covers_year(year):
            return form
    from gkxl.errors import GkxlError

    raise GkxlError(f"没有适用于 {year} 年报告的表式（本程序支持 {'、'.join(FORM_IDS)} 年表式）")
