"""PDF reports (pdfplumber): two readings, table cells with the text around them, and plain text lines.

Tables that cross a page break come out as one table per page; their rows simply follow each other in the
line sequence, and a label split by the break ('（四）无' … '法提供') is rejoined by the matcher.
"""

from __future__ import annotations

from pathlib import Path

from gkxl.errors import ReadError
from gkxl.importer.lines import Line, Source, cell_line, text_line


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


def _text_page(page, n: int) -> list[Line]:
    return [line for row in page.extract_text_lines() if (line := text_line(row["text"], f"第 {n} 页"))]


def _pages(path: Path, read) -> list[Line]:
    import pdfplumber

    try:
        with pdfplumber.open(str(path)) as pdf:
            return [line for n, page in enumerate(pdf.pages, 1) for line in read(page, n)]
    except Exception as exc:  # pdfminer raises many types for damaged or encrypted files
        raise ReadError(f"PDF 文件无法读取，可能已损坏或加密（{type(exc).__name__}）", path) from None


def read_pdf(path: Path) -> Source:
    """Table cells first; plain text lines only when the tables do not give a clean import."""
    head: list[str] = []

    def first_page(page, n: int) -> list[Line]:
        if n == 1:
            head.extend((page.extract_text() or "").splitlines()[:15])
        return _table_page(page, n)

    tables = _pages(path, first_page)
    if not any(line.label or line.values for line in tables):
        raise ReadError("PDF 中没有文字（可能是扫描图片），无法导入；请用文字版 PDF 或网页/Word 版本", path)
    return Source([("PDF 表格", tables)], head, fallback=lambda: ("PDF 文字", _pages(path, _text_page)))
