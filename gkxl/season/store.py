"""The version store: every distinct content each unit sent, in one SQLite file beside the roster.

Facts about a content (its SHA-256, findings, counts and every cell value) are written once and never
changed; what changes (which file is a unit's current one, what was accepted) lives in separate tables.
Each file is committed as soon as it is read, so a run that is killed loses nothing it had recorded;
WAL and a busy timeout let two runs share the file. The store never holds the only copy of a report:
its files stay where the user put them.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from gkxl.errors import GkxlError

SCHEMA = """
CREATE TABLE IF NOT EXISTS versions (
    sha256 TEXT PRIMARY KEY,
    file_name TEXT NOT NULL,
    first_seen TEXT NOT NULL,
    unit_name TEXT, unit_code TEXT, year INTEGER, form TEXT,
    status TEXT NOT NULL,
    errors INTEGER NOT NULL, warnings INTEGER NOT NULL, blanks INTEGER NOT NULL, explained INTEGER NOT NULL,
    error TEXT,
    cells TEXT NOT NULL,
    findings TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS unit_versions (
    unit TEXT NOT NULL, sha256 TEXT NOT NULL REFERENCES versions(sha256), first_seen TEXT NOT NULL,
    PRIMARY KEY (unit, sha256)
);
CREATE TABLE IF NOT EXISTS sightings (
    sha256 TEXT NOT NULL REFERENCES versions(sha256), path TEXT NOT NULL, first_seen TEXT NOT NULL,
    PRIMARY KEY (sha256, path)
);
CREATE TABLE IF NOT EXISTS current (
    unit TEXT PRIMARY KEY, sha256 TEXT, files TEXT NOT NULL, since TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS acceptances (
    id INTEGER PRIMARY KEY, unit TEXT NOT NULL, sha256 TEXT NOT NULL REFERENCES versions(sha256),
    accepted_at TEXT NOT NULL
);
"""
SCHEMA_VERSION = 1
BUSY_TIMEOUT_S = 60  # another run holding the write lock: wait this long before giving up


def now() -> str:
    return datetime.now(timezone.utc).astimezone().isoformat(timespec="seconds")


@dataclass
class Version:
    """One content as read and validated (what the store keeps of a file)."""

    sha256: str
    file_name: str
    status: str  # the verdict: errors | incomplete | unexplained | ok
    errors: int = 0
    warnings: int = 0
    blanks: int = 0
    explained: int = 0
    unit_name: str | None = None
    unit_code: str | None = None
    year: int | None = None
    form: str | None = None
    error: str | None = None  # the reader's message when the file could not be read
    cells: dict = field(default_factory=dict)  # key -> int | 'decimal text' | {'raw': text}
    findings: list[dict] = field(default_factory=list)  # rule, severity (explained for a settled warning), …
    first_seen: str | None = None

    @property
    def readable(self) -> bool:
        return self.error is None


class Store:
    def __init__(self, path: str | Path):
        self.path = Path(path)
        if not self.path.parent.is_dir():
            raise GkxlError("版本数据库所在的文件夹不存在", self.path)
        if self.path.is_dir():
            raise GkxlError("版本数据库的位置是一个文件夹，请给出文件名", self.path)
        import time

        deadline = time.monotonic() + BUSY_TIMEOUT_S
        while True:
            self.db = None
            try:
                self._open()
                return
            except sqlite3.OperationalError as exc:
                self._discard()
                # Two runs creating the file at once: switching a new database to WAL needs it to itself, and
                # SQLite answers "locked" at once instead of waiting. The other run is done with that in
                # moments: try again, for as long as the busy timeout.
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise GkxlError(f"版本数据库无法打开（{_reason(exc)}）", self.path) from None
                time.sleep(0.05)
            except sqlite3.DatabaseError as exc:
                self._discard()
                raise GkxlError(f"版本数据库无法打开（{_reason(exc)}）", self.path) from None

    def _discard(self) -> None:
        if self.db is not None:
            self.db.close()

    def _open(self) -> None:
        self.db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        # WAL + NORMAL: a killed process loses no commit; a power cut may lose the last ones, never corrupts.
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute("PRAGMA foreign_keys=ON")
        self._create()

    def _create(self) -> None:
        with self.transaction():
            found = self.db.execute("PRAGMA user_version").fetchone()[0]
            if found > SCHEMA_VERSION:
                raise GkxlError("版本数据库由更新版本的 gkxl 创建，请升级 gkxl", self.path)
            for statement in filter(str.strip, SCHEMA.split(";")):
                self.db.execute(statement)
            if found < SCHEMA_VERSION:
                self.db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def transaction(self):
        return _Transaction(self.db)

    # --- versions ---------------------------------------------------------------------------------------

    def known(self, sha256: str, with_cells: bool = True) -> Version | None:
        """The recorded version of a content; without its cell values unless asked (status needs only counts
        and findings, and parsing a thousand cell sets would cost more than hashing the files)."""
        select = _SELECT if with_cells else _SELECT.replace("v.cells", "'{}'")
        row = self.db.execute(f"SELECT {select} FROM versions v WHERE sha256 = ?", (sha256,)).fetchone()
        return _version(self.db, row) if row else None

    def cells(self, sha256: str) -> dict:
        row = self.db.execute("SELECT cells FROM versions WHERE sha256 = ?", (sha256,)).fetchone()
        return json.loads(row[0]) if row else {}

    def record(self, version: Version, path: str, unit: str | None) -> Version:
        """Record a content seen at `path` (for roster unit `unit`, None if unknown): once, whatever happens.
        Returns it with its first-seen time (another run may have recorded it first)."""
        self.record_many([(version, path, unit)])
        row = self.db.execute("SELECT first_seen FROM versions WHERE sha256 = ?", (version.sha256,)).fetchone()
        version.first_seen = row[0]
        return version

    def record_many(self, seen: list[tuple[Version, str, str | None]]) -> None:
        """Several (version, path, unit) in one transaction."""
        if not seen:
            return
        stamp = now()
        with self.transaction():
            for version, path, unit in seen:
                self._insert(version, path, unit, stamp)

    def _insert(self, version: Version, path: str, unit: str | None, stamp: str) -> None:
        self.db.execute(
            "INSERT OR IGNORE INTO versions VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                version.sha256, version.file_name, stamp, version.unit_name, version.unit_code, version.year,
                version.form, version.status, version.errors, version.warnings, version.blanks,
                version.explained, version.error, json.dumps(version.cells, ensure_ascii=False),
                json.dumps(version.findings, ensure_ascii=False),
            ),
        )  # fmt: skip
        self.db.execute("INSERT OR IGNORE INTO sightings VALUES (?,?,?)", (version.sha256, path, stamp))
        if unit:
            self.db.execute("INSERT OR IGNORE INTO unit_versions VALUES (?,?,?)", (unit, version.sha256, stamp))

    def unit_versions(self, unit: str) -> list[Version]:
        """A unit's versions, oldest first."""
        rows = self.db.execute(
            f"SELECT {_SELECT}, u.first_seen FROM unit_versions u JOIN versions v ON v.sha256 = u.sha256 "
            "WHERE u.unit = ? ORDER BY u.first_seen, u.rowid",
            (unit,),
        ).fetchall()
        out = []
        for row in rows:
            version = _version(self.db, row[:-1])
            version.first_seen = row[-1]
            out.append(version)
        return out

    def version_counts(self) -> dict[str, int]:
        return dict(self.db.execute("SELECT unit, COUNT(*) FROM unit_versions GROUP BY unit").fetchall())

    # --- current and accepted ---------------------------------------------------------------------------

    def set_current(self, currents: dict[str, tuple[str | None, list[str]]]) -> None:
        """unit -> (sha256 or None for a conflict, files): only what changed is written."""
        with self.transaction():
            old = {u: (s, f) for u, s, f in self.db.execute("SELECT unit, sha256, files FROM current")}
            for unit, (sha, files) in currents.items():
                text = json.dumps(files, ensure_ascii=False)
                if old.get(unit) != (sha, text):
                    self.db.execute("INSERT OR REPLACE INTO current VALUES (?,?,?,?)", (unit, sha, text, now()))
            for unit in old.keys() - currents.keys():
                self.db.execute("DELETE FROM current WHERE unit = ?", (unit,))

    def current(self, unit: str) -> tuple[str | None, list[str]] | None:
        row = self.db.execute("SELECT sha256, files FROM current WHERE unit = ?", (unit,)).fetchone()
        return (row[0], json.loads(row[1])) if row else None

    def accept(self, unit: str, sha256: str) -> bool:
        """Mark a version accepted; False when it already was (nothing recorded)."""
        with self.transaction():
            if self.accepted().get(unit) == sha256:
                return False
            self.db.execute("INSERT INTO acceptances (unit, sha256, accepted_at) VALUES (?,?,?)", (unit, sha256, now()))
        return True

    def accepted(self) -> dict[str, str]:
        """unit -> the sha256 of its latest acceptance."""
        rows = self.db.execute("SELECT unit, sha256 FROM acceptances ORDER BY id").fetchall()
        return dict(rows)


def _reason(exc: sqlite3.DatabaseError) -> str:
    text = str(exc)
    if "not a database" in text:
        return "不是 gkxl 的版本数据库，或文件已损坏"
    if "readonly" in text or "unable to open" in text:
        return "没有写入权限或磁盘只读"
    if "locked" in text:
        return "另一个 gkxl 正在长时间使用它，请稍后再试"
    return text


class _Transaction:
    """BEGIN IMMEDIATE … COMMIT: takes the write lock up front, so two runs never deadlock mid-way."""

    def __init__(self, db: sqlite3.Connection):
        self.db = db

    def __enter__(self) -> sqlite3.Connection:
        self.db.execute("BEGIN IMMEDIATE")
        return self.db

    def __exit__(self, kind, exc, tb) -> None:
        self.db.execute("COMMIT" if kind is None else "ROLLBACK")


_COLUMNS = (
    "sha256", "file_name", "first_seen", "unit_name", "unit_code", "year", "form", "status",
    "errors", "warnings", "blanks", "explained", "error", "cells", "findings",
)  # fmt: skip
_SELECT = ", ".join(f"v.{c}" for c in _COLUMNS)


def _version(db: sqlite3.Connection, row: tuple) -> Version:
    data = dict(zip(_COLUMNS, row, strict=True))
    data["cells"] = json.loads(data["cells"])
    data["findings"] = json.loads(data["findings"])
    return Version(**data)
