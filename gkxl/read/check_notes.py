"""The 说明 a clerk typed on the 校验 sheet's rule rows, read straight from the sheet's XML.

The 校验 sheet is large (a row of formulas per rule and per input cell): parsing it with python-calamine would
cost more than reading and checking the report itself. Its 说明 cells are empty in the template, so a scan
with str methods finds the few filled ones; only then are the row's 编号 and 位置 (and the shared strings)
looked up, with `re` (imported only then: for most reports it would cost more than the scan).
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (the validate hot path)
if TYPE_CHECKING:
    from gkxl.read.package import Package

# Where the 校验 sheet (gkxl.workbook.checks_sheet, which asserts it) keeps a rule row's 位置, 说明 and 编号.
WHERE_COL, NOTE_COL, RULE_COL = "E", "J", "K"
FIRST_ROW = 11  # of the rule rows (the header row above them has “说明” in NOTE_COL)
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def _cell(xml: str, col: str, row: str) -> tuple[str, str] | None:
    """(type, raw value) of the cell at col+row, or None when it is empty."""
    import re  # only for a filled 说明 (most reports have none: re's import would cost more than the scan)

    m = re.search(rf'<c r="{col}{row}"([^>]*?)(?:/>|>(.*?)</c>)', xml, re.S)
    if not m or not m.group(2):
        return None
    kind = re.search(r'\bt="(\w+)"', m.group(1))
    body = m.group(2)
    if kind and kind.group(1) == "inlineStr":
        return "inline", "".join(re.findall(r"<t[^>]*>([^<]*)</t>", body))
    value = re.search(r"<v>([^<]*)</v>", body)
    return (kind.group(1) if kind else "n", value.group(1)) if value else None


def _shared_strings(package: Package) -> list[str]:
    if "xl/sharedStrings.xml" not in package.parts:
        return []
    from xml.etree import ElementTree as ET  # only a workbook with a filled 说明 gets here

    root = ET.fromstring(package.xml("xl/sharedStrings.xml"))
    return ["".join(t.text or "" for t in si.iter(f"{_MAIN}t")) for si in root.iter(f"{_MAIN}si")]


def _text(found: tuple[str, str] | None, strings: list[str]) -> str:
    if found is None:
        return ""
    kind, value = found
    if kind == "s":
        index = int(value)
        return strings[index] if index < len(strings) else ""
    import html

    return html.unescape(value)  # entities and character references (openpyxl writes &#34920; for 表)


def _filled_rows(xml: str, col: str) -> list[str]:
    r"""The rows of the cells in column `col` that hold a value (`<c r="J12" …><v>` or `<is>`): what
    re.finditer(rf'<c r="{col}(\d+)"[^>]*?>(?=<[vi])', xml) finds, without compiling a pattern at every run."""
    head = f'<c r="{col}'
    out = []
    at = xml.find(head)
    while at >= 0:
        start = end = at + len(head)
        while end < len(xml) and xml[end].isdecimal():
            end += 1
        close = xml.find(">", end) if end > start and xml.startswith('"', end) else -1
        if close >= 0 and xml.startswith(("<v", "<i"), close + 1):
            out.append(xml[start:end])
        at = xml.find(head, end)
    return out


def check_notes(package: Package, sheet: str) -> dict[tuple[str, str, str], str]:
    """{(rule id, sheet, cell): 说明} of the rule rows whose 说明 is filled (`package`: the workbook read)."""
    part = package.sheet_parts().get(sheet)
    if part is None or part not in package.parts:
        return {}
    xml = package.xml(part).decode("utf-8", "replace")
    rows = [row for row in _filled_rows(xml, NOTE_COL) if int(row) >= FIRST_ROW]
    if not rows:
        return {}
    strings = _shared_strings(package) if any(_cell(xml, NOTE_COL, r)[0] == "s" for r in rows) else []
    if not strings and 't="s"' in xml:
        strings = _shared_strings(package)  # 编号 and 位置 are shared strings in any saved workbook
    out = {}
    for row in rows:
        note = _text(_cell(xml, NOTE_COL, row), strings).strip()
        rule, where = _text(_cell(xml, RULE_COL, row), strings), _text(_cell(xml, WHERE_COL, row), strings)
        where_sheet, _, address = where.partition("!")
        if note and rule and address:
            out[(rule, where_sheet, address)] = note
    return out
