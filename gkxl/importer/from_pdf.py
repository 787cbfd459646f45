"""PDF reports: text lines from pdfium first; pdfplumber's table finder only when those lines cannot be placed.

pdfium's text comes in reading order, one table row per line as a rule, a label broken over lines or a page
break left as fragments around its numbers (the matcher rejoins them). Its page furniture ('- 4 -') may be
glued to the end of the last row of a page; it is cut off here. pdfplumber is far slower and finds tables by
their ruling lines: it is the fallback reading, for PDFs whose text order scatters a row.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

from gkxl.errors import ReadError
from gkxl.importer.budget import MAX_PAGES, check_pdf_streams, check_text
from gkxl.importer.lines import HEAD_LINES, Line, Source, cell_line, text_line

# A page number glued to the end of a line ('769- 5 -') or standing at its start.
_FURNITURE = re.compile(r"\s*(?:[-—–]\s*\d{1,4}\s*[-—–]|第\s*\d{1,4}\s*页(?:\s*共\s*\d{1,4}\s*页)?)\s*$")


def _unglue(text: str) -> str:
    cut = _FURNITURE.sub("", text)
    return cut if cut.strip() else text  # a line that is only furniture is dropped by text_line


def _pdfium_pages(data: bytes, path: Path) -> list[str]:
    import pypdfium2

    try:
        pdf = pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError as exc:
        reason = "需要密码" if "password" in str(exc).lower() else "可能已损坏或不是 PDF"
        raise ReadError(f"PDF 文件无法读取（{reason}）", path) from None
    pages: list[str] = []
    try:
        if len(pdf) > MAX_PAGES:
            raise ReadError(f"PDF 页数过多（{len(pdf)} 页，最多 {MAX_PAGES} 页），不像一份年度报告，未导入", path)
        for n in range(len(pdf)):
            page = pdf[n]
            textpage = page.get_textpage()
            pages.append(textpage.get_text_range())
            textpage.close()
            page.close()
        return pages
    except pypdfium2.PdfiumError:
        raise ReadError(f"PDF 文件无法读取（第 {len(pages) + 1} 页已损坏）", path) from None
    finally:
        pdf.close()


def _text_lines(pages: list[str], path: Path) -> list[Line]:
    out = []
    for n, text in enumerate(pages, 1):
        check_text(text, path, f"第 {n} 页有一行")
        for raw in text.splitlines():
            line = text_line(_unglue(raw), f"第 {n} 页")
            if line:
                out.append(line)
    return out


def _inside(obj: dict, boxes: list[tuple]) -> bool:
    x = (obj["x0"] + obj["x1"]) / 2
    y = (obj["top"] + obj["bottom"]) / 2
    return any(x0 <= x <= x1 and top <= y <= bottom for x0, top, x1, bottom in boxes)


def _table_page(page, n: int) -> list[Line]:
    """Rows of the page's tables and text lines outside them, top to bottom."""
    where = f"第 {n} 页"
    tables = page.find_tables()
    boxes = [t.bbox for t in tables]
    items: list[tuple[float, int, Line]] = []
    for t in tables:
        for i, row in enumerate(t.extract()):
            line = cell_line(row, where)
            if line:
                items.append((t.bbox[1] + i * 1e-3, 1, line))
    outside = page.filter(lambda obj: obj.get("object_type") != "char" or not _inside(obj, boxes))
    for text_row in outside.extract_text_lines():
        line = text_line(text_row["text"], where)
        if line:
            items.append((text_row["top"], 0, line))
    return [line for _, _, line in sorted(items, key=lambda item: (item[0], item[1]))]


def _table_lines(path: Path) -> tuple[str, list[Line]]:
    import pdfplumber

    logging.getLogger("pdfminer").setLevel(logging.ERROR)  # its font warnings say nothing about the tables
    try:
        with pdfplumber.open(str(path)) as pdf:
            return "PDF 表格", [line for n, page in enumerate(pdf.pages, 1) for line in _table_page(page, n)]
    except Exception as exc:  # pdfminer raises many types for damaged files
        raise ReadError(f"PDF 表格无法读取（{type(exc).__name__}）", path) from None


def read_pdf(data: bytes, path: Path) -> Source:
    """Text lines first; the table cells only when the text lines do not give a clean import."""
    check_pdf_streams(data, path)
    pages = _pdfium_pages(data, path)
    lines = _text_lines(pages, path)
    if not any(line.label or line.values for line in lines):
        raise ReadError("PDF 中没有文字（可能是扫描图片），无法导入；请用文字版 PDF 或网页/Word 版本", path)
    head = pages[0].splitlines()[:HEAD_LINES] if pages else []
    return Source([("PDF 文字", lines)], head, fallback=lambda: _table_lines(path))
