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


class UsageError(GkxlError):
    """Bad arguments: the command cannot run."""
