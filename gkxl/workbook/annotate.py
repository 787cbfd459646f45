"""An annotated copy of a workbook: offending cells filled and commented, and a 校验结果 sheet.

The input file is never modified: the copy is written to a temporary file and renamed.
"""

from __future__ import annotations

from pathlib import Path

from gkxl.atomic import atomic_path
from gkxl.check.findings import SEVERITY_ORDER, SEVERITY_TEXT, Finding
from gkxl.errors import GkxlError
from gkxl.read.reader import RESULTS_SHEET
from gkxl.workbook.styles import FONT, HEADER_FILL, INPUT_FILL, MARK_COLORS, footer_unit, print_setup, row_height

# The clerk writes a 说明 (explanation) in the last column; it is read back and kept on re-validation.
RESULT_HEADERS = ("序号", "级别", "工作表", "单元格", "规则", "问题", "填报值", "应为", "说明")
RESULT_WIDTHS = (5, 9, 7, 7, 16, 64, 9, 9, 30)  # ~1 landscape page wide at 90 %; 问题 and 说明 wrap


def results_rows(findings: list[Finding]) -> list[tuple]:
    """The rows of the 校验结果 sheet (shared with the Excel adapter)."""
    return [
        (
            i,
            SEVERITY_TEXT[f.level],
            f.sheet,
            f.cell,
            f.rule,
            f.message,
            _plain(f.reported),
            _plain(f.expected),
            f.explanation or "",
        )
        for i, f in enumerate(findings, 1)
    ]


def _plain(value: object) -> object:
    from gkxl.check.findings import json_number

    return json_number(value)


def _mark(ws, address: str, findings: list[Finding], author: str = "gkxl") -> None:
    """Fill a cell in the colour of its worst finding; its comment holds every message (and 说明)."""
    from openpyxl.comments import Comment
    from openpyxl.styles import PatternFill

    cell = ws[address]
    worst = min((f.level for f in findings), key=SEVERITY_ORDER.__getitem__)
    cell.fill = PatternFill("solid", fgColor=MARK_COLORS[worst])
    lines = [
        f"{SEVERITY_TEXT[f.level]}：{f.message}" + (f"\n说明：{f.explanation}" if f.explanation else "")
        for f in findings
    ]
    text = "\n".join(lines)
    cell.comment = Comment(cell.comment.text + "\n" + text if cell.comment else text, author, width=320, height=120)


def _clear_marks(wb, author: str = "gkxl") -> None:
    """Undo the marks of an earlier annotation (re-annotating an annotated copy is the 说明 workflow): gkxl's
    comments go, and a cell still in a mark colour gets back the template's look (inputs are the unlocked,
    yellow cells)."""
    from openpyxl.styles import PatternFill


    marks = set(MARK_COLORS.values())
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if not (cell.comment and cell.comment.author == author):
                    continue
                cell.comment = None
                if cell.fill.fgColor.rgb in marks:
                    unlocked = cell.protection.locked is False
                    cell.fill = PatternFill("solid", fgColor=INPUT_FILL) if unlocked else PatternFill()


def _results_sheet(wb, findings: list[Finding]) -> None:
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    if RESULTS_SHEET in wb.sheetnames:
        del wb[RESULTS_SHEET]
    ws = wb.create_sheet(RESULTS_SHEET, 1)
    ws.append(RESULT_HEADERS)
    side = Side(style="thin", color="FF808080")
    border, wrap = Border(left=side, right=side, top=side, bottom=side), Alignment(wrap_text=True, vertical="top")
    for cell in ws[1]:
        cell.font, cell.border = Font(name=FONT, size=10, bold=True), border
        cell.fill, cell.alignment = PatternFill("solid", fgColor=HEADER_FILL), Alignment(horizontal="center")
    for row in results_rows(findings):
        ws.append(row)
        for cell in ws[ws.max_row]:
            cell.font, cell.border, cell.alignment = Font(name=FONT, size=10), border, wrap
        ws.row_dimensions[ws.max_row].height = row_height(row, RESULT_WIDTHS)
        link = ws.cell(ws.max_row, 4)
        link.hyperlink = f"#'{row[2]}'!{row[3]}"
        link.font = Font(name=FONT, color="FF0563C1", underline="single")
    for i, width in enumerate(RESULT_WIDTHS):
        ws.column_dimensions[chr(65 + i)].width = width
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ws.dimensions
    print_setup(ws, True, title_rows=(1, 1), unit=_unit(wb))


def _unit(wb) -> str | None:
    """The unit on the cover (the template names the cell `meta_unit`), for the footer."""
    name = wb.defined_names.get("meta_unit")
    if name is None:
        return None
    for sheet, address in name.destinations:
        if sheet in wb.sheetnames:
            value = wb[sheet][address.replace("$", "")].value
            return str(value).strip() or None if value is not None else None
    return None


def _anchor(ws, address: str) -> str:
    """The cell that holds what is shown at `address`: the top-left cell of its merge, if it is merged."""
    for merged in ws.merged_cells.ranges:
        if address in merged:
            return merged.start_cell.coordinate
    return address


def annotate(source: str | Path, findings: list[Finding], target: str | Path) -> Path:
    """Write a copy of `source` to `target` with every finding marked."""
    from openpyxl import load_workbook

    source, target = Path(source), Path(target)
    if target.resolve() == source.resolve():
        raise GkxlError("标注副本不能覆盖原文件，请换一个输出文件名", target)
    try:  # gkxl reads files that openpyxl cannot open (no styles.xml, a bad checksum in a part it skips, NaN)
        wb = load_workbook(source, keep_vba=source.suffix.lower() == ".xlsm")
    except Exception as exc:
        why = f"文件结构不完整或不标准，无法写出标注副本（{type(exc).__name__}）；请在 Excel 中打开并另存为 .xlsx"
        raise GkxlError(why, source) from None
    _clear_marks(wb)
    by_cell: dict[tuple[str, str], list[Finding]] = {}
    for f in findings:
        if f.level in MARK_COLORS and f.sheet in wb.sheetnames:
            by_cell.setdefault((f.sheet, f.cell), []).append(f)
    for (sheet, address), found in by_cell.items():
        _mark(wb[sheet], _anchor(wb[sheet], address), found)
    _results_sheet(wb, [f for f in findings if f.severity != "info"])
    footer_unit(wb, _unit(wb))
    with atomic_path(target) as tmp:
        wb.save(tmp)
    return target
