"""What changed between two versions of a report: cells (labels, old → new) and findings fixed and new."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from gkxl.season.store import Version

OPEN = ("error", "warning")  # explained warnings and notes do not need fixing


@dataclass(frozen=True)
class Change:
    key: str
    where: str  # '表三 一、本年新收政府信息公开申请数量·自然人'
    address: str  # '表三!C6'
    old: object
    new: object


@dataclass
class Diff:
    old: Version
    new: Version
    changes: list[Change] = field(default_factory=list)
    fixed: list[dict] = field(default_factory=list)
    added: list[dict] = field(default_factory=list)

    @property
    def same(self) -> bool:
        return not (self.changes or self.fixed or self.added) and self.old.sha256 == self.new.sha256

    def to_json(self) -> dict:
        return {
            "old": _side(self.old),
            "new": _side(self.new),
            "changes": [_change(c) for c in self.changes],
            "fixed": self.fixed,
            "new_findings": self.added,
        }


def _side(v: Version) -> dict:
    keys = ("file_name", "sha256", "first_seen", "status", "errors", "warnings")
    names = ("file", "sha256", "received", "status", "errors", "warnings")
    return {name: getattr(v, key) for name, key in zip(names, keys, strict=True)}


def _change(c: Change) -> dict:
    return {"key": c.key, "where": c.where, "cell": c.address, "old": _json(c.old), "new": _json(c.new)}


def _json(value: object) -> object:
    return value.get("raw") if isinstance(value, dict) else value


def shown(value: object) -> str:
    if value is None:
        return "（空）"
    if isinstance(value, dict):
        return f"“{value.get('raw')}”"
    return str(value)


def compare(old: Version, new: Version) -> Diff:
    from gkxl.form.model import load_form

    forms = [load_form(f) for f in (new.form, old.form) if f]
    cells = {}
    for form in reversed(forms):  # the new form's labels win
        cells |= {c.key: c for c in form.cells}
    changes = _cover_changes(forms[0], old, new) if forms else []
    for key, cell in cells.items():
        a, b = old.cells.get(key), new.cells.get(key)
        if a != b:
            changes.append(Change(key, cell.where, f"{cell.sheet}!{cell.cell}", a, b))
    before, after = _open(old), _open(new)
    fixed = [f for loc, f in before.items() if loc not in after]
    added = [f for loc, f in after.items() if loc not in before]
    return Diff(old, new, changes, fixed, added)


COVER = {"unit": "unit_name", "year": "year", "unit_code": "unit_code"}  # meta key -> Version field


def _cover_changes(form, old: Version, new: Version) -> list[Change]:
    out = []
    for meta in form.meta:
        field_name = COVER.get(meta.key)
        a, b = (getattr(v, field_name) for v in (old, new)) if field_name else (None, None)
        if a != b:
            out.append(Change(meta.key, f"{meta.sheet} {meta.label}", f"{meta.sheet}!{meta.cell}", a, b))
    return out


def _open(v: Version) -> dict[tuple, dict]:
    found = {(f["rule"], f["sheet"], f["cell"]): f for f in v.findings if f["severity"] in OPEN}
    if v.error:
        found[("READ", "", "")] = {"rule": "READ", "severity": "error", "sheet": "", "cell": "", "message": v.error}
    return found


def compare_files(old: Path, new: Path) -> Diff:
    from gkxl.season.versions import read_version

    return compare(read_version(old), read_version(new))
