"""Every format of a published report becomes the same thing: a sequence of lines, each a label and values.

A `Line` is one row of a table (tabular sources: HTML, DOCX, PDF tables) or one line of text (copied from a
web page or extracted from a PDF). Its label pieces are the texts before its values; a line with no values is
a label fragment (a header, a caption, or part of a label broken over several lines or pages).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from gkxl.errors import ReadError
from gkxl.importer.text import Token, is_page_furniture, read_token


@dataclass(frozen=True)
class Line:
    labels: tuple[str, ...]
    values: tuple[Token, ...]
    where: str
    tabular: bool = False

    @property
    def label(self) -> str:
        return "".join(self.labels)

    @property
    def shown(self) -> str:
        """The line as a person would quote it."""
        parts = [re.sub(r"\s+", " ", p).strip() for p in self.labels] + [t.raw or "（空）" for t in self.values]
        return " ".join(p for p in parts if p)


@dataclass
class Source:
    """What a report file holds: one or more readings of its lines (e.g. PDF tables, PDF text), and its top."""

    readings: list[tuple[str, list[Line]]]
    head: list[str] = field(default_factory=list)
    fallback: Callable[[], tuple[str, list[Line]]] | None = None  # a slower reading, tried when the first fails


HEAD_LINES = 60  # lines searched for the title: a saved page prints its menus and breadcrumbs first
_CELL_SEPARATORS = re.compile(r"[|｜\t]")
_RULER = re.compile(r"[\s|｜:：\-—–+=]*")  # '|---|:---:|' under a header, '+----+' around a text table


def text_line(text: str, where: str) -> Line | None:
    """'规章 0 0 0' -> label '规章', three values. A row whose cells are separated by '|' or tabs (a table as
    text views and browsers copy it) is read cell by cell. Page furniture and empty lines give None."""
    if not text.strip() or is_page_furniture(text):
        return None
    if _CELL_SEPARATORS.search(text):
        if _RULER.fullmatch(text):
            return None
        cells = [c.strip() for c in _CELL_SEPARATORS.split(text)]
        if "|" in text or "｜" in text:  # the outer border of '| a | b |' is no cell
            cells = cells[1:] if cells and not cells[0] else cells
            cells = cells[:-1] if cells and not cells[-1] else cells
        return cell_line(cells, where)
    words = text.split()
    values: list[Token] = []
    while words:
        token = read_token(words[-1])
        if token is None:
            break
        values.append(token)
        words.pop()
    label = " ".join(words)
    return Line((label,) if label else (), tuple(reversed(values)), where)


def cell_line(cells: list[str | None], where: str) -> Line | None:
    """A table row: None cells (covered by a merge) are dropped; the values are the cells after the last label."""
    texts = [c for c in cells if c is not None]
    kinds = [read_token(t) for t in texts]
    last_label = max((i for i, k in enumerate(kinds) if k is None), default=-1)
    labels = tuple(t for t, k in zip(texts[: last_label + 1], kinds, strict=False) if k is None)
    values = tuple(k for k in kinds[last_label + 1 :] if k is not None)
    if not labels and len(values) < 2 and all(v.blank for v in values):
        return None  # an empty row, or the empty remainder of a merged cell
    return Line(labels, values, where, tabular=True)


def rebuild_rows(lines: list[Line]) -> list[Line] | None:
    """One cell per line (a table copied from a WeChat article, or a page whose cells are block elements):
    each run of lines holding a single number and no label is one row's values, joined into one line; the
    label lines before it stay, and the matcher joins them to it as it does a label printed above its row.
    The joined line is placed only if its count of numbers is its row's count of columns.
    None when no run of two or more such lines exists (the reading would be the same)."""
    out: list[Line] = []
    run: list[Line] = []
    joined = False

    def flush() -> None:
        nonlocal joined
        if len(run) > 1:
            out.append(Line((), tuple(t for line in run for t in line.values), run[0].where))
            joined = True
        else:
            out.extend(run)
        run.clear()

    for line in lines:
        if not line.labels and len(line.values) == 1 and not line.tabular:
            run.append(line)
            continue
        flush()
        out.append(line)
    flush()
    return out if joined else None


_REPORT_WORDS = ("公开", "信息", "政府", "年度")


def decode(data: bytes, path: Path) -> str:
    """UTF-16 with a BOM, UTF-8 (with or without BOM), else GB18030 (a superset of GBK/GB2312, as Chinese
    Windows saves text). Big5 (traditional characters) often decodes as GB18030 into nonsense: a text with
    none of a report's words that reads as Big5 gets an encoding message, not a "table not found"."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise ReadError("文字编码为 UTF-16，但内容已损坏", path) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        text = None
    if text is None or not any(w in text for w in _REPORT_WORDS):
        try:
            big5 = data.decode("big5")
        except UnicodeDecodeError:
            big5 = ""
        if any(w in big5 for w in ("公開", "資訊", "政府", "年度")):
            raise ReadError("文字编码为繁体 Big5，请另存为 UTF-8 或 GB18030（GBK）后再导入", path)
    if text is None:
        raise ReadError("无法识别文字编码（应为 UTF-8、UTF-16 或 GB18030/GBK）", path)
    return text


def text_lines(text: str, page_word: str = "行") -> list[Line]:
    """Lines of plain text; form feeds (PDF page breaks) count pages when page_word is '页'."""
    out, page = [], 1
    for n, raw in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), 1):  # keep \f
        for k, piece in enumerate(raw.split("\f")):  # a page break starts a new line
            page += k > 0
            where = f"第 {page} 页" if page_word == "页" else f"第 {n} 行"
            line = text_line(piece, where)
            if line:
                out.append(line)
    return out
