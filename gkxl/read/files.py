"""Input files read safely: regular files only, under a size limit, never a blocking open.

A pipe or a device (/dev/zero) named .xlsx would hang or fill memory; a folder is told apart; a file that
grows while it is read is refused. Used for workbooks (read once, into memory) and for hashing inputs.
"""

from __future__ import annotations

import os
import stat
import sys

from gkxl.errors import ReadError, os_reason

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (the validate hot path)
if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

MAX_FILE_BYTES = 32 * 1024 * 1024  # on disk; a filled template is ~30 kB, one with pictures a few MB


def open_regular(path: Path, limit: int = MAX_FILE_BYTES) -> int:
    """A file descriptor of `path` if it is a regular file of at most `limit` bytes; ReadError otherwise.
    A pipe, a device (/dev/zero) or a folder is refused before a byte is read: opening is non-blocking, and
    the checks are on the opened file, so a file swapped in between cannot slip past."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except FileNotFoundError:
        raise ReadError("文件不存在", path) from None
    except IsADirectoryError:
        raise _folder_error(path) from None
    except OSError as exc:
        raise ReadError(f"无法打开文件（{os_reason(exc)}）", path) from None
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise _folder_error(path)
        if not stat.S_ISREG(st.st_mode):
            raise ReadError("不是普通文件（而是管道、设备等），已拒绝读取", path)
        if st.st_size > limit:
            raise ReadError(f"文件过大（{st.st_size / 1048576:.0f} MB），不是正常的年度报告工作簿，已拒绝读取", path)
    except BaseException:
        os.close(fd)
        raise
    return fd


def read_chunks(path: Path, limit: int = MAX_FILE_BYTES) -> Iterator[bytes]:
    """The bytes of a regular file of at most `limit` bytes, in blocks of 1 MiB (see `open_regular`)."""
    fd = open_regular(path, limit)
    left = limit + 1  # a file that grows while being read is cut off, then refused
    try:
        # Ask for what the file holds (+1, to see its end), not a fixed 1 MiB: a buffer of 1 MiB for a 30 kB
        # workbook costs more than reading it.
        expected = os.fstat(fd).st_size
        while left > 0:
            chunk = os.read(fd, min(left, max(expected + 1, 4096), 1 << 20))
            if not chunk:
                return
            expected -= len(chunk)
            left -= len(chunk)
            if left <= 0:
                raise ReadError("文件在读取时仍在变大，已拒绝读取", path)
            yield chunk
    except OSError as exc:
        raise ReadError(f"无法读取文件（{os_reason(exc)}）", path) from None
    finally:
        os.close(fd)


def read_bytes(path: Path, limit: int = MAX_FILE_BYTES) -> bytes:
    """The whole file, read once, if it is a regular file of at most `limit` bytes."""
    return b"".join(read_chunks(path, limit))


# OpenSSL's SHA-256 (hashlib) hashes ~6x faster than CPython's built-in one, but loading it costs ~2 ms: a
# small command (a merge of ten files) hashes its first MiB with the built-in one and only then loads
# OpenSSL. Both give the same digest.
_BUILTIN_BYTES = 1 << 20  # where the two cost the same: ~2.2 ms of loading against ~3 ms a MiB more hashing
_hashed = 0


def sha256(data: bytes | memoryview = b""):
    """A new SHA-256 object (hashlib's interface) fed `data`."""
    global _hashed
    _hashed += len(data)
    if _hashed <= _BUILTIN_BYTES and "_hashlib" not in sys.modules:
        builtin = _builtin_sha256()
        if builtin is not None:
            return builtin(data)
    import hashlib

    return hashlib.sha256(data)


_BUILTIN: list = []  # CPython's own sha256 constructor (None where it has none), found once


def _builtin_sha256():
    if not _BUILTIN:
        try:
            from _sha256 import sha256 as builtin  # CPython up to 3.11
        except ImportError:
            try:
                from _sha2 import sha256 as builtin  # CPython 3.12 and later
            except ImportError:
                builtin = None
        _BUILTIN.append(builtin)
    return _BUILTIN[0]


def file_sha256(path: Path, limit: int = MAX_FILE_BYTES) -> str:
    """The SHA-256 of a file that may be read (see `open_regular`), hashed in blocks."""
    import hashlib

    digest = hashlib.sha256()
    for chunk in read_chunks(path, limit):
        digest.update(chunk)
    return digest.hexdigest()


def _folder_error(path: Path | str) -> ReadError:
    from pathlib import Path

    from gkxl.read.inputs import folder_workbooks

    empty = not folder_workbooks(Path(path))
    return ReadError("这是文件夹，其中没有找到工作簿（.xlsx/.xlsm）" if empty else "这是文件夹，不是工作簿", path)
