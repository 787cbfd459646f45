"""Read a report file (txt, html, docx, pdf) into lines: the one entry point over the format readers."""

from __future__ import annotations

from pathlib import Path

from gkxl.errors import ReadError, os_reason
from gkxl.importer.lines import Source, decode, text_lines

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
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ReadError(f"文件无法读取（{os_reason(exc)}）", path) from None
    if not data:
        raise ReadError("文件为空（0 字节）", path)
    if suffix == ".txt":
        text = decode(data, path)
        pages = "页" if "\f" in text else "行"
        return Source([("文本", text_lines(text, pages))], text.splitlines()[:15])
    if suffix in (".html", ".htm"):
        from gkxl.importer.from_html import read_html

        return read_html(data, path)
    if suffix == ".docx":
        from gkxl.importer.from_docx import read_docx

        return read_docx(path)
    from gkxl.importer.from_pdf import read_pdf

    return read_pdf(path)
