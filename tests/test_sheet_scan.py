"""The scans on the path of `gkxl validate` — far cells (gkxl.read.package.far_address), ledger entries
(gkxl.check.ledger_rules._holds_entry), a number typed as text (gkxl.read.values) — use bytes and str methods,
not `re` (whose import costs a one-file validate more than reading the file). Here they are held to the
regular expressions they replaced, on sheets generated cell by cell in every spelling the spec allows and on
texts built from the characters that matter, and to python-calamine itself."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path
from types import SimpleNamespace

import python_calamine
from hypothesis import given, settings
from hypothesis import strategies as st

from gkxl.check.ledger_rules import _holds_entry
from gkxl.form.model import column_index
from gkxl.read import values
from gkxl.read.hidden_values import hidden_problems
from gkxl.read.package import COL_MARGIN, ROW_MARGIN, _positional_far, far_address

ROWS, COLS = 30, 10
TREE = Path(__file__).resolve().parents[1]
EXAMPLES = TREE / "examples"

# ------------------------------------------------------------------------------ the replaced expressions
# (widened from {2,3} letters and {3,7} digits: an address like ABCD1048576 slipped past both the old scan and
# its exact path, when rows had addresses)
_FAR_CANDIDATE = re.compile(rb'r=["\']([A-Z]{2,}[0-9]+|[A-Z][0-9]{3,})["\']')
# (widened to prefixed cells, <x:c …>: an unaddressed one slipped past the old scan)
_UNADDRESSED = re.compile(rb"<(?:\w+:)?(?:c|row)(?! r=)[\s>/]")
_ROW_OR_CELL = rb"<(?:\w+:)?(row|c)(?=[\s>/])([^>]*?)(/?)>"


def reference_far(xml: bytes, rows: int = ROWS, cols: int = COLS) -> str | None:
    """far_address as it was written with regular expressions (before the scans moved to bytes methods)."""
    max_row, max_col = rows + ROW_MARGIN, cols + COL_MARGIN
    if b"<c " not in xml and b"<c>" not in xml:
        addressed = not re.search(_ROW_OR_CELL, xml)
    else:
        addressed = _UNADDRESSED.search(xml) is None
    if not addressed:  # the exact, cell-by-cell path: unchanged, and shared
        return _positional_far(xml, max_row, max_col)
    for m in _FAR_CANDIDATE.finditer(xml):
        digits = m.group(1).lstrip(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ")
        letters = m.group(1)[: -len(digits)]
        if int(digits) > max_row or column_index(letters.decode()) > max_col:
            start, end = xml.rfind(b"<", 0, m.start()), xml.find(b">", m.start())
            name = xml[start + 1 : m.start()].split(None, 1)[0]
            cell = name.rpartition(b":")[2] == b"c" and xml[end - 1 : end] != b"/"
            if cell and not xml[end + 1 : end + 64].lstrip().startswith(b"</"):
                return f"{letters.decode()}{int(digits)}"
    return None


def reference_entry(xml: bytes, last: str) -> bool:
    """The expression gkxl.ledger.read.has_entries used, on one sheet (that function, unused, is gone)."""
    cells = re.compile(rf'<c r="[A-{last}](?:[2-9]|[1-9]\d+)"[^>]*?(?:/>|>(.*?)</c>)', re.S)
    return any(m.group(1) and ("<v" in m.group(1) or "<is" in m.group(1)) for m in cells.finditer(xml.decode()))


# ------------------------------------------------------------------------------ generated sheets
ADDRESSES = ["A1", "B2", "J30", "K31", "Z9", "AA1", "BJ5", "BK5", "A530", "A531", "A999", "B1000", "XFD1048576",
             "AB12", "H2", "G2", "G1", "A10", "A01", "ABCD1", "A12345678"]  # fmt: skip
BODIES = ["", "<v>1</v>", "<v></v>", "<is><t>x</t></is>", "<f>SUM(A1:A2)</f><v>3</v>", " ", "\n  <v>2</v>\n"]


@st.composite
def cells(draw) -> str:
    address = draw(st.sampled_from(ADDRESSES))
    quote = draw(st.sampled_from(['"', '"', "'"]))
    space = draw(st.sampled_from([" ", " ", "\n", "\t", "  "]))
    prefix = draw(st.sampled_from(["", "", "", "x:"]))
    attrs = draw(st.sampled_from(["", ' s="3"', ' t="n"', ' s="1" t="inlineStr"']))
    addressed = draw(st.sampled_from([True, True, True, False]))
    first = draw(st.sampled_from([True, True, False]))  # r= first, as every spreadsheet program writes it
    head = f"r={quote}{address}{quote}" if addressed else ""
    inner = f"{space}{head}{attrs}" if first else f"{attrs}{space}{head}"
    inner = inner if inner.strip() else draw(st.sampled_from(["", " "]))
    body = draw(st.sampled_from([*BODIES, None]))
    tag = f"{prefix}c"
    return f"<{tag}{inner}/>" if body is None else f"<{tag}{inner}>{body}</{tag}>"


@st.composite
def sheets(draw) -> bytes:
    rows = []
    for n in range(draw(st.integers(0, 4))):
        row = draw(st.sampled_from([f'<row r="{n + 1}">', "<row>", f'<row r="{n + 600}" spans="1:2">']))
        rows.append(row + "".join(draw(st.lists(cells(), max_size=4))) + "</row>")
    tail = draw(st.sampled_from(["", '<conditionalFormatting sqref="A1:B2"><cfRule type="expression"/>'
                                     "</conditionalFormatting>", '<mergeCells count="1"><mergeCell ref="A1:B2"/>'
                                     "</mergeCells>"]))  # fmt: skip
    return (f'<worksheet><dimension ref="A1:J30"/><sheetData>{"".join(rows)}</sheetData>{tail}</worksheet>').encode()


@settings(max_examples=600, deadline=None)
@given(sheets())
def test_far_address_finds_what_the_expressions_found(xml):
    assert far_address(xml, ROWS, COLS) == reference_far(xml)


@settings(max_examples=600, deadline=None)
@given(sheets(), st.sampled_from(["E", "G"]))
def test_ledger_entries_are_what_has_entries_finds(xml, last):
    assert _holds_entry(xml, last) == reference_entry(xml, last)


@settings(max_examples=2000, deadline=None)
@given(st.lists(st.sampled_from(["", "+", "-", ".", "0", "7", "٣", "a", "e", " ", "1" * 20, "2" * 21]), max_size=5))
def test_a_number_typed_as_text_is_read_as_the_expressions_read_it(parts):
    text = "".join(parts)
    assert values._is_number(text) == bool(re.fullmatch(r"[+-]?(\d{1,20}(\.\d{0,20})?|\.\d{1,20})", text))
    assert values._is_digits(text) == bool(re.fullmatch(r"[+-]?[\d.]+", text))


def test_error_values_are_excels():
    pattern = r"#(REF!|DIV/0!|N/A|VALUE!|NAME\?|NUM!|NULL!|GETTING_DATA|SPILL!|CALC!|FIELD!|BLOCKED!|UNKNOWN!)"
    assert all(re.fullmatch(pattern, v) for v in values.ERROR_VALUES) and len(values.ERROR_VALUES) == 13
    assert values.parse("#n/a", "count").problem.rule == "V-ERROR"
    assert values.parse("#N/A!", "count").problem.rule == "V-NUMBER"


def reference_hidden(xml: bytes, addresses: set[str]) -> dict[str, tuple[str, str]]:
    """gkxl.read.hidden_values.hidden_problems as it was written with regular expressions."""
    out = {}
    for m in re.finditer(r'<c\b([^>]*?)\br="([A-Z]+\d+)"([^>]*?)(?:/>|>(.*?)</c>)', xml.decode(), re.S):
        address, body = m.group(2), m.group(4) or ""
        if address not in addresses:
            continue
        if re.search(r'\bt="e"', m.group(1) + m.group(3)):
            value = re.search(r"<v>([^<]*)</v>", body)
            out[address] = ("V-ERROR", value.group(1) if value and value.group(1) else "#N/A")  # (was "" for <v/>)
        elif "<f" in body:
            out[address] = ("V-FORMULA", "")
    return out


@st.composite
def blank_cells(draw) -> bytes:
    """Cells at distinct addresses, some of them error values or formulas without a cached value."""
    cells = []
    for address in draw(st.lists(st.sampled_from(["B5", "B50", "C5", "AB5", "B"]), unique=True, max_size=4)):
        space = draw(st.sampled_from([" ", "\n"]))
        attrs = draw(st.sampled_from(["", ' t="e"', ' s="2" t="e"', ' t="n"', ' t="str"']))
        head = f'{space}r="{address}"'
        inner = draw(st.sampled_from([head + attrs, attrs + head]))
        body = draw(st.sampled_from([None, "", "<v>#REF!</v>", "<v>#N/A</v>", "<f>1/0</f><v>#DIV/0!</v>",
                                     "<f>A1</f>", "<f>A1</f><v></v>", "<v></v>", "<v>3</v>"]))  # fmt: skip
        cells.append(f"<c{inner}/>" if body is None else f"<c{inner}>{body}</c>")
    row = '<row r="5">' + "".join(cells) + "</row>"
    return f'<worksheet><sheetData>{row}</sheetData><mergeCells count="1"/></worksheet>'.encode()


@settings(max_examples=600, deadline=None)
@given(blank_cells(), st.sets(st.sampled_from(["B5", "B50", "C5", "AB5", "D9"])))
def test_blank_cells_are_looked_up_as_the_expressions_looked_them_up(xml, addresses):
    sheet = SimpleNamespace(parts={"s.xml": None}, sheet_parts=lambda: {"表三": "s.xml"}, xml=lambda part: xml)
    found = hidden_problems(sheet, "表三", addresses)  # a Package of one sheet
    shown = {a: (p.rule, p.message.split("错误值 ")[1].split("（")[0] if p.rule == "V-ERROR" else "")
             for a, p in found.items()}  # fmt: skip
    assert shown == reference_hidden(xml, addresses)


def test_far_address_spots_each_kind_of_far_cell():
    sheet = '<worksheet><sheetData><row r="1"><c r="A1"><v>1</v></c></row>{}</sheetData></worksheet>'
    cases = {
        '<row r="9"><c r="XFD9"><v>1</v></c></row>': "XFD9",  # far to the right
        '<row r="9000"><c r="A9000" t="n"><v>1</v></c></row>': "A9000",  # far down
        "<row r='9000'><c r='B9000'><v>1</v></c></row>": "B9000",  # single quotes
        '<row r="9"><x:c r="BZ9"><x:v>1</x:v></x:c></row>': "BZ9",  # a prefixed cell
        '<row r="9000"><c><v>1</v></c></row>': "A9000",  # no address: placed by its row
        '<row r="1048576"><c r="ABCD1048576"><v>1</v></c></row>': "ABCD1048576",  # beyond Excel's last column
        '<row r="9"><c r="XFD9" s="1"/></row>': None,  # formatting only
        '<row r="9"><c r="XFD9"></c></row>': None,  # an empty element
        '<row r="40"><c r="K40"><v>1</v></c></row>': None,  # just past the table, inside the margin
    }
    for row, expected in cases.items():
        assert far_address(sheet.format(row).encode(), ROWS, COLS) == expected, row


def test_cells_after_sheet_data_are_not_read_by_calamine_nor_refused(tmp_path):
    """python-calamine reads the cells of the first <sheetData> only: a cell after it, however far, is not in
    the grid, so it is no reason to refuse the workbook."""
    src = EXAMPLES / "2024-chengguan.xlsx"
    dst = tmp_path / "after.xlsx"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "xl/worksheets/sheet2.xml":
                data = data.replace(b"</sheetData>", b'</sheetData><row r="9"><c r="XFD9"><v>7</v></c></row>')
                assert far_address(data, ROWS, COLS) is None
            zout.writestr(info, data)
    book = python_calamine.CalamineWorkbook.from_path(str(dst))
    grid = book.get_sheet_by_name(book.sheet_names[1]).to_python()
    assert max(len(row) for row in grid) < 100 and 7.0 not in {v for row in grid for v in row}


def test_validating_a_workbook_imports_no_regular_expressions():
    """`re` (with enum) costs a one-file `gkxl validate` more than reading the workbook: the path of a clean
    report, and of one with errors, does without it. Run without site (no editable-install finder, which
    imports it), with the tree and the site-packages folders on the path."""
    import site

    path = [str(TREE), *site.getsitepackages()]
    code = (
        f"import sys; sys.path[:0] = {path!r}; from gkxl.cli import run\n"
        "codes = [run(['validate', f]) for f in sys.argv[1:]] + [run(['validate', sys.argv[1], '--json'])]\n"
        "print(codes, sorted(m for m in ('re', 'enum', 'typing', 'pathlib', 'zipfile', 'click') if m in sys.modules))"
    )
    files = [str(EXAMPLES / "2024-chengguan.xlsx"), str(EXAMPLES / "with-errors" / "2024-shiqiao.xlsx")]
    warm = f"import sys; sys.path[:0] = {path!r}; from gkxl.form.model import load_form; load_form('2021')"
    # a fresh tree builds the form cache first (from its JSON: json imports re), as bytecode is cached
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run([sys.executable, "-S", "-c", warm], check=True, env=env)
    done = subprocess.run([sys.executable, "-S", "-c", code, *files], capture_output=True, text=True, check=True,
                          env=env)  # fmt: skip
    assert done.stdout.splitlines()[-1] == "[0, 1, 0] []"
