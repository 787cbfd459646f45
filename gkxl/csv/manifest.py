"""What an output folder was made from: one entry per input workbook, so unchanged inputs can be skipped.

An input is unchanged when its size and modification time match the entry (no need to read it); when they
differ its content hash decides. The gkxl version and the output settings are part of the key: a new version
or a different --bom/--wide converts everything again.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from gkxl import __version__
from gkxl.atomic import atomic_path

MANIFEST_NAME = ".gkxl-manifest.json"
FORMAT = 1


@dataclass
class Entry:
    """One input workbook as last seen, and what was made from it."""

    name: str  # output stem: OUTDIR/<name>.csv
    size: int
    mtime_ns: int
    sha256: str
    gkxl: str = __version__
    status: str = "ok"  # ok | errors | failed
    reason: str = ""
    outputs: list[str] = field(default_factory=list)
    unit: str | None = None
    year: int | None = None
    form: str | None = None
    rows: int = 0
    warnings: int = 0  # open warnings (请核实)
    explained: int = 0  # warnings the clerk confirmed with a 说明
    explanations: list[str] = field(default_factory=list)  # those 说明: 'V-MONEY-UNIT 表二!B16：…'
    verdict: str = ""  # the report's verdict (errors | incomplete | unexplained | ok), as `gkxl validate` gives it
    verdict_text: str = ""  # its 结论: '未填完：3 处未填写'


@dataclass
class Manifest:
    settings: dict
    entries: dict[str, Entry] = field(default_factory=dict)  # by resolved input path

    @classmethod
    def load(cls, outdir: Path, dropped: list[str] | None = None) -> Manifest | None:
        """The manifest in `outdir`, or None when there is none or it cannot be used (then start afresh).

        The manifest is a file anyone may edit: an entry whose names would not be plain files of gkxl's inside
        `outdir` (`../victim.txt`, an absolute path, `a/b`) is dropped, and said why in `dropped`."""
        try:
            data = json.loads((outdir / MANIFEST_NAME).read_text(encoding="utf-8"))
            if data.get("format") != FORMAT or not isinstance(data.get("settings"), dict):
                return None
            entries = {}
            for key, fields in data["entries"].items():
                entry = Entry(**fields)
                why = unsafe(entry)
                if why is None:
                    entries[str(key)] = entry
                elif dropped is not None:
                    dropped.append(f"条目 {key}：{why}，已忽略")
            return cls(data["settings"], entries)
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            return None

    def save(self, outdir: Path) -> None:
        data = {
            "format": FORMAT,
            "gkxl": __version__,
            "settings": self.settings,
            "entries": {k: dict(e.__dict__) for k, e in sorted(self.entries.items())},
        }
        with atomic_path(outdir / MANIFEST_NAME, clean=False) as tmp:
            tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")


# What a name read from the manifest must not be or hold: a separator, NUL, '.' or '..', all.csv (the job's own),
# and on Windows a drive colon. Such a name would point outside the output folder, or at the wrong file.
_UNSAFE = re.compile(r"[/\\\x00]|^\.\.?$|^all(?:\.csv)?$" + ("|:" if os.name == "nt" else ""), re.I)


def plain_name(name: object, suffix: str = "") -> bool:
    """A file name that stays inside the folder it is joined to (see _UNSAFE)."""
    return type(name) is str and 0 < len(name) <= 240 and name.endswith(suffix) and not _UNSAFE.search(name)


def unsafe(entry: Entry) -> str | None:
    """Why an entry read from a manifest cannot be used, or None."""
    if not plain_name(entry.name):
        return f"输出名“{entry.name}”不是输出文件夹中的文件名"
    if not isinstance(entry.outputs, list) or not all(plain_name(n, ".csv") for n in entry.outputs):
        return f"输出文件 {entry.outputs!r} 不全是输出文件夹中的 .csv 文件"
    if not all(isinstance(v, int) for v in (entry.size, entry.mtime_ns)) or not isinstance(entry.sha256, str):
        return "大小、时间或 SHA-256 无效"
    return None


def same_stat(entry: Entry, st: os.stat_result) -> bool:
    return entry.size == st.st_size and entry.mtime_ns == st.st_mtime_ns


def outputs_present(entry: Entry, listing: set[str]) -> bool:
    """Whether every output of `entry` is in the output folder (`listing`: its file names, listed once)."""
    return all(name in listing for name in entry.outputs)
