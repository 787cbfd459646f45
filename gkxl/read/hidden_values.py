"""What a cell that python-calamine reads as blank really holds: an error value, or a formula never calculated.

calamine returns '' for an error value (`#REF!`, `#N/A`, typed, pasted or left by a formula), so a blank
cell is looked up in the sheet's XML: `t="e"` is an error value (V-ERROR), a formula with no cached value
is V-FORMULA. Only workbooks with blank cells pay for this one look.
"""

from __future__ import annotations

from gkxl.read.package import sheet_data
from gkxl.read.values import Problem, error_value_problem

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (the validate hot path)
if TYPE_CHECKING:
    from gkxl.read.package import Package

NO_CACHED_VALUE = "公式没有计算结果（文件未经 Excel 重新计算保存），请在 Excel 中打开并保存，或直接填写数字"
_SPACES = bytes.maketrans(b"\t\n\r'", b'   "')


def hidden_problems(package: Package, sheet: str, addresses: set[str]) -> dict[str, Problem]:
    """The problem of each of `addresses` on `sheet` that looks blank but is not (address -> problem)."""
    part = package.sheet_parts().get(sheet)
    if part is None or part not in package.parts:
        return {}
    _, data = sheet_data(package.xml(part))
    out = {}
    for address in addresses:
        cell = _cell(data, address)
        if cell is None:
            continue
        tag, body = cell
        if b' t="e"' in tag.translate(_SPACES):
            start, end = body.find(b"<v>"), body.find(b"</v>")
            value = body[start + 3 : end].decode("utf-8", "replace") if 0 <= start < end else ""
            out[address] = error_value_problem(value if value and "<" not in value else "#N/A")
        elif b"<f" in body:
            out[address] = Problem("V-FORMULA", "error", NO_CACHED_VALUE)
    return out


def _cell(data: bytes, address: str) -> tuple[bytes, bytes] | None:
    """(start tag, body) of the cell <c … r="address" …> in the sheet data, or None. Found with bytes methods,
    not `re`: importing it costs one-file validate more than reading the file, and most blanks are looked up
    in a sheet that also has numbers typed in it."""
    needle = f'r="{address}"'.encode()
    at = data.find(needle)
    while at >= 0:
        start = data.rfind(b"<", 0, at)
        name = data[start + 1 : at].split(None, 1)[0] if start >= 0 and data[at - 1 : at].isspace() else b""
        if name.rpartition(b":")[2] == b"c":
            end = data.find(b">", at)
            if end < 0:
                return None
            if data[end - 1 : end] == b"/":
                return data[start:end], b""
            close = data.find(b"</" + name + b">", end)
            return data[start:end], data[end + 1 : close if close >= 0 else len(data)]
        at = data.find(needle, at + 1)
    return None
