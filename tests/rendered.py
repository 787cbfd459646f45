"""Read rendered reports back (HTML and DOCX) the way a person reads the printed tables: by their labels.

`tables_html` / `tables_docx` give each table as a matrix of cell positions (merged cells expanded, each
position pointing to its origin cell); `extract` turns a matrix into {(row label path, column label path):
text} without knowing the form, so the round trip checks that every number sits under its printed labels.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")


@dataclass(eq=False)
class Origin:
    """One cell as written in the document (a merged cell is one origin over several positions)."""

    text: str


Matrix = list[list[Origin]]


@dataclass
class Rendered:
    heading: str
    tables: list[tuple[str, Matrix]]  # (title above the table, matrix)


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def tables_html(path: Path) -> Rendered:
    import lxml.html

    root = lxml.html.fromstring(Path(path).read_bytes())
    tables = []
    for table in root.iter("table"):
        title = table.xpath("preceding::h2[1]")[0].text_content().strip()
        tables.append((title, _html_matrix(table)))
    return Rendered(root.xpath("//h1")[0].text_content().strip(), tables)


def _html_matrix(table) -> Matrix:
    grid: dict[tuple[int, int], Origin] = {}
    for r, tr in enumerate(table.iter("tr")):
        c = 0
        for td in tr:
            if td.tag not in ("td", "th"):
                continue
            while (r, c) in grid:
                c += 1
            origin = Origin(td.text_content().strip())
            rows, cols = int(td.get("rowspan", 1)), int(td.get("colspan", 1))
            for dr in range(rows):
                for dc in range(cols):
                    grid[r + dr, c + dc] = origin
            c += cols
    return _to_matrix(grid)


def _to_matrix(grid: dict[tuple[int, int], Origin]) -> Matrix:
    n_rows, n_cols = max(r for r, _ in grid) + 1, max(c for _, c in grid) + 1
    missing = [(r, c) for r in range(n_rows) for c in range(n_cols) if (r, c) not in grid]
    assert not missing, f"table has holes at {missing[:5]}"
    return [[grid[r, c] for c in range(n_cols)] for r in range(n_rows)]


def tables_docx(path: Path) -> Rendered:
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    doc = docx.Document(str(path))
    heading, last_text, tables = None, "", []
    for block in doc.iter_inner_content():
        if isinstance(block, Paragraph) and block.text.strip():
            heading = heading or block.text.strip()
            last_text = block.text.strip()
        elif isinstance(block, Table):
            tables.append((last_text, _docx_matrix(block)))
    return Rendered(heading or "", tables)


def _docx_matrix(table) -> Matrix:
    # python-docx gives the cell at the merge's origin for every grid position it covers (gridSpan and vMerge
    # alike). Keeping every cell alive keeps lxml's proxies, so one XML cell has one id.
    cells = {(r, c): cell for r, row in enumerate(table.rows) for c, cell in enumerate(row.cells)}
    origins: dict[int, Origin] = {}
    grid = {pos: origins.setdefault(id(cell._tc), Origin(cell.text.strip())) for pos, cell in cells.items()}
    return _to_matrix(grid)


def rectangles(matrix: Matrix) -> list[tuple[int, int, int, int, str]]:
    """Every origin as (top, left, bottom, right, text), 0-based; asserts each merge is a full rectangle."""
    spots: dict[int, list[tuple[int, int]]] = {}
    by_id = {}
    for r, row in enumerate(matrix):
        for c, origin in enumerate(row):
            spots.setdefault(id(origin), []).append((r, c))
            by_id[id(origin)] = origin
    out = []
    for key, cells in spots.items():
        rows, cols = [r for r, _ in cells], [c for _, c in cells]
        top, left, bottom, right = min(rows), min(cols), max(rows), max(cols)
        assert len(cells) == (bottom - top + 1) * (right - left + 1), f"{by_id[key].text!r} is not a rectangle"
        out.append((top, left, bottom, right, by_id[key].text))
    return sorted(out)


def _is_value(origin: Origin) -> bool:
    return origin.text == "" or bool(NUMBER.fullmatch(origin.text.replace(",", "")))


def _distinct(origins: list[Origin]) -> list[Origin]:
    out: list[Origin] = []
    for o in origins:
        if not out or out[-1] is not o:
            out.append(o)
    return out


def extract(matrix: Matrix) -> dict[tuple[tuple[str, ...], tuple[str, ...]], str]:
    """{(row labels, column labels): text} for every value cell, found from the labels around it."""
    width = len(matrix[0])
    is_data = [any(_is_value(o) for o in row) for row in matrix]
    is_caption = [len(_distinct(row)) == 1 and not is_data[i] for i, row in enumerate(matrix)]
    out = {}
    for i, row in enumerate(matrix):
        if not is_data[i]:
            continue
        k = next(j for j in range(width) if _is_value(row[j]))
        seen: set[int] = set()
        for j in range(k, width):
            if id(row[j]) in seen:
                continue
            seen.add(id(row[j]))
            caption, col_path = _column_path(matrix, i, j, is_data, is_caption)
            row_path = tuple(_squash(o.text) for o in ([caption] if caption else []) + _distinct(row[:k]))
            out[row_path, col_path] = row[j].text
    return out


def _column_path(matrix: Matrix, i: int, j: int, is_data, is_caption) -> tuple[Origin | None, tuple[str, ...]]:
    path: list[Origin] = []
    for u in range(i - 1, -1, -1):
        if is_caption[u]:
            return matrix[u][j], tuple(_squash(o.text) for o in reversed(path))
        if is_data[u]:
            if path:
                break
            continue
        if not path or path[-1] is not matrix[u][j]:
            path.append(matrix[u][j])
    return None, tuple(_squash(o.text) for o in reversed(path))
