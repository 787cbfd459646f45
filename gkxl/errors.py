"""Errors that reach the user: one readable Chinese message, naming the file (and cell)."""

from __future__ import annotations

from pathlib import Path


class GkxlError(Exception):
    """A failure the user can act on. `str()` is the message to show."""

    def __init__(self, message: str, path: str | Path | None = None, cell: str | None = None):
        self.message = message
        self.path = str(path) if path is not None else None
        self.cell = cell
        super().__init__(self.__str__())

    def __str__(self) -> str:
        where = self.path or ""
        if self.cell:
            where = f"{where} {self.cell}".strip()
        return f"{where}：{self.message}" if where else self.message


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
}


def os_reason(exc: OSError) -> str:
    """Why an OS call failed, in Chinese when it is a common reason."""
    import errno

    name = errno.errorcode.get(exc.errno or 0, "")
    return _OS_REASONS.get(name) or exc.strerror or str(exc)
