"""The ledger rules (L-*): each 表三 / 表四 cell against its count over the workbook's 台账, for the report's year.

Only a ledger with rows is compared (an empty one means the office does not keep it). A bad ledger row is
an error of its own (L-ROW, at its cell) and then nothing is compared: the counts would be guesses.
"""

from __future__ import annotations

from gkxl.check.findings import Finding
from gkxl.errors import GkxlError

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (the validate hot path)
if TYPE_CHECKING:
    from pathlib import Path

    from gkxl.ledger.count import Tally
    from gkxl.ledger.rows import Ledger
    from gkxl.read.package import Package
    from gkxl.read.reader import Report

MAX_NUMBERS = 5  # 编号 named in a message
# The template's ledger sheets and how many columns of each hold entries (gkxl.ledger.spec's APPLY_SHEET,
# APPEAL_SHEET and their headers; tests/test_ledger_rules.py asserts they agree). Stated here so that the
# common case — no ledger kept — is seen without importing the ledger modules.
LEDGER_WIDTHS = {"依申请台账": 7, "复议诉讼台账": 5}


def _numbers(numbers: list[str]) -> str:
    if not numbers:
        return ""
    more = f"等 {len(numbers)} 件" if len(numbers) > MAX_NUMBERS else ""
    return f"（台账编号 {'、'.join(numbers[:MAX_NUMBERS])}{more}）"


def _row_findings(ledger: Ledger) -> list[Finding]:
    return [
        Finding("L-ROW", "error", b.sheet, f"{b.column}{b.row}" if b.column else "A1", "", str(b)) for b in ledger.bad
    ]


def compare(report: Report, counts: Tally) -> list[Finding]:
    """An error for every table cell whose reported value (a blank counts as 0) differs from its count."""
    from gkxl.ledger.spec import APPEAL_SHEET, APPLY_SHEET, appeal_spec, apply_spec

    form = report.form
    rule = {"apply": apply_spec(form).rule, "appeal": appeal_spec(form).rule}
    ledger = {"apply": APPLY_SHEET, "appeal": APPEAL_SHEET}
    invalid = {k for k, p in report.problems.items() if p.severity == "error"}
    out = []
    for key, expected in counts.values.items():
        reported = report.values.get(key)
        if key in invalid or (reported or 0) == expected:
            continue
        cell = form.cell(key)
        diff = (reported or 0) - expected
        shown = "未填写" if reported is None else str(reported)
        text = f"填报 {shown}，{ledger[cell.table]} {counts.year} 年计数 {expected}，相差 {diff:+d}"
        text += _numbers(counts.numbers[key])
        out.append(Finding.at(cell, rule[cell.table], "error", text, reported, expected))
    return out


def ledger_findings(report: Report, ledger: Ledger | None = None, package: Package | None = None) -> list[Finding]:
    """The L-* findings of `report`; its ledger is read from its file unless given (`package`: the file as
    already read, when at hand)."""
    form = report.form
    if report.year is None or "ledger" not in form.checks:  # gkxl.ledger.spec.has_ledger
        return []
    if ledger is None:
        sheets = tuple(s for s in LEDGER_WIDTHS if s in report.sheets)
        if report.path is None or not sheets:
            return []
        try:
            if not _has_entries(package or report.path, sheets):
                return []
            import zipfile

            from gkxl.ledger.read import read_ledger

            try:
                ledger = read_ledger(report.path, form, sheets, checked=True)
            except zipfile.BadZipFile:
                return []
        except (GkxlError, OSError):
            return []  # the report itself was readable; an unreadable ledger sheet adds nothing to say
    if ledger.bad:
        return _row_findings(ledger)
    from gkxl.ledger.count import tally

    return compare(report, tally(form, ledger, report.year))


def _has_entries(source: Package | str | Path, sheets: tuple[str, ...]) -> bool:
    """Whether any of the template's ledger `sheets` holds anything below its header row in its own columns
    (not in the formula block), seen in the sheets' XML through the package reader (no zipfile): most
    workbooks keep no ledger, and a full parse takes several times as long to say so."""
    from gkxl.read.package import Package, load_package

    package = source if isinstance(source, Package) else load_package(source, as_given=True)
    for sheet in sheets:
        part = package.sheet_parts().get(sheet)
        if part is not None and part in package.parts and _part_holds_entry(package, part, sheet):
            return True
    return False


# (CRC-32, size, sheet) of a ledger part -> whether it holds an entry: the workbooks of a batch mostly carry
# the same untouched ledger, byte for byte, and inflating it is most of this check. (The answer only decides
# whether the ledger is compared; the part is inflated, and its CRC checked, whenever it is read.)
_SEEN: dict[tuple[int, int, str], bool] = {}


def _part_holds_entry(package: Package, part: str, sheet: str) -> bool:
    _, _, _, size, crc = package.parts[part]
    key = (crc, size, sheet)
    found = _SEEN.get(key)
    if found is None:
        found = _holds_entry(package.read(part), "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[LEDGER_WIDTHS[sheet] - 1])
        if len(_SEEN) >= 64:
            _SEEN.clear()
        _SEEN[key] = found
    return found


def _holds_entry(xml: bytes, last: str) -> bool:
    """Whether a cell of columns A to `last` below row 1 holds a value or inline text: what
    re.finditer(rf'<c r="[A-{last}](?:[2-9]|[1-9]\\d+)"[^>]*?(?:/>|>(.*?)</c>)', xml, re.S) finds with "<v" or
    "<is" in its body. Found with bytes methods in a copy of the sheet where columns A to `last` read as A,
    the others as Z and digits as 0, so that only the cells of those columns are looked at (a template's
    ledger holds its header and a formula block to the right). Not `re`: importing it costs one-file
    validate more than reading the file."""
    from gkxl.read.package import sheet_data

    offset, data = sheet_data(xml)
    shapes = data.translate(_ledger_shapes(last))
    at = shapes.find(b'<c r="A0')
    while at >= 0:
        at += offset
        end = xml.find(b">", at)
        if end > at and xml[end - 1 : end] != b"/" and _entry_address(xml[at:end]):
            stop = xml.find(b"</c>", end)
            if stop >= 0 and (b"<v" in xml[end + 1 : stop] or b"<is" in xml[end + 1 : stop]):
                return True
        at = shapes.find(b'<c r="A0', at - offset + 8)
    return False


_LEDGER_SHAPES: dict[str, bytes] = {}


def _ledger_shapes(last: str) -> bytes:
    table = _LEDGER_SHAPES.get(last)
    if table is None:
        n = ord(last) - 64
        table = _LEDGER_SHAPES[last] = bytes.maketrans(
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", b"A" * n + b"Z" * (26 - n) + b"0" * 10
        )
    return table


def _entry_address(tag: bytes) -> bool:
    """Whether the start tag `tag` (<c r="X…", X a column of the ledger) has a row of 2 or more."""
    close = tag.find(b'"', 7)
    row = tag[7:close] if close > 7 else b""
    return row.isdigit() and row[:1] != b"0" and row != b"1"
