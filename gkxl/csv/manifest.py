"""What an output folder was made from: one entry per input workbook, so unchanged inputs can be skipped.

An input is unchanged when its size and modification time match the entry (no need to read it); when they
differ its content hash decides. The gkxl version and the output settings are part of the key: a new version
or a different --bom/--wide converts everything again.

The manifest is one JSON document laid out one entry per line, so that it is written as the run goes and read
without holding it parsed (flat memory for tens of thousands of inputs):

    {"format": 2, "gkxl": "…", "settings": {…}, "fields": ["path", "name", …], "entries": [
    ["/srv/各乡镇/城关镇.xlsx", "城关镇", 25310, 1706659203000000000, "9f…", …]
    ,["/srv/各乡镇/东街.xlsx", …]
    ]}

A reader loads each line's path and output name only (the rest stays as the line's bytes until that input's
turn). A file in another layout (format 1 of earlier versions, or a hand-edited one on one line) is read whole
once, and the next run that changes anything writes it in this layout.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import IO

from gkxl import __version__

MANIFEST_NAME = ".gkxl-manifest.json"
FORMAT = 2
FIELDS = ("path", "name", "size", "mtime_ns", "sha256", "gkxl", "status", "reason", "outputs", "unit", "year",
          "form", "rows", "warnings", "explained", "explanations", "verdict", "verdict_text")  # fmt: skip
_ENTRY_FIELDS = FIELDS[1:]


class Entry:
    """One input workbook as last seen, and what was made from it."""

    __slots__ = _ENTRY_FIELDS

    def __init__(
        self,
        name: str,  # output stem: OUTDIR/<name>.csv
        size: int,
        mtime_ns: int,
        sha256: str,
        gkxl: str = __version__,
        status: str = "ok",  # ok | errors | failed
        reason: str = "",
        outputs: list[str] | None = None,
        unit: str | None = None,
        year: int | None = None,
        form: str | None = None,
        rows: int = 0,
        warnings: int = 0,  # open warnings (请核实)
        explained: int = 0,  # warnings the clerk confirmed with a 说明
        explanations: list[str] | None = None,  # those 说明: 'V-MONEY-UNIT 表二!B16：…'
        verdict: str = "",  # the report's verdict (errors | incomplete | unexplained | ok), as `validate` gives it
        verdict_text: str = "",  # its 结论: '未填完：3 处未填写'
    ):
        self.name, self.size, self.mtime_ns, self.sha256, self.gkxl = name, size, mtime_ns, sha256, gkxl
        self.status, self.reason, self.outputs = status, reason, [] if outputs is None else outputs
        self.unit, self.year, self.form, self.rows = unit, year, form, rows
        self.warnings, self.explained = warnings, explained
        self.explanations = [] if explanations is None else explanations
        self.verdict, self.verdict_text = verdict, verdict_text

    def row(self) -> list:
        return [getattr(self, f) for f in _ENTRY_FIELDS]

    def as_dict(self) -> dict:
        return dict(zip(_ENTRY_FIELDS, self.row(), strict=True))

    def replace(self, **changes) -> Entry:
        return Entry(**{**self.as_dict(), **changes})

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Entry) and self.row() == other.row()

    def __repr__(self) -> str:
        return f"Entry({self.as_dict()!r})"


def entry_from_line(line: bytes) -> Entry:
    """The entry of a line `OldManifest.take` has checked."""
    return Entry(*_decode(line.decode("utf-8"))[1:])


_decode = json.JSONDecoder().decode  # json.loads without its checks and encoding detection, per line


def entry_line(key: str, entry: Entry) -> bytes:
    """An entry as the manifest holds it: one line, without the separator."""
    return json.dumps([key, *entry.row()], ensure_ascii=False).encode()


def _key_and_name(line: bytes) -> tuple[str, str]:
    """The path and output name at the start of an entry line, without parsing the rest (a line this module
    wrote: `["<path>", "<name>", …`). Raises ValueError for anything else."""
    end = line.find(b'", "', 2) if line.startswith(b'["') else -1
    stop = line.find(b'", ', end + 4) if end > 0 else -1
    if stop < 0:
        raise ValueError
    key, name = line[2:end], line[end + 4 : stop]
    if b"\\" in key or b"\\" in name:  # an escape (a quote in a name, say): let the JSON decoder read it
        raise ValueError
    return key.decode("utf-8"), name.decode("utf-8")


class OldManifest:
    """The manifest a run starts from: per input path, its output name and its entry's line (parsed only at
    that input's turn, by `take`). `dropped`: why entries could not be used, one line each, for the log."""

    def __init__(self, settings: dict, gkxl: str):
        self.settings = settings
        self.gkxl = gkxl
        self.lines: dict[str, tuple[str, bytes]] = {}
        self.dropped: list[str] = []
        self.rewrite = False  # in another layout, or damaged: the next save must rewrite it

    def add(self, line: bytes, number: int) -> None:
        try:
            key, name = _key_and_name(line)
        except ValueError:  # not as this module writes it: a hand edit, say
            try:
                row = json.loads(line)
                key, name = row[0], row[1]
            except (ValueError, TypeError, IndexError, KeyError):
                self.drop(f"第 {number} 行无法读取")
                return
            if type(key) is not str:
                self.drop(f"第 {number} 行无法读取")
                return
            line = json.dumps(row, ensure_ascii=False).encode()
        if not plain_name(name):
            self.drop(f"条目 {key}：输出名“{name}”不是输出文件夹中的文件名")
            return
        self.lines[key] = (name, line)

    def drop(self, why: str) -> None:
        self.dropped.append(f"{why}，已忽略")
        self.rewrite = True

    def names(self, keys) -> dict[str, str]:
        """The output names already given to the inputs `keys`."""
        lines = self.lines
        return {k: lines[k][0] for k in keys if k in lines}

    def take(self, key: str) -> tuple[Entry, bytes] | None:
        """The entry of `key` and its line, removed from the manifest; None when there is none or it cannot be
        used (said in `dropped`)."""
        found = self.lines.pop(key, None)
        if found is None:
            return None
        line = found[1]
        try:
            row = _decode(line.decode("utf-8"))
            if len(row) != len(FIELDS):
                raise ValueError
            entry = Entry(*row[1:])
        except (ValueError, TypeError):
            self.drop(f"条目 {key}：内容无法读取")
            return None
        why = unsafe(entry, named=entry.name == found[0])  # the name was checked by `add`
        if why is not None:
            self.drop(f"条目 {key}：{why}")
            return None
        return entry, line


def load(outdir: Path) -> OldManifest | None:
    """The manifest in `outdir`, or None when there is none or it cannot be used (then start afresh).

    The manifest is a file anyone may edit: an entry whose names would not be plain files of gkxl's inside
    `outdir` (`../victim.txt`, an absolute path, `a/b`) is dropped when it is taken, and said why."""
    try:
        with open(outdir / MANIFEST_NAME, "rb") as fh:
            first = fh.readline()
            try:
                head = json.loads(first + b"]}")
            except ValueError:
                head = None
            if _usable_head(head) and first.rstrip().endswith(b"["):
                old = OldManifest(head["settings"], head.get("gkxl"))
                ended = False
                for number, line in enumerate(fh, 2):
                    line = line.rstrip(b"\r\n")
                    if line == b"]}":
                        ended = True
                        break
                    old.add(line[1:] if line.startswith(b",") else line, number)
                old.rewrite = old.rewrite or not ended
                return old
            fh.seek(0)
            return _whole(json.loads(fh.read().decode("utf-8")))
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None


def _usable_head(head: object) -> bool:
    return (
        isinstance(head, dict)
        and head.get("format") == FORMAT
        and head.get("fields") == list(FIELDS)
        and isinstance(head.get("settings"), dict)
    )


def _whole(data: dict) -> OldManifest | None:
    """A manifest read as one document: format 1 (entries by path, each a JSON object), or format 2 not laid
    out one entry per line."""
    if data.get("format") == 1 and isinstance(data.get("settings"), dict):
        rows = [[key, *(fields[f] for f in _ENTRY_FIELDS if f in fields)] for key, fields in data["entries"].items()]
    elif _usable_head(data):
        rows = data["entries"]
    else:
        return None
    old = OldManifest(data["settings"], data.get("gkxl"))
    for number, row in enumerate(rows, 1):
        old.add(json.dumps(row, ensure_ascii=False).encode(), number)
    old.rewrite = True
    return old


class ManifestWriter:
    """The new manifest, written entry by entry into a temporary file beside it, and renamed over the old one
    by `commit` (the run's commit point: every CSV it names is written by then). Opened only when something
    changed: until then the entries wait in `pending` as their unchanged lines, so a run that changes nothing
    writes nothing."""

    def __init__(self, outdir: Path, settings: dict):
        self.target = outdir / MANIFEST_NAME
        self.settings = settings
        self.pending: list[bytes] | None = []
        self.fh: IO[bytes] | None = None
        self.tmp: str | None = None
        self.first = True

    def add(self, key: str, entry: Entry | None = None, line: bytes | None = None) -> None:
        """Record `entry` (or, unchanged, its old `line`)."""
        data = line if line is not None else entry_line(key, entry)
        if self.fh is None:
            self.pending.append(data)
        else:
            self._write(data)

    def open(self) -> None:
        """Something changed: from here on entries go to the file."""
        if self.fh is not None:
            return
        from gkxl.atomic import _new_temp

        self.tmp = _new_temp(self.target)
        self.fh = open(self.tmp, "wb")  # noqa: SIM115  (closed by commit or discard)
        head = {"format": FORMAT, "gkxl": __version__, "settings": self.settings, "fields": list(FIELDS)}
        head_text = json.dumps(head, ensure_ascii=False)
        self.fh.write(head_text[:-1].encode() + b', "entries": [')
        pending, self.pending = self.pending, None
        for data in pending:
            self._write(data)

    def _write(self, data: bytes) -> None:
        self.fh.write((b"\n" if self.first else b"\n,") + data)
        self.first = False

    def temp_name(self) -> str:
        return os.path.basename(self.tmp) if self.tmp is not None else ""

    def commit(self) -> None:
        """Rename the new manifest into place (when it was opened)."""
        if self.fh is None:
            return
        self.fh.write(b"\n]}\n")
        self.fh.close()
        os.replace(self.tmp, self.target)
        self.fh = self.tmp = None

    def discard(self) -> None:
        """The run failed: leave the old manifest as it was."""
        if self.fh is not None:
            self.fh.close()
            Path(self.tmp).unlink(missing_ok=True)
            self.fh = self.tmp = None


def read_entries(outdir: Path) -> dict[str, Entry]:
    """Every usable entry of the manifest in `outdir`, by input path (for tools and tests: a run never holds
    them all)."""
    old = load(outdir)
    if old is None:
        return {}
    return {key: taken[0] for key in list(old.lines) if (taken := old.take(key)) is not None}


# What a name read from the manifest must not be or hold: a separator, NUL, '.' or '..', all.csv (the job's own),
# and on Windows a drive colon. Such a name would point outside the output folder, or at the wrong file.
_UNSAFE = re.compile(r"[/\\\x00]|^\.\.?$|^all(?:\.csv)?$" + ("|:" if os.name == "nt" else ""), re.I)


def plain_name(name: object, suffix: str = "") -> bool:
    """A file name that stays inside the folder it is joined to (see _UNSAFE)."""
    return type(name) is str and 0 < len(name) <= 240 and name.endswith(suffix) and not _UNSAFE.search(name)


def unsafe(entry: Entry, named: bool = False) -> str | None:
    """Why an entry read from a manifest cannot be used, or None (`named`: its name is checked already)."""
    if not named and not plain_name(entry.name):
        return f"输出名“{entry.name}”不是输出文件夹中的文件名"
    outputs = entry.outputs
    if type(outputs) is not list or not all(plain_name(n, ".csv") for n in outputs):
        return f"输出文件 {entry.outputs!r} 不全是输出文件夹中的 .csv 文件"
    if not all(type(v) is int for v in (entry.size, entry.mtime_ns)) or not isinstance(entry.sha256, str):
        return "大小、时间或 SHA-256 无效"
    if not isinstance(entry.status, str) or not isinstance(entry.reason, str):
        return "状态无效"
    return None


def same_stat(entry: Entry, st: os.stat_result) -> bool:
    return entry.size == st.st_size and entry.mtime_ns == st.st_mtime_ns


def outputs_present(entry: Entry, listing: set[str]) -> bool:
    """Whether every output of `entry` is in the output folder (`listing`: its file names, listed once)."""
    return all(name in listing for name in entry.outputs)
