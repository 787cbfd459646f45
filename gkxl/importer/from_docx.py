"""Word (.docx) reports: paragraphs and table rows in document order (python-docx)."""

from __future__ import annotations

from pathlib import Path

from gkxl.errors import ReadError
from gkxl.importer.lines import HEAD_LINES, Line, Source, cell_line, text_line


def _row_cells(row) -> list[str]:
    """One text per cell: a cell merged across columns (gridSpan) is listed once, not once per grid column."""
    out, seen = [], None
    for cell in row.cells:
        if cell._tc is not seen:
            out.append(cell.text)
        seen = cell._tc
    return out


def read_docx(path: Path) -> Source:
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(str(path))
    except Exception as exc:  # python-docx raises several types for a broken package
        raise ReadError(f"Word 文件无法读取，可能已损坏或不是 .docx（{type(exc).__name__}）", path) from None
    lines: list[Line] = []
    head: list[str] = []
    n_table = 0
    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            for text in block.text.splitlines():
                head.append(text)
                line = text_line(text, f"段落“{text.strip()[:12]}”")
                if line:
                    lines.append(line)
        elif isinstance(block, Table):
            n_table += 1
            for r, row in enumerate(block.rows, 1):
                line = cell_line(_row_cells(row), f"表格 {n_table} 第 {r} 行")
                if line:
                    lines.append(line)
    return Source([("Word 表格", lines)], head[:HEAD_LINES])
