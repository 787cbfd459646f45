"""Expand the INPUT arguments of a command: files as given, folders to the workbooks inside."""

from __future__ import annotations

import os

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (the validate hot path)
if TYPE_CHECKING:
    from pathlib import Path

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")


def output_names(paths: list[Path], name=lambda p: p.stem) -> dict[Path, str]:
    """A distinct output name per input: `name(path)`, then '-2', '-3' … for inputs of the same name from
    different folders, in input order, so that no output overwrites another."""
    out: dict[Path, str] = {}
    taken: set[str] = set()
    for path in paths:
        base = candidate = name(path)
        n = 1
        while candidate.casefold() in taken:  # Windows and macOS folders ignore case
            n += 1
            candidate = f"{base}-{n}"
        taken.add(candidate.casefold())
        out[path] = candidate
    return out


def is_candidate(path: str | Path) -> bool:
    """A workbook a folder scan should pick up: not Excel's ~$ lock file, not hidden."""
    name = os.path.basename(path)
    return os.path.splitext(name)[1].lower() in WORKBOOK_SUFFIXES and not name.startswith(("~$", "."))


def folder_workbooks(folder: Path, recursive: bool = False) -> list[Path]:
    if recursive:
        return sorted(f for f in folder.rglob("*") if f.is_file() and is_candidate(f))
    return [folder / name for name in _workbook_names(folder)]


def _workbook_names(folder: Path | str) -> list[str]:
    with os.scandir(folder) as entries:  # the listing's file types: no stat per file
        names = [e.name for e in entries if e.name.lower().endswith(WORKBOOK_SUFFIXES) and e.is_file()]
    return [name for name in sorted(names) if not name.startswith(("~$", "."))]


def expand_inputs(paths: list[str | Path], recursive: bool = False, keep_empty: bool = False) -> list[Path]:
    """Files are kept as given (a bad one gets its own message later); folders give their workbooks, sorted.
    With `keep_empty`, a folder holding no workbook stays in the list, so it too gets a message instead of
    silently dropping out of a batch."""
    from pathlib import Path

    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            found = folder_workbooks(p, recursive)
            out.extend(found or ([p] if keep_empty else []))
        else:
            out.append(p)
    return out if len(paths) == 1 else list(dict.fromkeys(out))  # one folder's listing has no repeats


def expand_texts(args: list, keep_empty: bool = False) -> list[str] | None:
    """`expand_inputs(args, keep_empty=keep_empty)` as text, when every argument is text that pathlib would
    spell as it is (`plain_text`); None otherwise (the caller then uses pathlib)."""
    out: list[str] = []
    for arg in args:
        found = expand_text(arg, keep_empty) if isinstance(arg, str) else None
        if found is None:
            return None
        out.extend(found)
    return out if len(args) == 1 else list(dict.fromkeys(out))


def plain_text(text: object) -> str | None:
    """`text` as `str(Path(text))` spells it, when that takes no pathlib: on POSIX, a path with no empty or '.'
    parts (a trailing '/' is dropped, as pathlib drops it); None otherwise (the caller then uses pathlib)."""
    if os.name == "nt" or not isinstance(text, str):
        return None
    t = text.rstrip("/")
    if not t or "//" in t or t == "." or t.startswith("./") or "/./" in t or t.endswith("/."):
        return None
    return t


def expand_text(text: str, keep_empty: bool = False) -> list[str] | None:
    """`expand_inputs([text], keep_empty=keep_empty)` as text, for one INPUT argument `text` (the one-file
    command imports no pathlib); None when `text` needs pathlib to be spelt as it would be."""
    import errno
    import stat

    plain = plain_text(text)
    if plain is None:
        return None
    try:  # as Path.is_dir(): False for a missing path, any other OSError raised
        is_dir = stat.S_ISDIR(os.stat(plain).st_mode)
    except OSError as exc:
        if exc.errno not in (errno.ENOENT, errno.ENOTDIR, errno.EBADF, errno.ELOOP):
            raise
        is_dir = False
    except ValueError:
        is_dir = False
    if not is_dir:
        return [plain]
    found = [f"{plain}/{name}" for name in _workbook_names(plain)]
    return found or ([plain] if keep_empty else [])
