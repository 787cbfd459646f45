"""Errors that reach the user: one readable Chinese message, naming the file (and cell)."""

from __future__ import annotations

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (the validate hot path)
if TYPE_CHECKING:
    from pathlib import Path


class GkxlError(Exception):
    """A failure the user can act on. `str()` is the message to show."""

    def __init__(self, message: str, path: str | Path | None = None, cell: str | None = None):
        self.message = message
        self.path = str(path) if path is not None else None
        self.cell = cell
        super().__init__(self.__str__())

    def __str__(self) -> str:
        where = printable(self.path or "")
        if self.cell:
            where = f"{where} {self.cell}".strip()
        message = printable(self.message, keep_lines=True)
        return f"{where}：{message}" if where else message


class ReadError(GkxlError):
    """A workbook that cannot be read as a report of a known form."""


class OutputError(GkxlError):
    """An output cannot be written where it was asked for (the input is not at fault)."""


class UsageError(GkxlError):
    """Bad arguments: the command cannot run."""


# The OS's own wording is English (or the system locale's); the common cases get a Chinese one.
_OS_REASONS = {
    "EACCES": "没有访问权限",
    "EPERM": "没有访问权限",
    "ENOENT": "文件或文件夹不存在",
    "EISDIR": "这是文件夹",
    "ENOTDIR": "路径中有一项不是文件夹",
    "ENOSPC": "磁盘空间不足",
    "EROFS": "磁盘只读",
    "EBUSY": "文件正被其他程序占用",
    "EEXIST": "已存在同名文件",
    "ENAMETOOLONG": "文件名过长",
    "EFBIG": "文件超出大小限制",
    "EDQUOT": "磁盘配额已用完",
}


def os_reason(exc: OSError) -> str:
    """Why an OS call failed, in Chinese when it is a common reason."""
    import errno

    name = errno.errorcode.get(exc.errno or 0, "")
    return _OS_REASONS.get(name) or exc.strerror or str(exc)


# C0 and C1 control characters: ESC starts a terminal escape sequence (colours, cursor moves, a changed
# window title), BEL rings, NUL truncates. Tabs and line breaks become spaces (or stay, in messages).
_CONTROLS = {c: None for c in (*range(0x20), *range(0x7F, 0xA0))}
_SPACES = {**_CONTROLS, 0x09: " ", 0x0A: " ", 0x0D: " "}
_LINES = {**_CONTROLS, 0x09: " ", 0x0A: "\n", 0x0D: None}


def printable(text: str, keep_lines: bool = False) -> str:
    """`text` without control characters, safe to print on a terminal or write to a log."""
    if text.isprintable():
        return text
    return text.translate(_LINES if keep_lines else _SPACES)


def has_controls(text: str) -> bool:
    """Whether `text` holds a control character other than a tab or a line break."""
    return not text.isprintable() and any(ord(c) in _CONTROLS and c not in "\t\n\r" for c in text)
