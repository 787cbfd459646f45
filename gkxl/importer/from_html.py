"""HTML reports (saved web pages): table cells from <td>/<th>, and every text node around the tables (lxml).

One pass over the parsed tree in document order, linear in the page: a top-level table becomes one line per
<tr>, any other text node one line. libxml2 stops descending at 256 levels (losing what lies deeper), so a
page nested that deep is refused rather than read in part.
"""

from __future__ import annotations

import re
from pathlib import Path

from gkxl.errors import ReadError
from gkxl.importer.budget import MAX_DEPTH, MAX_LINE, check_rows
from gkxl.importer.lines import HEAD_LINES, Line, Source, cell_line, decode, text_line

_SKIP = {"script", "style", "head", "noscript", "template", "title"}
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([-\w]+)""", re.IGNORECASE)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")


def _text(data: bytes, path: Path) -> str:
    """The page as text: its declared charset, else UTF-8 / UTF-16 / GB18030 as for .txt files."""
    m = _CHARSET.search(data[:4096])
    if m and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode(m.group(1).decode("ascii").lower().replace("gb2312", "gb18030"))
        except (LookupError, UnicodeDecodeError):
            pass
    return decode(data, path)


def _cell_text(cell) -> str:
    text = " ".join(t.strip() for t in cell.itertext() if t.strip())
    return text[:MAX_LINE]


def _rows(table) -> list:
    rows = [c for c in table if c.tag == "tr"]
    for part in table:
        if part.tag in ("thead", "tbody", "tfoot"):
            rows += [c for c in part if c.tag == "tr"]
    return rows


def _table_lines(table, n: int) -> list[Line]:
    out = []
    for r, tr in enumerate(_rows(table), 1):
        # A cell with colspan/rowspan is listed once, where it starts (a merged header or label).
        cells = [_cell_text(c) for c in tr if c.tag in ("td", "th")]
        line = cell_line(cells, f"表格 {n} 第 {r} 行")
        if line:
            out.append(line)
    return out


def read_html(data: bytes, path: Path) -> Source:
    from lxml import etree, html

    text = _XML_DECLARATION.sub("", _text(data, path))
    if not text.strip():
        raise ReadError("网页中没有文字", path)
    try:
        parser = html.HTMLParser(remove_comments=True, remove_pis=True)  # their tails join the text around
        root = html.document_fromstring(text, parser=parser)
    except (etree.ParserError, ValueError) as exc:
        raise ReadError(f"网页无法解析（{type(exc).__name__}）", path) from None
    check_rows(sum(1 for _ in root.iter("tr")), path)
    lines: list[Line] = []
    head: list[str] = []
    tables = depth = 0

    def add(chunk: str | None) -> None:
        for piece in (chunk or "").splitlines():
            if piece.strip():
                if len(head) < HEAD_LINES:
                    head.append(piece)
                line = text_line(piece[:MAX_LINE], f"文字“{piece.strip()[:12]}”")
                if line:
                    lines.append(line)

    walk = etree.iterwalk(root, events=("start", "end"))
    for event, element in walk:
        if event == "end":
            depth -= 1
            add(element.tail)
            continue
        depth += 1
        if depth >= MAX_DEPTH - 1:
            raise ReadError(f"网页元素嵌套过深（超过 {MAX_DEPTH - 2} 层），不像一份年度报告，未导入", path)
        tag = element.tag if isinstance(element.tag, str) else ""
        if tag in _SKIP or not tag:
            walk.skip_subtree()
        elif tag == "table":
            tables += 1
            lines += _table_lines(element, tables)
            walk.skip_subtree()
        else:
            add(element.text)
    return Source([("网页表格", lines)], head)
