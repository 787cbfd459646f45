"""CSV files on disk: written whole or not at all, with or without a UTF-8 byte order mark.

With the BOM (the default) Excel on Windows opens a double-clicked file as UTF-8 and shows Chinese
correctly; without it Excel guesses the ANSI code page (GBK) and shows mojibake. Databases and most
command-line tools prefer no BOM (--no-bom).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Sequence
from pathlib import Path

from gkxl.atomic import atomic_path
from gkxl.errors import OutputError, os_reason

BOM = "\ufeff".encode()
NEWLINE = "\r\n"  # the line end RFC 4180 names (and Python's csv module writes)
_SPECIAL = (",", '"', "\r", "\n")


def csv_field(text: str) -> str:
    """One field, quoted only when it must be (as csv.QUOTE_MINIMAL does)."""
    if any(ch in text for ch in _SPECIAL):
        return '"' + text.replace('"', '""') + '"'
    return text


def csv_line(fields: Sequence[str]) -> str:
    """Fields joined into one CSV line, without the line end."""
    return ",".join(map(csv_field, fields))


def csv_text(rows: Iterable[Sequence[str]]) -> str:
    return "".join(csv_line(row) + NEWLINE for row in rows)


def _write(path: Path, chunks: Iterable[bytes]) -> None:
    with path.open("wb") as fh:
        for chunk in chunks:
            fh.write(chunk)


def _write_to(fd: int, data: bytes, path: Path) -> None:
    """All of `data` to the open file `fd` (the temporary file `path`)."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def write_text(target: Path, text: str, bom: bool) -> None:
    """Write CSV text to `target` via a temporary file, so a reader never sees half a file.

    `gkxl.atomic.atomic_path` without its per-file checks (a job writes thousands of files into a folder it
    has made and holds): one temporary file created exclusively, written, renamed."""
    if _readonly(target):
        with atomic_path(target, clean=False) as tmp:  # says why in its own words
            _write(tmp, [])
    tmp = target.with_name(f".{target.name}.{os.urandom(4).hex()}.tmp")  # as atomic_path names it
    data = (BOM if bom else b"") + text.encode()
    try:
        fd = os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY | getattr(os, "O_BINARY", 0), 0o666)
    except OSError as exc:
        raise OutputError(f"无法写入（{os_reason(exc)}）", target) from None
    try:
        try:  # the descriptor of the exclusive create itself: no second open, no buffered file object
            _write_to(fd, data, tmp)
        finally:
            os.close(fd)
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _readonly(target: Path) -> bool:
    """Whether `target` is a folder or a read-only file, which atomic_path refuses (one stat: rarely true)."""
    try:
        mode = os.stat(target).st_mode
    except OSError:
        return False
    return stat.S_ISDIR(mode) or not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)


def write_rows(target: Path, rows: Iterable[Sequence[str]], bom: bool) -> None:
    write_text(target, csv_text(rows), bom)


def body(path: Path) -> bytes:
    """The bytes of a CSV file after its BOM and header line."""
    data = path.read_bytes().removeprefix(BOM)
    end = data.find(b"\n")
    return b"" if end < 0 else data[end + 1 :]


def concat_csv(target: Path, header: Sequence[str], sources: Iterable[Path], bom: bool) -> None:
    """One CSV from several with the same header: the header once, then each file's rows in order. Streamed:
    one source in memory at a time, however many there are."""
    first = (BOM if bom else b"") + (csv_line(header) + NEWLINE).encode()
    with atomic_path(target, clean=False) as tmp:
        _write(tmp, _chain(first, map(body, sources)))


def _chain(first: bytes, rest: Iterable[bytes]) -> Iterable[bytes]:
    yield first
    yield from rest
