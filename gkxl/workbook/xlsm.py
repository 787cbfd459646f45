"""The macro-enabled template: the standard workbook plus buttons that run gkxl through xlwings.

Built on any OS, with no Office: the sheets come from gkxl.workbook.template.build_workbook (so the layout is the
.xlsx template's), an `xlwings.conf` sheet is added, and the zip is post-processed with what openpyxl
cannot write: form-control buttons (legacy VML drawings, the form XlsxWriter and Excel itself use, each
bound to a macro) and the VBA project, made by pyOpenVBA from the committed source in `macros/*.bas` plus
the `xlwings.bas` module shipped inside the installed (pinned) xlwings package.

The .bas files are kept in UTF-8 with LF line ends for git; the project stores VBA source in its code
page, set here to 936 (GBK, what a Chinese Excel uses) with CRLF line ends.
"""

from __future__ import annotations

import io
import re
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from gkxl.errors import GkxlError
from gkxl.form.model import Form
from gkxl.ledger.spec import APPEAL_SHEET, APPLY_SHEET
from gkxl.read.package import sheet_part
from gkxl.workbook.template import build_workbook

if TYPE_CHECKING:
    from openpyxl import Workbook

CONF_SHEET = "xlwings.conf"
# The gkxl package is installed: the workbook's folder must not shadow it on sys.path.
TEMPLATE_SETTINGS = {"ADD_WORKBOOK_TO_PYTHONPATH": "False"}
# The VBA source: the copy a built wheel ships (setup.py), else the source tree's macros/ (a checkout).
SHIPPED_MACROS = Path(__file__).resolve().parent / "vba"
SOURCE_MACROS = Path(__file__).resolve().parents[2] / "macros"
MACROS_DIR = SHIPPED_MACROS if SHIPPED_MACROS.is_dir() else SOURCE_MACROS
CODE_PAGE = 936
VML_TYPE = "application/vnd.openxmlformats-officedocument.vmlDrawing"
VML_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/vmlDrawing"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
MACRO_MAIN = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # reproducible builds: the parts, not the clock, make the file


@dataclass(frozen=True)
class Button:
    caption: str
    macro: str  # a Public Sub of macros/*.bas
    sheets: tuple[str, ...] = ()  # the sheets that have it; () for every sheet


BUTTONS = (
    Button("校验", "Validate"),
    Button("清除标记", "ClearMarks"),
    Button("自动合计", "FillTotals"),
    Button("从台账生成", "TallyLedger", (APPLY_SHEET, APPEAL_SHEET)),
)
BUTTON_PX, BUTTON_GAP_PX = (88, 26), 8  # each button's width and height, the space between them
SCREEN_PX = 1100  # what a 1366-px laptop shows of a sheet at 100 %, less row headers and the ribbon's margins
TITLE_CHAR_PX = 19  # one CJK character of the 14-pt title


def sheet_buttons(sheet: str) -> list[Button]:
    """The buttons on `sheet`, top to bottom."""
    return [b for b in BUTTONS if not b.sheets or sheet in b.sheets]


@dataclass(frozen=True)
class Place:
    """Where a sheet's buttons go: `left`, `top` of the first one, in pixels; `across`: side by side."""

    left: int
    top: int
    across: bool


def macro_sources(directory: Path = MACROS_DIR) -> dict[str, str]:
    """Module name -> VBA source (as committed: UTF-8, LF) of every .bas file in `directory`."""
    if not directory.is_dir():
        raise GkxlError("找不到按钮的 VBA 代码（gkxl 安装不完整），请重新安装 gkxl", directory)
    out = {}
    for path in sorted(directory.glob("*.bas")):
        text = path.read_text(encoding="utf-8")
        name = re.match(r'Attribute VB_Name = "([^"]+)"', text)
        if not name:
            raise ValueError(f"{path}: no Attribute VB_Name line")
        out[name.group(1)] = text
    return out


def xlwings_module() -> str:
    """The VBA module of the installed xlwings, the one matching its Python side."""
    import importlib.util

    spec = importlib.util.find_spec("xlwings")  # located, not imported: only gkxl.excel.buttons imports xlwings
    if spec is None or spec.origin is None:
        raise GkxlError("没有安装 xlwings，无法生成启用宏的模板（请 pip install gkxl 的完整依赖）")
    return (Path(spec.origin).parent / "xlwings.bas").read_text(encoding="ascii").replace("\r\n", "\n")


def _vba_text(source: str) -> str:
    return source.replace("\r\n", "\n").replace("\n", "\r\n")


# --- buttons -------------------------------------------------------------------------------------------


def _column_px(ws, index: int) -> int:
    from openpyxl.utils import get_column_letter

    dim = ws.column_dimensions.get(get_column_letter(index))
    chars = dim.width if dim is not None and dim.width else 8.43
    return int(chars * 7 + 5)


def _row_px(ws, index: int) -> int:
    dim = ws.row_dimensions.get(index)
    return round((dim.height if dim is not None and dim.height else 15.0) * 4 / 3)


def _cell_at(sizes, px: int) -> tuple[int, int]:
    """(0-based index, offset in px) of the column or row holding pixel `px`; `sizes(i)` is the 1-based size."""
    index = 0
    while px >= sizes(index + 1):
        px -= sizes(index + 1)
        index += 1
    return index, px


def button_place(ws) -> Place:
    """Right of the table while that is on screen; on a sheet wider than a laptop screen (表三, 表四), side by
    side in the title row, left of a centred title (or right of a left-aligned one)."""
    width = sum(_column_px(ws, c) for c in range(1, ws.max_column + 1))
    if width + _column_px(ws, ws.max_column + 1) + BUTTON_PX[0] <= SCREEN_PX:
        return Place(width + _column_px(ws, ws.max_column + 1), _row_px(ws, 1) + _row_px(ws, 2), across=False)
    title = TITLE_CHAR_PX * len(str(ws["A1"].value or ""))
    row = max((_row_px(ws, 1) - BUTTON_PX[1]) // 2, 2)
    centred = ws["A1"].alignment.horizontal == "center"
    return Place(8 if centred else title + 24, row, across=True)


def _button_shape(ws, sheet_no: int, i: int, button: Button, place: Place) -> str:
    """One VML form-control button. Its cell anchor is what Excel uses; the style gives the same box in pt."""
    w, h = BUTTON_PX
    left = place.left + (i * (w + BUTTON_GAP_PX) if place.across else 0)
    top = place.top + (0 if place.across else i * (h + BUTTON_GAP_PX))
    (c1, dx1), (r1, dy1) = _cell_at(lambda c: _column_px(ws, c), left), _cell_at(lambda r: _row_px(ws, r), top)
    (c2, dx2), (r2, dy2) = _cell_at(lambda c: _column_px(ws, c), left + w), _cell_at(lambda r: _row_px(ws, r), top + h)
    anchor = f"{c1}, {dx1}, {r1}, {dy1}, {c2}, {dx2}, {r2}, {dy2}"
    return f"""<v:shape id="_x0000_s{1024 * sheet_no + 1 + i}" type="#_x0000_t201" style="position:absolute;\
margin-left:{left * 0.75:.1f}pt;margin-top:{top * 0.75:.1f}pt;width:{w * 0.75:.1f}pt;height:{h * 0.75:.1f}pt;\
z-index:{i + 1};mso-wrap-style:tight" o:button="t" fillcolor="buttonFace [67]" strokecolor="windowText [64]" \
o:insetmode="auto">
 <v:fill color2="buttonFace [67]" o:detectmouseclick="t"/>
 <o:lock v:ext="edit" rotation="t"/>
 <v:textbox style="mso-direction-alt:auto" o:singleclick="f">
  <div style="text-align:center"><font face="宋体" size="200" color="#000000">{button.caption}</font></div>
 </v:textbox>
 <x:ClientData ObjectType="Button">
  <x:Anchor>{anchor}</x:Anchor>
  <x:PrintObject>False</x:PrintObject>
  <x:AutoFill>False</x:AutoFill>
  <x:FmlaMacro>[0]!{button.macro}</x:FmlaMacro>
  <x:TextHAlign>Center</x:TextHAlign>
  <x:TextVAlign>Center</x:TextVAlign>
 </x:ClientData>
</v:shape>"""


def buttons_vml(ws, sheet_no: int) -> bytes:
    """The VML drawing with every button of one sheet, placed by `button_place`."""
    place = button_place(ws)
    shapes = "\n".join(_button_shape(ws, sheet_no, i, b, place) for i, b in enumerate(sheet_buttons(ws.title)))
    return f"""<xml xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" \
xmlns:x="urn:schemas-microsoft-com:office:excel">
<o:shapelayout v:ext="edit"><o:idmap v:ext="edit" data="{sheet_no}"/></o:shapelayout>
<v:shapetype id="_x0000_t201" coordsize="21600,21600" o:spt="201" path="m,l,21600r21600,l21600,xe">
 <v:stroke joinstyle="miter"/>
 <v:path shadowok="f" o:extrusionok="f" strokeok="f" fillok="f" o:connecttype="rect"/>
 <o:lock v:ext="edit" shapetype="t"/>
</v:shapetype>
{shapes}
</xml>
""".encode()


# Elements a worksheet may have after <legacyDrawing> (ECMA-376 CT_Worksheet order).
_AFTER_LEGACY = ("legacyDrawingHF", "drawingHF", "picture", "oleObjects", "controls", "webPublishItems", "tableParts")


def _add_legacy_drawing(sheet_xml: str, rid: str) -> str:
    if 'xmlns:r="' not in sheet_xml[: sheet_xml.index(">", sheet_xml.index("<worksheet"))]:
        sheet_xml = sheet_xml.replace(
            "<worksheet ",
            '<worksheet xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" ',
            1,
        )
    element = f'<legacyDrawing r:id="{rid}"/>'
    positions = [m.start() for tag in (*_AFTER_LEGACY, "extLst") for m in [re.search(f"<{tag}\\b", sheet_xml)] if m]
    at = min(positions) if positions else sheet_xml.rindex("</worksheet>")
    return sheet_xml[:at] + element + sheet_xml[at:]


def _add_relationship(rels_xml: str | None, rid_prefix: str, kind: str, target: str) -> tuple[str, str]:
    rels_xml = rels_xml or (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"></Relationships>'
    )
    used = set(re.findall(r'Id="([^"]+)"', rels_xml))
    rid = next(f"{rid_prefix}{n}" for n in range(1, 1000) if f"{rid_prefix}{n}" not in used)
    rel = f'<Relationship Id="{rid}" Type="{kind}" Target="{target}"/>'
    return rels_xml.replace("</Relationships>", rel + "</Relationships>"), rid


def _rels_name(part: str) -> str:
    folder, name = part.rsplit("/", 1)
    return f"{folder}/_rels/{name}.rels"


def _post_process(xlsx: bytes, wb, sheets: list[str]) -> bytes:
    """Macro-enabled content type, and the buttons on `sheets`."""
    with zipfile.ZipFile(io.BytesIO(xlsx)) as zin:
        parts = {i.filename: zin.read(i.filename) for i in zin.infolist()}
        sheet_parts = {name: sheet_part(zin, name) for name in sheets}
    types = parts["[Content_Types].xml"].decode()
    types = re.sub(r'(PartName="/xl/workbook.xml" ContentType=")[^"]+', rf"\g<1>{MACRO_MAIN}", types)
    types = types.replace("<Default ", f'<Default Extension="vml" ContentType="{VML_TYPE}"/><Default ', 1)
    parts["[Content_Types].xml"] = types.encode()
    for no, name in enumerate(sheets, 1):
        part = sheet_parts[name]
        vml = f"xl/drawings/vmlDrawing{no}.vml"
        parts[vml] = buttons_vml(wb[name], no)
        rels_part = _rels_name(part)
        old = parts[rels_part].decode() if rels_part in parts else None
        rels, rid = _add_relationship(old, "rIdButtons", VML_REL, f"../drawings/vmlDrawing{no}.vml")
        parts[rels_part] = rels.encode()
        parts[part] = _add_legacy_drawing(parts[part].decode(), rid).encode()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for name, data in parts.items():
            zout.writestr(zipfile.ZipInfo(name, ZIP_TIME), data, zipfile.ZIP_DEFLATED)
    return out.getvalue()


# --- VBA project ---------------------------------------------------------------------------------------


def _set_code_page(project, code_page: int) -> None:
    """Give a freshly made project another PROJECTCODEPAGE ([MS-OVBA] 2.3.4.2.1.4). pyOpenVBA has no setter:
    the record is patched in the dir stream's prefix, which it writes back verbatim."""
    import struct

    record = struct.pack("<HIH", 0x0003, 2, project.code_page)
    if project.dir_raw.count(record) != 1:
        raise RuntimeError("PROJECTCODEPAGE record not found in the VBA project")
    project.dir_raw = project.dir_raw.replace(record, struct.pack("<HIH", 0x0003, 2, code_page))
    project.code_page = code_page


def _add_vba(xlsm: bytes, modules: dict[str, str]) -> bytes:
    from pyopenvba import ExcelFile

    with tempfile.TemporaryDirectory() as tmp:
        source, target = Path(tmp, "in.xlsm"), Path(tmp, "out.xlsm")
        source.write_bytes(xlsm)
        with ExcelFile(source) as book:
            project = book.add_vba_project()
            _set_code_page(project, CODE_PAGE)
            for name, text in modules.items():
                project.add_module(name, _vba_text(text))
            book.save(target)
        return target.read_bytes()


# --- the workbook --------------------------------------------------------------------------------------


def build_xlsm(form: Form, prepare: Callable[[Workbook], None] | None = None) -> bytes:
    """The macro-enabled template of `form`, as the bytes of an .xlsm file; `prepare` may fill it in first."""

    wb = build_workbook(form)
    sheets = list(wb.sheetnames)  # the template's sheets get the buttons, not what `prepare` adds (汇总明细)
    if prepare:
        prepare(wb)
    conf = wb.create_sheet(CONF_SHEET)
    for key, value in TEMPLATE_SETTINGS.items():
        conf.append([key, value])
    conf.sheet_state = "hidden"
    buf = io.BytesIO()
    wb.save(buf)
    modules = {"xlwings": xlwings_module(), **macro_sources()}
    return _add_vba(_post_process(buf.getvalue(), wb, sheets), modules)
