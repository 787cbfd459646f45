"""Expand the INPUT arguments of a command: files as given, folders to the workbooks inside."""

from __future__ import annotations

from pathlib import Path

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")


def is_candidate(path: Path) -> bool:
    """A workbook a folder scan should pick up: not Excel's ~$ lock file, not hidden."""
    return path.suffix.lower() in WORKBOOK_SUFFIXES and not path.name.startswith(("~$", "."))


def expand_inputs(paths: list[str | Path], recursive: bool = False) -> list[Path]:
    """Files are kept as given (a bad one gets its own message later); folders give their workbooks, sorted."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            found = p.rglob("*") if recursive else p.iterdir()
            out.extend(sorted(f for f in found if f.is_file() and is_candidate(f)))
        else:
            out.append(p)
    return list(dict.fromkeys(out))
