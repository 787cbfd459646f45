"""The workbook file itself: read once, checked before any spreadsheet library touches it.

A report is a small zip of XML parts. Anything else (a pipe or a device, a file of gigabytes, a legacy .xls,
a WPS .et, a password-encrypted file, a truncated download, a zip bomb, a sheet of a million rows, a cell at
XFD1048576) is refused here with one readable message. The file is read into memory once (gkxl.read.files),
after its type and size are checked; the zip directory is parsed with struct and only the parts gkxl needs are
inflated (zlib), so the spreadsheet library, the hash and the checks all see the same bytes, and the read stays
cheap (no zipfile import).
"""

from __future__ import annotations

import os
import struct
import zlib

from gkxl.errors import ReadError
from gkxl.form.model import column_index, column_letters
from gkxl.read.files import open_regular, read_bytes

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (the validate hot path)
if TYPE_CHECKING:
    from pathlib import Path

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
MAX_TOTAL_BYTES = 64 * 1024 * 1024  # uncompressed; a filled template is well under 1 MB
MAX_PART_BYTES = 16 * 1024 * 1024  # a sheet this large is not a report (a million rows, say)
MAX_RATIO = 200  # compression ratio beyond which a large part is treated as a zip bomb
MAP_MIN_BYTES = 1 << 20  # map_package maps files from this size (a summary of ~1,000 inputs) and reads smaller ones
# A sheet's cells may lie this far beyond the form's table (a note below it, a scribble to the right);
# further out is refused: python-calamine allocates the whole rectangle up to the farthest cell.
ROW_MARGIN, COL_MARGIN = 500, 50
EXTENSIONS = {".xlsx", ".xlsm"}
DAMAGED = "工作簿已损坏或不完整（可能下载或复制时被截断），请重新获取文件"

_EOCD = struct.Struct("<4sHHHHIIH")
_CENTRAL = struct.Struct("<4sHHHHHHIIIHHHHHII")
_LOCAL = struct.Struct("<4sHHHHHIIIHH")
# The sheet scans below are bytes methods over one translated copy of the sheet, not regular expressions:
# `re` costs a one-file `gkxl validate` more than reading the workbook does, so it is imported only on the
# rare paths. In the copy each upper-case letter reads as A and each digit as 0; whitespace, "/" and ">" read
# as a space, so that `<c ` starts every cell however it is closed; ":" reads as "<", so that a prefixed
# cell (<x:c …>) is a cell too; and ' reads as ".
_SHAPES = bytes.maketrans(
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789\t\n\r\x0b\x0c/>:'",
    b"A" * 26 + b"0" * 10 + b'       <"',
)
# An address that may lie outside a form's table (two or more letters, or three or more digits): few in a
# report, so the exact test (is it a cell, does it hold something, how far is it) runs on only these.
_FAR_SHAPES = (b'r="AA', b'r="A000')
# Rows and cells, for the full positional scan that a sheet with unaddressed cells or rows needs (Excel,
# LibreOffice and openpyxl address every cell, so this pattern is compiled only for an unusual sheet).
_ROW_OR_CELL = rb"<(?:\w+:)?(row|c)(?=[\s>/])([^>]*?)(/?)>"
_R = rb'\br=["\']([A-Z]*)([0-9]*)["\']'
_NAME_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_:-."
_ENTITIES = {"&lt;": "<", "&gt;": ">", "&quot;": '"', "&apos;": "'", "&amp;": "&"}


class Package:
    """A workbook's bytes and its zip directory; parts are inflated (and their CRC checked) on demand.
    `data` is the file's bytes, or (`mapped`) the file mapped into memory: see `map_package`."""

    def __init__(self, path: Path, data: bytes, mapped: bool = False):
        self.path = path
        self.data = data
        self.mapped = mapped
        self.parts = _directory(data, path)  # name -> (local header offset, method, compressed, size, crc)
        self._view = memoryview(data)  # slices of it are not copies (made last: a mapped file then closes)
        self._sheets: dict[str, str] | None = None
        self._workbook: str | None = None

    def namelist(self) -> list[str]:
        return list(self.parts)

    def close(self) -> None:
        """Unmap a mapped file (so that it can be renamed or deleted on Windows); nothing for bytes."""
        if self.mapped:
            self._view.release()
            self.data.close()

    def read(self, name: str) -> bytes:
        """The inflated part; ReadError when it is damaged."""
        offset, method, csize, size, crc = self.parts[name]
        head = self.data[offset : offset + _LOCAL.size]
        if len(head) < _LOCAL.size or head[:4] != ZIP_MAGIC:
            raise ReadError(DAMAGED, self.path)
        start = offset + _LOCAL.size + _LOCAL.unpack(head)[9] + _LOCAL.unpack(head)[10]
        raw = self._view[start : start + csize]
        try:
            out = bytes(raw) if method == 0 else zlib.decompressobj(-15).decompress(raw, size + 1)
        except zlib.error:
            raise ReadError(f"{DAMAGED}（{name} 无法解压）", self.path) from None
        if method not in (0, 8) or len(out) != size or zlib.crc32(out) != crc:
            raise ReadError(f"{DAMAGED}（{name} 校验不符）", self.path)
        return out

    def xml(self, name: str) -> bytes:
        """A part that is parsed as XML: one with a DTD (entities, external references) is refused."""
        data = self.read(name)
        head = data[:4096]
        if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
            raise ReadError(f"工作簿的 {name} 含有文档类型定义（DTD），不是 Excel 保存的文件，已拒绝读取", self.path)
        return data

    def workbook_xml(self) -> str:
        if self._workbook is None:
            self._workbook = self.xml("xl/workbook.xml").decode("utf-8", "replace")
        return self._workbook

    def sheet_parts(self) -> dict[str, str]:
        """Sheet name -> zip part, following workbook.xml and its relationships."""
        if self._sheets is None:
            self._sheets = _sheet_parts(self)
        return self._sheets

    def marks(self) -> dict[str, str]:
        """gkxl's own defined names in the workbook (GKXL_*, name -> formula text), e.g. the mark merge puts
        on a summary; the template's hundreds of other names are not parsed."""
        xml = self.workbook_xml()
        if "GKXL_" not in xml:
            return {}
        import re

        found = re.finditer(r'<(?:\w+:)?definedName\b[^>]*?\bname="(GKXL_[^"]*)"[^>]*>([^<]*)<', xml)
        return {m.group(1): _unescape(m.group(2)) for m in found}

    def check_extent(self, sheet: str, rows: int, cols: int) -> None:
        """Refuse `sheet` when a cell with content lies far beyond `rows` x `cols` (the form's table there)."""
        part = self.sheet_parts().get(sheet)
        if part is None or part not in self.parts:  # python-calamine would find it some other way, or not at all
            raise ReadError(f"{DAMAGED}（找不到工作表“{sheet}”的数据）", self.path)
        address = far_address(self.xml(part), rows, cols)
        if address:
            raise ReadError(
                f"工作表“{sheet}”的单元格 {address} 有内容，远在表格范围（前 {rows} 行、前 {cols} 列）之外，"
                "请删除该单元格的内容后保存再提交",
                self.path,
            )


def far_address(xml: bytes, rows: int, cols: int) -> str | None:
    """The address of the first cell of sheet `xml` that holds something far beyond `rows` x `cols` (a margin
    of ROW_MARGIN rows and COL_MARGIN columns), or None. Cells are found by their addresses; a sheet where a
    cell lacks one (the spec allows it: the cell then follows the one before) is followed cell by cell."""
    max_row, max_col = rows + ROW_MARGIN, cols + COL_MARGIN
    offset, data = sheet_data(xml)
    shapes = data.translate(_SHAPES)
    cells = shapes.count(b"<c ")
    if not cells:
        return None  # rows alone hold nothing
    if shapes.count(b'<c r="') != cells:
        return _positional_far(xml, max_row, max_col)
    for at in _far_candidates(shapes):
        letters, digits = _address_at(xml, at + offset)
        if letters and (int(digits) > max_row or column_index(letters) > max_col) and _holds_value(xml, at + offset):
            return f"{letters}{int(digits)}"
    return None


def _positional_far(xml: bytes, max_row: int, max_col: int) -> str | None:
    """The slow, exact scan for a sheet whose cells or rows lack addresses: follow them one by one."""
    import re  # a sheet no spreadsheet program writes: the cost of importing re does not matter here

    row = col = 0
    for m in re.finditer(_ROW_OR_CELL, xml):
        address = re.search(_R, m.group(2))
        letters, digits = address.groups() if address else (b"", b"")
        if m.group(1) == b"row":
            row, col = int(digits) if digits else row + 1, 0
            continue
        col = column_index(letters.decode()) if letters else col + 1
        row = int(digits) if digits else row
        far = row > max_row or col > max_col
        if far and not m.group(3) and not xml[m.end() : m.end() + 64].lstrip().startswith(b"</"):
            return f"{column_letters(col)}{row}"
    return None


def sheet_data(xml: bytes) -> tuple[int, bytes]:
    """(where it starts, the part of a sheet that holds its cells), from the first "sheetData" to the last:
    python-calamine reads cells only inside the (first) <sheetData>, and what follows it (conditional formats,
    data validations: the template's formula checks) is most of a form sheet's bytes."""
    start, end = xml.find(b"sheetData"), xml.rfind(b"sheetData")
    return (start, xml[start:end]) if 0 <= start < end else (0, xml)


def _far_candidates(shapes: bytes) -> list[int]:
    """Where (at the `r`) an attribute r="…" holds an address of two or more letters, or of one letter and
    three or more digits, in order: the regular expression r=["']([A-Z]{2,}[0-9]+|[A-Z][0-9]{3,})["'], with
    the exact shape of each found checked by `_address_at`."""
    found = []
    for shape in _FAR_SHAPES:
        at = shapes.find(shape)
        while at >= 0:
            found.append(at)
            at = shapes.find(shape, at + 1)
    return sorted(found)


def _address_at(xml: bytes, at: int) -> tuple[str, str]:
    """The letters and digits of the address r="…" at `at`, or ("", "") when it is not one that
    `_far_candidates` stands for (letters without digits, one letter and two digits, no closing quote)."""
    start = end = at + 3
    while end < len(xml) and 65 <= xml[end] <= 90:
        end += 1
    close = end
    while close < len(xml) and 48 <= xml[close] <= 57:
        close += 1
    letters, digits = xml[start:end], xml[end:close]
    if not digits or (len(letters) == 1 and len(digits) < 3) or xml[close : close + 1] not in (b'"', b"'"):
        return "", ""
    return letters.decode(), digits.decode()


def _holds_value(xml: bytes, at: int) -> bool:
    """Whether the attribute at `at` is a cell's address and the cell holds something (python-calamine skips
    `<c r="…" s="1"/>` and `<c …></c>`, which formatting leaves even far out)."""
    start, end = xml.rfind(b"<", 0, at), xml.find(b">", at)
    name = xml[start + 1 : at].split(None, 1)[0] if start >= 0 else b""
    if name.rpartition(b":")[2] != b"c" or end < 0 or xml[end - 1 : end] == b"/":
        return False
    return not xml[end + 1 : end + 64].lstrip().startswith(b"</")


def _unescape(text: str) -> str:
    if "&" not in text:
        return text
    import re

    text = re.sub(r"&#(x[0-9a-fA-F]+|[0-9]+);", lambda m: chr(int(m.group(1)[1:], 16) if m.group(1)[0] == "x"
                  else int(m.group(1))), text)  # fmt: skip
    return re.sub(r"&(?:lt|gt|quot|apos|amp);", lambda m: _ENTITIES[m.group(0)], text)


def _start_tags(xml: str, local: str) -> list[str]:
    """The start tags of the elements named `local` (any prefix: x:sheet is a sheet), each from "<" to ">"."""
    out = []
    for chunk in xml.split("<")[1:]:
        end = chunk.find(">")
        if end < 0:
            continue
        tag = chunk[:end]
        name = tag.split(None, 1)[0].rstrip("/") if tag.strip() else ""
        prefix, _, name = name.rpartition(":")
        if name == local and (not prefix or prefix.isidentifier()):
            out.append(f"<{tag}>")
    return out


def _attrs(tag: str) -> dict[str, str]:
    """The attributes of one XML start tag, local names (r:id is 'id'), values unescaped."""
    out = {}
    at = tag.find("=")
    while at >= 0:
        before = tag[:at].rstrip()
        key = before[len(before.rstrip(_NAME_CHARS)) :]
        value_at = len(tag) - len(tag[at + 1 :].lstrip())
        quote = tag[value_at : value_at + 1]
        close = tag.find(quote, value_at + 1) if quote in ('"', "'") else -1
        if close < 0:
            break
        if key:
            out[key.rpartition(":")[2]] = _unescape(tag[value_at + 1 : close])
        at = tag.find("=", close + 1)
    return out


# (sheet list of workbook.xml, its relationships) -> [(sheet name, part named by its relationship)]: the
# workbooks of a batch come from one template, so the attribute-by-attribute parse runs once, not per file.
_SHEET_LISTS: dict[tuple[str, bytes], list[tuple[str, str]]] = {}


def _sheet_parts(package: Package) -> dict[str, str]:
    if "xl/workbook.xml" not in package.parts:
        return {}
    workbook = package.workbook_xml()
    start = workbook.find("<sheets")  # the sheet list only, not the hundreds of defined names after it
    end = workbook.find("</sheets>", start)
    workbook = workbook[start:end] if 0 <= start < end else workbook
    rels_name = "xl/_rels/workbook.xml.rels"
    rels = package.xml(rels_name) if rels_name in package.parts else b""
    listed = _SHEET_LISTS.get((workbook, rels))
    if listed is None:
        listed = _sheet_list(package, workbook, rels.decode("utf-8", "replace"), rels_name)
        if len(_SHEET_LISTS) >= 16:
            _SHEET_LISTS.clear()
        _SHEET_LISTS[(workbook, rels)] = listed
    parts = package.parts
    folded: dict[str, str] | None = None
    out = {}
    for name, part in listed:
        if part not in parts:
            if folded is None:
                folded = {name.casefold(): name for name in parts}  # python-calamine finds a part in any case
            part = folded.get(part.casefold(), part)
        out[name] = part
    return out


def _sheet_list(package: Package, workbook: str, rels: str, rels_name: str) -> list[tuple[str, str]]:
    """(name, part) of each sheet of `workbook` (its sheet list) with a target in `rels`; ReadError for a
    repeated relationship id or sheet name."""
    targets: dict[str | None, str] = {}
    for tag in _start_tags(rels, "Relationship"):
        a = _attrs(tag)
        if a.get("Id") in targets:  # which one a reader takes is up to it: the checks must see the same
            raise ReadError(f"{DAMAGED}（{rels_name} 中有重复的关系 {a.get('Id')}）", package.path)
        targets[a.get("Id")] = a.get("Target", "")
    out: dict[str, str] = {}
    for tag in _start_tags(workbook, "sheet"):
        a = _attrs(tag)
        target = targets.get(a.get("id"))
        if target and "name" in a:
            if a["name"] in out:
                raise ReadError(f"{DAMAGED}（有两个名为“{a['name']}”的工作表）", package.path)
            out[a["name"]] = part_name(target)
    return list(out.items())


def part_name(target: str) -> str:
    """The zip part a relationship of xl/workbook.xml points to."""
    import posixpath

    return target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"xl/{target}")


def _directory(data: bytes, path: Path) -> dict[str, tuple[int, int, int, int, int]]:
    """The zip's central directory, checked: a sane workbook, no bomb, no encryption, nothing past the end."""
    at = data.rfind(b"PK\x05\x06", max(0, len(data) - 65_557))
    if at < 0 or len(data) - at < _EOCD.size:
        raise ReadError(DAMAGED, path)
    _, _, _, _, count, size, offset, _ = _EOCD.unpack_from(data, at)
    if offset + size > at:
        raise ReadError(DAMAGED, path)
    parts: dict[str, tuple[int, int, int, int, int]] = {}
    pos = offset
    for _ in range(count):
        if data[pos : pos + 4] != b"PK\x01\x02" or pos + _CENTRAL.size > at:
            raise ReadError(DAMAGED, path)
        e = _CENTRAL.unpack_from(data, pos)
        flags, method, (crc, csize, usize, nlen, xlen, clen), local = e[3], e[4], e[7:13], e[16]
        raw_name = data[pos + _CENTRAL.size : pos + _CENTRAL.size + nlen]
        name = raw_name.decode("utf-8", "replace")  # part names are ASCII (a flag-less non-ASCII name is odd)
        pos += _CENTRAL.size + nlen + xlen + clen
        if flags & 1:
            raise ReadError("文件设有打开密码（已加密），请在 Excel 中取消密码后另存为 .xlsx 再提交", path)
        if local + csize > at or 0xFFFFFFFF in (csize, usize, local) or name in parts:
            raise ReadError(DAMAGED, path)  # a repeated name: readers differ on which copy they take
        parts[name] = (local, method, csize, usize, crc)
    _check_parts(parts, path)
    return parts


def _check_parts(parts: dict[str, tuple[int, int, int, int, int]], path: Path) -> None:
    if "xl/workbook.xml" not in parts:
        raise ReadError("不是 Excel 工作簿：缺少 xl/workbook.xml（可能是 Word 文档或其他压缩包）", path)
    if sum(p[3] for p in parts.values()) > MAX_TOTAL_BYTES:
        raise ReadError("文件解压后过大，不是正常的年度报告工作簿（疑似压缩炸弹）", path)
    for name, (_, _, csize, usize, _) in parts.items():
        if usize > 1024 * 1024 and usize / max(csize, 1) > MAX_RATIO:
            raise ReadError(f"文件压缩比异常（{name}），疑似压缩炸弹，已拒绝读取", path)
        if name.startswith("xl/worksheets/") and usize > MAX_PART_BYTES:
            raise ReadError("工作表数据量过大（如上百万行），不是正常的年度报告工作簿", path)


def _ole_kind(path: Path | str, data: bytes) -> str:
    head = data[: 1 << 20]  # the directory that names the streams sits near the start
    if "EncryptionInfo".encode("utf-16-le") in head or b"E\x00n\x00c\x00r\x00y\x00p\x00t\x00e\x00d" in head:
        return "文件设有打开密码（已加密），请在 Excel 中取消密码后另存为 .xlsx 再提交"
    if str(path).lower().endswith(".et") and os.path.basename(str(path)).lower() != ".et":
        return "这是 WPS 表格 .et 文件，请在 WPS 中另存为 Excel 工作簿（.xlsx）"
    return "这是旧版 Excel .xls 文件，请用标准模板（.xlsx）填报，或在 Excel 中另存为 .xlsx"


def load_package(path: str | Path, as_given: bool = False) -> Package:
    """The workbook at `path`, read and checked; ReadError with one clear message otherwise. The package's
    path is a Path; with `as_given`, `path` as passed (a str stays a str: no pathlib import)."""
    if not as_given:
        from pathlib import Path

        path = Path(path)
    return _checked_package(path, read_bytes(path))


def map_package(path: str | Path) -> Package:
    """`load_package` of a workbook gkxl has just written itself (merge's read-back of its summary), with the
    file mapped instead of read: only the pages of the parts that are read come into memory, not the
    megabytes of 汇总明细, and python-calamine reads the file from its path (`mapped`), not from a copy.
    Close the package when done with it. A file of less than MAP_MIN_BYTES is read as load_package reads it
    (mapping it would save little, and importing mmap costs a small merge ~0.3 ms)."""
    fd = open_regular(path)
    try:
        size = os.fstat(fd).st_size
        if not size or size < MAP_MIN_BYTES:  # (an empty file: load_package says so)
            return load_package(path, as_given=True)
        import mmap

        data = mmap.mmap(fd, 0, access=mmap.ACCESS_READ)
    except OSError:  # a file system that cannot map files: read it, as load_package does
        return load_package(path, as_given=True)
    finally:
        os.close(fd)
    try:
        return _checked_package(path, data, mapped=True)
    except BaseException:
        if not data.closed:
            data.close()
        raise


def _checked_package(path: str | Path, data: bytes, mapped: bool = False) -> Package:
    if not data:
        raise ReadError("文件为空（0 字节）", path)
    head = data[:8]  # a slice: a mapped file has no startswith
    if head == OLE_MAGIC:
        raise ReadError(_ole_kind(path, data), path)
    if not head.startswith(ZIP_MAGIC):
        raise ReadError("不是 Excel 工作簿（.xlsx/.xlsm），文件可能已损坏或不是表格文件", path)
    package = Package(path, data, mapped)
    try:
        package.sheet_parts()  # workbook.xml and its relationships must parse (no DTD)
    except BaseException:
        package.close()
        raise
    return package


def check_package(path: str | Path) -> Package:
    """Raise ReadError unless `path` looks like a sane .xlsx/.xlsm package; return it, read."""
    return load_package(path)


def sheet_part(zf, sheet: str) -> str | None:
    """The zip part of the named sheet, in a Package or a zipfile.ZipFile (for modules that patch a workbook)."""
    if isinstance(zf, Package):
        return zf.sheet_parts().get(sheet)
    from xml.etree import ElementTree as ET

    ns_main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    ns_rel = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
    workbook = ET.fromstring(zf.read("xl/workbook.xml"))
    rid = next((s.get(f"{ns_rel}id") for s in workbook.iter(f"{ns_main}sheet") if s.get("name") == sheet), None)
    rels = ET.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    target = next((r.get("Target") for r in rels if r.get("Id") == rid), None)
    return None if target is None else part_name(target)


def formula_cells(source: str | Path | Package, sheet: str, addresses: set[str]) -> set[str]:
    """Which of `addresses` on `sheet` hold a formula (used for cells whose cached value is blank).

    `source` is the workbook's path, or the workbook already read (to check several sheets at once).
    """
    package = source if isinstance(source, Package) else load_package(source)
    part = package.sheet_parts().get(sheet)
    if part is None or part not in package.parts:
        return set()
    import re

    xml = package.xml(part).decode("utf-8", "replace")
    found = set()
    for m in re.finditer(r'<c\b[^>]*\br="([A-Z]+\d+)"[^>]*?(?:/>|>(.*?)</c>)', xml, re.S):
        if m.group(1) in addresses and m.group(2) and "<f" in m.group(2):
            found.add(m.group(1))
    return found
