"""Output names in a CSV folder: `<stem>.csv` per workbook, unique, and stable from one run to the next.

Two inputs with the same stem (城关镇.xlsx in two folders) must not overwrite each other: the first (in
order of full path) keeps the stem, later ones get `<stem>-2`, `<stem>-3`, … A name, once given, stays with
its input (the manifest remembers it), so adding a file never renames another one's CSV.
"""

from __future__ import annotations

ALL_STEM = "all"  # OUTDIR/all.csv, the all-units file


def outputs(name: str, sheets: list[str]) -> list[str]:
    """The files made for one workbook: the long CSV, then one per table when wide output is on."""
    return [f"{name}.csv"] + [f"{name}.{sheet}.csv" for sheet in sheets]


class _Taken:
    """Names in use, compared case-insensitively (Windows, macOS). 'x' also clashes with 'x.表二': that is
    the name of x's wide output for 表二."""

    def __init__(self, names: list[str]):
        self.exact: set[str] = set()
        self.prefixes: set[str] = set()
        for name in [ALL_STEM, *names]:
            self.add(name)

    @staticmethod
    def _dotted(name: str) -> list[str]:
        return [name[:i] for i, ch in enumerate(name) if ch == "."]

    def add(self, name: str) -> None:
        name = name.casefold()
        self.exact.add(name)
        self.prefixes.update(self._dotted(name))

    def clashes(self, name: str) -> bool:
        name = name.casefold()
        return name in self.exact or name in self.prefixes or any(p in self.exact for p in self._dotted(name))


def assign_names(stems: dict[str, str], kept: dict[str, str]) -> dict[str, str]:
    """Output names by input key. `stems`: every current input's file stem; `kept`: names already given."""
    names = dict(kept)
    taken = _Taken(list(kept.values()))
    for key in sorted(k for k in stems if k not in kept):
        stem, n = stems[key], 1
        name = stem
        while taken.clashes(name):
            n += 1
            name = f"{stem.replace('.', '_')}-{n}"  # a dot could keep clashing through its prefix
        names[key] = name
        taken.add(name)
    return names
