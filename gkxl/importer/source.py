"""Read a report file (txt, html, docx, pdf) into lines: the one entry point over the format readers."""

from __future__ import annotations

import stat
from pathlib import Path

from gkxl.errors import ReadError, os_reason
from gkxl.importer.budget import MAX_BYTES, check_docx_parts, check_lines, check_size, check_text
from gkxl.importer.lines import HEAD_LINES, Source, decode, rebuild_rows, text_lines

SUFFIXES = (".txt", ".html", ".htm", ".docx", ".pdf")


def read_source(path: Path) -> Source:
    """Read a report file of any supported format into lines."""
    suffix = path.suffix.lower()
    if not path.exists():
        raise ReadError("文件不存在", path)
    if path.is_dir():  # only an empty one gets here: a folder's reports are listed by the command
        raise ReadError(f"这是文件夹，其中没有找到报告（{'、'.join(SUFFIXES)}）", path)
    if suffix not in SUFFIXES:
        raise ReadError(f"不支持的文件类型“{path.suffix}”（支持 {'、'.join(SUFFIXES)}）", path)
    source = _read(path, suffix, _bytes(path))
    for _, lines in source.readings:
        check_lines(lines, path)
    return source


def cell_readings(source: Source) -> list[tuple[str, list]]:
    """The readings again with rows rebuilt from one cell per line, where that changes anything."""
    return [(f"{name}（每格一行）", rows) for name, lines in source.readings if (rows := rebuild_rows(lines))]


def _bytes(path: Path) -> bytes:
    """The file's bytes, refused before reading when it is not a regular file or is far too large."""
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            raise ReadError("不是普通文件（可能是设备或管道），未导入", path)
        check_size(path, info.st_size)
        with path.open("rb") as f:
            data = f.read(MAX_BYTES[path.suffix.lower()] + 1)
    except OSError as exc:
        raise ReadError(f"文件无法读取（{os_reason(exc)}）", path) from None
    check_size(path, len(data))  # grown since stat
    if not data:
        raise ReadError("文件为空（0 字节）", path)
    return data


def _read(path: Path, suffix: str, data: bytes) -> Source:
    if suffix == ".txt":
        text = decode(data, path)
        check_text(text, path)
        pages = "页" if "\f" in text else "行"
        return Source([("文本", text_lines(text, pages))], text.splitlines()[:HEAD_LINES])
    if suffix in (".html", ".htm"):
        from gkxl.importer.from_html import read_html

        return read_html(data, path)
    if suffix == ".docx":
        from gkxl.importer.from_docx import read_docx

        check_docx_parts(path)
        return read_docx(path)
    from gkxl.importer.from_pdf import read_pdf

    return read_pdf(data, path)
