"""What a cell that python-calamine reads as blank really holds: an error value, or a formula never calculated.

calamine returns '' for an error value (`#REF!`, `#N/A`, typed, pasted or left by a formula), so a blank
cell is looked up in the sheet's XML: `t="e"` is an error value (V-ERROR), a formula with no cached value
is V-FORMULA. Only workbooks with blank cells pay for this one look.
"""

from __future__ import annotations

import re

from gkxl.read.values import Problem, error_value_problem

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (the validate hot path)
if TYPE_CHECKING:
    from gkxl.read.package import Package

NO_CACHED_VALUE = "公式没有计算结果（文件未经 Excel 重新计算保存），请在 Excel 中打开并保存，或直接填写数字"
_CELL = r'<c\b([^>]*?)\br="([A-Z]+\d+)"([^>]*?)(?:/>|>(.*?)</c>)'  # compiled on first use (re's cache)
_VALUE = r"<v>([^<]*)</v>"


def hidden_problems(package: Package, sheet: str, addresses: set[str]) -> dict[str, Problem]:
    """The problem of each of `addresses` on `sheet` that looks blank but is not (address -> problem)."""
    part = package.sheet_parts().get(sheet)
    if part is None or part not in package.parts:
        return {}
    xml = package.xml(part).decode("utf-8", "replace")
    out = {}
    for m in re.finditer(_CELL, xml, re.S):
        address, body = m.group(2), m.group(4) or ""
        if address not in addresses:
            continue
        if re.search(r'\bt="e"', m.group(1) + m.group(3)):
            value = re.search(_VALUE, body)
            out[address] = error_value_problem(value.group(1) if value else "#N/A")
        elif "<f" in body:
            out[address] = Problem("V-FORMULA", "error", NO_CACHED_VALUE)
    return out
