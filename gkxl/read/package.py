"""Checks on the workbook file itself, before any spreadsheet library touches it.

A report is a small zip of XML parts. Anything else (a legacy .xls, a WPS .et, a password-encrypted file,
a truncated download, a zip bomb, a sheet of a million rows) is refused here with one readable message,
without reading more than the zip directory.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path, PurePosixPath

from gkxl.errors import ReadError, os_reason

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
MAX_TOTAL_BYTES = 64 * 1024 * 1024  # uncompressed; a filled template is well under 1 MB
MAX_PART_BYTES = 16 * 1024 * 1024  # a sheet this large is not a report (a million rows, say)
MAX_RATIO = 200  # compression ratio beyond which a large part is treated as a zip bomb
EXTENSIONS = {".xlsx", ".xlsm"}


def _ole_kind(path: Path) -> str:
    with path.open("rb") as fh:
        data = fh.read(1 << 20)  # the directory that names the streams sits near the start
    if "EncryptionInfo".encode("utf-16-le") in data or b"E\x00n\x00c\x00r\x00y\x00p\x00t\x00e\x00d" in data:
        return "文件设有打开密码（已加密），请在 Excel 中取消密码后另存为 .xlsx 再提交"
    if path.suffix.lower() == ".et":
        return "这是 WPS 表格 .et 文件，请在 WPS 中另存为 Excel 工作簿（.xlsx）"
    return "这是旧版 Excel .xls 文件，请用标准模板（.xlsx）填报，或在 Excel 中另存为 .xlsx"


def check_package(path: str | Path) -> None:
    """Raise ReadError unless `path` looks like a sane .xlsx/.xlsm package."""
    path = Path(path)
    if not path.exists():
        raise ReadError("文件不存在", path)
    if path.is_dir():
        from gkxl.read.inputs import folder_workbooks

        empty = not folder_workbooks(path)
        raise ReadError("这是文件夹，其中没有找到工作簿（.xlsx/.xlsm）" if empty else "这是文件夹，不是工作簿", path)
    try:
        with path.open("rb") as fh:
            head = fh.read(8)
    except OSError as exc:
        raise ReadError(f"无法打开文件（{os_reason(exc)}）", path) from None
    if not head:
        raise ReadError("文件为空（0 字节）", path)
    if head.startswith(OLE_MAGIC):
        raise ReadError(_ole_kind(path), path)
    if not head.startswith(ZIP_MAGIC):
        raise ReadError("不是 Excel 工作簿（.xlsx/.xlsm），文件可能已损坏或不是表格文件", path)
    try:
        with zipfile.ZipFile(path) as zf:
            _check_parts(zf, path)
    except zipfile.BadZipFile:
        raise ReadError("工作簿已损坏或不完整（可能下载或复制时被截断），请重新获取文件", path) from None


def _check_parts(zf: zipfile.ZipFile, path: Path) -> None:
    infos = zf.infolist()
    names = {i.filename for i in infos}
    if "xl/workbook.xml" not in names:
        raise ReadError("不是 Excel 工作簿：缺少 xl/workbook.xml（可能是 Word 文档或其他压缩包）", path)
    if sum(i.file_size for i in infos) > MAX_TOTAL_BYTES:
        raise ReadError("文件解压后过大，不是正常的年度报告工作簿（疑似压缩炸弹）", path)
    for info in infos:
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > 1024 * 1024 and ratio > MAX_RATIO:
            raise ReadError(f"文件压缩比异常（{info.filename}），疑似压缩炸弹，已拒绝读取", path)
        if info.filename.startswith("xl/worksheets/") and info.file_size > MAX_PART_BYTES:
            raise ReadError("工作表数据量过大（如上百万行），不是正常的年度报告工作簿", path)


def _sheet_part(zf: zipfile.ZipFile, sheet: str) -> str | None:
    """The zip part of the named sheet (following workbook.xml and its relationships)."""
    from xml.etree import ElementTree as ET

    ns_main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    ns_rel = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
    workbook = ET.fromstring(zf.read("xl/workbook.xml"))
    rid = next((s.get(f"{ns_rel}id") for s in workbook.iter(f"{ns_main}sheet") if s.get("name") == sheet), None)
    rels = ET.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    target = next((r.get("Target") for r in rels if r.get("Id") == rid), None)
    if target is None:
        return None
    return target.lstrip("/") if target.startswith("/") else str(PurePosixPath("xl") / target)


sheet_part = _sheet_part  # public name for other modules that patch a saved workbook


def formula_cells(source: str | Path | zipfile.ZipFile, sheet: str, addresses: set[str]) -> set[str]:
    """Which of `addresses` on `sheet` hold a formula (used for cells whose cached value is blank).

    `source` is the workbook's path, or the workbook already opened as a zip (to check several sheets at once).
    """
    if not isinstance(source, zipfile.ZipFile):
        with zipfile.ZipFile(source) as zf:
            return formula_cells(zf, sheet, addresses)
    part = _sheet_part(source, sheet)
    if part is None or part not in source.namelist():
        return set()
    xml = source.read(part).decode("utf-8", "replace")
    found = set()
    for m in re.finditer(r'<c\b[^>]*\br="([A-Z]+\d+)"[^>]*?(?:/>|>(.*?)</c>)', xml, re.S):
        if m.group(1) in addresses and m.group(2) and "<f" in m.group(2):
            found.add(m.group(1))
    return found
