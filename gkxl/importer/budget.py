"""Limits on what one published report may cost to read, checked before (or while) a parser sees it.

A report is a few dozen pages: anything far beyond these limits is refused with a message instead of
being parsed for minutes or inflated into gigabytes. Each check is linear in the input.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Callable, Iterable, Iterator
from itertools import chain
from pathlib import Path

from gkxl.errors import ReadError

MiB = 1 << 20
MAX_BYTES = {".txt": 4 * MiB, ".html": 8 * MiB, ".htm": 8 * MiB, ".docx": 32 * MiB, ".pdf": 64 * MiB}
MAX_PAGES = 200  # PDF pages
MAX_LINE = 20_000  # characters in one line of text or one table cell
MAX_LINES = 20_000  # lines of text or table rows (a report has a few hundred)
MAX_VALUE_LINES = 5_000  # lines with numbers (each is compared with every row label of the form)
MAX_DEPTH = 256  # nesting of HTML elements
MAX_INFLATED = 256 * MiB  # all compressed streams (PDF) or parts (DOCX) together, once inflated
MAX_DOCX_XML = 16 * MiB  # the XML parts of a .docx, inflated (a report's document.xml is well under 1 MB)
_STREAM = re.compile(rb"stream\r?\n")


def _mb(n: int) -> str:
    return f"{n / MiB:.0f} MB"


def check_size(path: Path, size: int) -> None:
    limit = MAX_BYTES[path.suffix.lower()]
    if size > limit:
        raise ReadError(f"文件过大（{_mb(size)}，{path.suffix} 报告最大 {_mb(limit)}），未导入", path)


def check_lines(lines: list, path: Path) -> None:
    _too_many(len(lines), path)
    with_values = sum(1 for line in lines if line.values)
    if with_values > MAX_VALUE_LINES:
        text = f"含数字的行过多（{with_values} 行，最多 {MAX_VALUE_LINES} 行），不像一份年度报告，未导入"
        raise ReadError(text, path)


def _too_many(n: int, path: Path, what: str = "文字行数") -> None:
    if n > MAX_LINES:
        raise ReadError(f"{what}过多（{n} 行，最多 {MAX_LINES} 行），不像一份年度报告，未导入", path)


def check_rows(n: int, path: Path) -> None:
    _too_many(n, path, "表格行数")


def check_text(text: str, path: Path, where: str = "") -> None:
    """Refuse a text with too many lines or an overlong line (before it is split into words)."""
    _too_many(text.count("\n"), path)
    start = 0
    while (end := text.find("\n", start)) != -1 or start < len(text):
        end = len(text) if end == -1 else end
        if end - start > MAX_LINE:
            line = text.count("\n", 0, start) + 1
            at = where or f"第 {line} 行"
            raise ReadError(f"{at}过长（{end - start} 个字符，最多 {MAX_LINE} 个），未导入", path)
        start = end + 1


def _inflate(pieces: Iterable, count: Callable[[int], None]) -> Iterator[bytes]:
    """The inflated bytes of a zlib stream fed in pieces, at most MiB per step (a bomb never inflates whole)."""
    inflater = zlib.decompressobj()
    for piece in pieces:
        pending = piece
        while pending and not inflater.eof:
            out = inflater.decompress(pending, MiB)
            count(len(out))
            yield out
            pending = inflater.unconsumed_tail
        if inflater.eof:
            return


def _zlib_header(data: bytes) -> bool:
    return len(data) >= 2 and data[0] == 0x78 and (data[0] * 256 + data[1]) % 31 == 0


def _drain(pieces: Iterable, count: Callable[[int], None], depth: int = 0) -> None:
    """Inflate, and inflate again what inflates to another zlib stream ([/FlateDecode /FlateDecode] chains
    multiply their ratios: a few kB can stand for gigabytes)."""
    out = _inflate(pieces, count)
    first = next(out, b"")
    if depth < 3 and _zlib_header(first):
        _drain(chain([first], out), count, depth + 1)
    else:
        for _ in out:
            pass


def check_pdf_streams(data: bytes, path: Path) -> None:
    """Inflate every zlib stream of a PDF with a cap: streams that would inflate past the budget are refused."""
    left = [MAX_INFLATED]

    def count(n: int) -> None:
        left[0] -= n
        if left[0] < 0:
            raise ReadError(f"PDF 中的压缩数据解压后超过 {_mb(MAX_INFLATED)}，未导入", path)

    view = memoryview(data)
    for m in _STREAM.finditer(data):
        start = m.end()
        if not _zlib_header(data[start : start + 2]):  # not a FlateDecode stream
            continue
        end = data.find(b"endstream", start)
        end = len(data) if end == -1 else end
        try:  # up to 'endstream' (no copy of the rest of the file), on past it if the stream goes on there
            _drain((view[start:end], view[end:]), count)
        except zlib.error:
            continue  # a damaged stream is the PDF library's to report


def check_docx_parts(path: Path) -> None:
    """The parts' inflated sizes, as the zip declares them (zipfile never reads past a declared size)."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as z:
            parts = z.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return  # python-docx gives the message for a broken package
    total = sum(i.file_size for i in parts)
    xml = sum(i.file_size for i in parts if i.filename.endswith((".xml", ".rels")))
    if total > MAX_INFLATED:
        raise ReadError(f"Word 文件解压后超过 {_mb(MAX_INFLATED)}（{_mb(total)}），未导入", path)
    if xml > MAX_DOCX_XML:
        raise ReadError(f"Word 文件的文字部分解压后超过 {_mb(MAX_DOCX_XML)}（{_mb(xml)}），未导入", path)
