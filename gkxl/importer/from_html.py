"""HTML reports (saved web pages): table cells from <td>/<th>, and the text around the tables (BeautifulSoup)."""

from __future__ import annotations

from pathlib import Path

from gkxl.importer.lines import Line, Source, cell_line, text_line

_MARK = "\x00GKXL-TABLE-{}\x00"


def _cells(tr) -> list[str]:
    # A cell with colspan/rowspan is listed once, where it starts (a merged header or label).
    return [cell.get_text(" ", strip=True) for cell in tr.find_all(["td", "th"], recursive=False)]


def _rows(table) -> list:
    rows = []
    for part in [table, *table.find_all(["thead", "tbody", "tfoot"], recursive=False)]:
        rows.extend(part.find_all("tr", recursive=False))
    return rows


def read_html(data: bytes, path: Path) -> Source:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(data, "lxml")
    for tag in soup(["script", "style", "head"]):
        tag.decompose()
    tables = [t for t in soup.find_all("table") if t.find_parent("table") is None]
    for i, table in enumerate(tables):
        table.replace_with(soup.new_string(f"\n{_MARK.format(i)}\n"))
    lines: list[Line] = []
    head: list[str] = []
    for text in soup.get_text("\n").splitlines():
        if text.startswith("\x00GKXL-TABLE-"):
            n = int(text.strip("\x00").rsplit("-", 1)[1])
            for r, tr in enumerate(_rows(tables[n]), 1):
                line = cell_line(_cells(tr), f"表格 {n + 1} 第 {r} 行")
                if line:
                    lines.append(line)
            continue
        if text.strip():
            head.append(text)
        line = text_line(text, f"文字“{text.strip()[:12]}”")
        if line:
            lines.append(line)
    return Source([("网页表格", lines)], head[:15])
