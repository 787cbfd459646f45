"""Who has filed: every inbox file hashed, read once per content, matched to the roster, one status per unit."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from gkxl.season.roster import Roster, Unit
from gkxl.season.store import Store, Version

STATUS_TEXT = {
    "missing": "未报送",
    "errors": "不通过",
    "incomplete": "未填完",
    "unexplained": "待说明",
    "ok": "通过",
    "accepted": "已接收",
    "changed": "已接收后又有新版本",
    "conflict": "有两份不同的文件",
}
STATUS_FILL = {  # one colour per status, shared by the status sheet and page: red wrong, amber open, green done
    "missing": "F4B6B6",
    "errors": "FF8F8F",
    "incomplete": "FFE08A",
    "unexplained": "FFF2B8",
    "ok": "C6EFCE",
    "accepted": "8FD19E",
    "changed": "D9C3E9",
    "conflict": "C9A8E0",
}
TO_CHASE = ("missing", "errors", "incomplete", "unexplained", "changed", "conflict")  # the 催报 list
SETTLED = ("ok", "accepted")


@dataclass
class Seen:
    """One inbox file: its content's version and the roster unit it names (None: 名册外)."""

    path: Path
    version: Version
    unit: Unit | None


@dataclass
class UnitStatus:
    unit: Unit
    status: str
    version: Version | None = None  # the current (or, when no file is left, the accepted) version
    files: list[Path] = field(default_factory=list)  # the unit's files in the inbox
    versions: int = 0
    received: str | None = None  # when the current version was first seen
    conflict: list[Seen] = field(default_factory=list)
    last_year: object = None  # last year's Report, when --previous was given and has this unit

    @property
    def text(self) -> str:
        return STATUS_TEXT[self.status]

    @property
    def file(self) -> Path | None:
        return self.files[0] if self.files else None


@dataclass
class SeasonStatus:
    roster: Roster
    db: Path
    units: list[UnitStatus]
    unknown: list[Seen]
    seen: list[Seen]
    previous_problems: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        out = dict.fromkeys(STATUS_TEXT, 0)
        for u in self.units:
            out[u.status] += 1
        out["unknown"] = len(self.unknown)
        return out

    @property
    def settled(self) -> bool:
        return all(u.status in SETTLED for u in self.units) and not self.unknown


def scan(
    paths: Sequence[Path],
    roster: Roster,
    store: Store,
    workers: int | None = None,
    advance: Callable[[int], None] | None = None,
) -> list[Seen]:
    """Every file's version, recorded in the store: known contents from the store, new ones read (on every
    core when there are many) and committed one by one as they are read."""
    from gkxl.parallel import default_workers, map_ordered
    from gkxl.season.versions import file_sha256, read_version

    seen: dict[Path, Seen] = {}
    fresh: list[Path] = []
    known: list[tuple[Version, str, str | None]] = []
    for path in paths:
        try:
            version = store.known(file_sha256(path), with_cells=False)
        except OSError:
            version = None
        if version is None:
            fresh.append(path)
            continue
        unit = roster.match(version.unit_name, version.unit_code)
        known.append((version, str(path), unit.id if unit else None))
        seen[path] = Seen(path, version, unit)
        if advance:
            advance(1)
    store.record_many(known)
    workers = default_workers(len(fresh)) if workers is None else workers
    for path, version in zip(fresh, map_ordered(read_version, fresh, workers), strict=True):
        unit = roster.match(version.unit_name, version.unit_code)
        seen[path] = Seen(path, store.record(version, str(path), unit.id if unit else None), unit)
        if advance:
            advance(1)
    return [seen[p] for p in paths]


def season_status(
    inputs: Sequence[str | Path],
    roster: Roster,
    store: Store,
    workers: int | None = None,
    exclude: Sequence[Path] = (),
    advance: Callable[[int], None] | None = None,
) -> SeasonStatus:
    paths = inbox_files(inputs, [roster.path, *exclude])
    seen = scan(paths, roster, store, workers, advance)
    return status_of(seen, roster, store)


def inbox_files(inputs: Sequence[str | Path], exclude: Sequence[Path]) -> list[Path]:
    """The workbooks of the inbox (folders searched with their subfolders), minus the roster and outputs."""
    from gkxl.read.inputs import expand_inputs

    skip = {Path(p).resolve() for p in exclude}
    return [p for p in expand_inputs(list(inputs), recursive=True) if p.resolve() not in skip]


def status_of(seen: list[Seen], roster: Roster, store: Store) -> SeasonStatus:
    by_unit: dict[str, list[Seen]] = {}
    for s in seen:
        if s.unit:
            by_unit.setdefault(s.unit.id, []).append(s)
    accepted = store.accepted()
    counts = store.version_counts()
    units, currents = [], {}
    for unit in roster.units:
        mine = by_unit.get(unit.id, [])
        shas = list(dict.fromkeys(s.version.sha256 for s in mine))
        status = _unit_status(unit, mine, shas, accepted.get(unit.id), store)
        status.versions = counts.get(unit.id, 0)
        units.append(status)
        if mine:
            currents[unit.id] = (shas[0] if len(shas) == 1 else None, [str(s.path) for s in mine])
    store.set_current(currents)
    unknown = [s for s in seen if s.unit is None]
    return SeasonStatus(roster, store.path, units, unknown, seen)


def _unit_status(unit: Unit, mine: list[Seen], shas: list[str], accepted: str | None, store: Store) -> UnitStatus:
    files = [s.path for s in mine]
    if len(shas) > 1:
        return UnitStatus(unit, "conflict", mine[0].version, files, conflict=mine)
    if not shas:
        if accepted:  # accepted earlier, its file since moved out of the inbox: still accepted
            version = next((v for v in store.unit_versions(unit.id) if v.sha256 == accepted), None)
            return UnitStatus(unit, "accepted", version, received=version.first_seen if version else None)
        return UnitStatus(unit, "missing")
    version = mine[0].version
    if accepted == shas[0]:
        status = "accepted"
    elif accepted:
        status = "changed"
    else:
        status = version.status
    return UnitStatus(unit, status, version, files, received=version.first_seen)


def to_json(result: SeasonStatus) -> dict:
    units = []
    for u in result.units:
        v = u.version
        units.append(
            {
                "code": u.unit.code,
                "name": u.unit.name,
                "status": u.status,
                "file": str(u.file) if u.file else (v.file_name if v else None),
                "sha256": v.sha256 if v and u.status != "conflict" else None,
                "received": u.received,
                "errors": v.errors if v and u.status != "conflict" else None,
                "warnings": v.warnings if v and u.status != "conflict" else None,
                "versions": u.versions,
            }
        )
    unknown = [
        {"file": str(s.path), "unit": s.version.unit_name, "code": s.version.unit_code, "sha256": s.version.sha256}
        | ({"error": s.version.error} if s.version.error else {})
        for s in result.unknown
    ]
    conflicts = [
        {"code": u.unit.code, "name": u.unit.name, "files": [str(s.path) for s in u.conflict]}
        for u in result.units
        if u.status == "conflict"
    ]
    return {
        "roster": str(result.roster.path),
        "db": str(result.db),
        "units": units,
        "unknown": unknown,
        "conflicts": conflicts,
        "counts": result.counts(),
    }
