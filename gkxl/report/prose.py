"""The clerk's own prose (--text): Markdown, plain text or Word, with the six headings, read into parts.

Text before the first heading is the preamble (“本报告由……编制”); a title line there is dropped, since the
title is written from the workbook. Text under 二–四 is not used: those parts are the tables.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from gkxl.errors import ReadError, os_reason
from gkxl.report.parts import find_heading

SUFFIXES = (".md", ".txt", ".docx")
_MARKUP = re.compile(r"^\s*(#+\s*|[-*]\s+)|\*\*|__")


@dataclass
class Prose:
    preamble: list[str] = field(default_factory=list)
    parts: dict[str, list[str]] = field(default_factory=dict)  # part id -> paragraphs
    unused: list[str] = field(default_factory=list)  # headings of parts whose text is not used (二–四)


def _paragraphs_text(text: str) -> list[str]:
    """Paragraphs of Markdown or plain text: a blank line ends one; lines of a paragraph join without a space."""
    out, current = [], []
    for raw in text.replace("\r\n", "\n").split("\n"):
        line = _MARKUP.sub("", raw).strip()
        if not line or raw.lstrip().startswith("#"):
            if current:
                out.append("".join(current))
                current = []
            if line:
                out.append(line)
            continue
        current.append(line)
    if current:
        out.append("".join(current))
    return out


def _paragraphs_docx(path: Path) -> list[str]:
    import docx

    try:
        document = docx.Document(str(path))
    except Exception as exc:  # python-docx raises several types for a broken package
        raise ReadError(f"Word 文件无法读取，可能已损坏或不是 .docx（{type(exc).__name__}）", path) from None
    return [p.text.strip() for p in document.paragraphs if p.text.strip()]


def _decode(data: bytes, path: Path) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ReadError("无法识别文字编码（应为 UTF-8 或 GB18030/GBK）", path)


def read_prose(path: str | Path) -> Prose:
    """Read the clerk's text; a missing, unreadable or unsupported file is a ReadError naming it."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise ReadError(f"不支持的正文文件类型“{path.suffix}”（支持 {'、'.join(SUFFIXES)}）", path)
    if not path.is_file():
        raise ReadError("文件不存在", path)
    try:
        paragraphs = _paragraphs_docx(path) if suffix == ".docx" else _paragraphs_text(_decode(path.read_bytes(), path))
    except OSError as exc:
        raise ReadError(f"文件无法读取（{os_reason(exc)}）", path) from None
    return split_prose(paragraphs)


def split_prose(paragraphs: list[str]) -> Prose:
    prose = Prose()
    current: list[str] | None = prose.preamble
    for text in paragraphs:
        found = find_heading(text)
        if found:
            spec = found[1]
            if spec.table:
                prose.unused.append(spec.heading)
                current = None
            else:
                current = prose.parts.setdefault(spec.id, [])
            continue
        if current is prose.preamble and "年度报告" in text and len(text) <= 60:
            continue  # the title: written from the workbook
        if current is not None:
            current.append(text)
    return prose
