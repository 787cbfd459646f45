"""What an output folder was made from: one entry per input workbook, so unchanged inputs can be skipped.

An input is unchanged when its size and modification time match the entry (no need to read it); when they
differ its content hash decides. The gkxl version and the output settings are part of the key: a new version
or a different --bom/--wide converts everything again.
"""

from __future__ import annotations

import json
import os
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


@dataclass
class Manifest:
    settings: dict
    entries: dict[str, Entry] = field(default_factory=dict)  # by resolved input path

    @classmethod
    def load(cls, outdir: Path) -> Manifest | None:
        """The manifest in `outdir`, or None when there is none or it cannot be used (then start afresh)."""
        try:
            data = json.loads((outdir / MANIFEST_NAME).read_text(encoding="utf-8"))
            if data.get("format") != FORMAT:
                return None
            return cls(data["settings"], {k: Entry(**e) for k, e in data["entries"].items()})
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


def same_stat(entry: Entry, st: os.stat_result) -> bool:
    return entry.size == st.st_size and entry.mtime_ns == st.st_mtime_ns


def outputs_present(entry: Entry, outdir: Path) -> bool:
    return all((outdir / name).is_file() for name in entry.outputs)
