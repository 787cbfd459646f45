"""Checks that need no macros and no Python: a 校验 sheet of live formulas, and red totals on the table sheets.

Both are derived from the engine's `Rule` objects (gkxl.form.rules), so the workbook and `gkxl validate` judge
the same cells by the same sums. The sheet has one row per rule instance (hard rules first, then the soft
ones); its status column says 通过, 不符 (hard rule broken), 请核实 (soft rule broken) or 含非数字 (a cell
holds text, which the engine reports on that cell instead of the rule).
"""

from __future__ import annotations

from copy import copy
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from gkxl.check.crossyear import block_rules
from gkxl.form.model import Cell, Form, column_letters
from gkxl.form.rules import Rule, form_rules
from gkxl.workbook import rule_formulas as rf
from gkxl.workbook.ledger_checks import add_ledger_checks
from gkxl.workbook.styles import FONT, MARK_COLORS, absolute_ref, protect

if TYPE_CHECKING:
    from openpyxl import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

SHEET = "校验"
TITLE = "勾稽关系校验（公式自动计算，无需宏）"
OK, BROKEN, CHECK, TEXT, SKIPPED = "通过", "不符", "请核实", "含非数字", "未核对"
HEADERS = ("序号", "规则", "检查内容", "单元格", "位置", "填报数", "应为", "差额", "结果")
WIDTHS = (6, 20, 46, 36, 10, 10, 10, 8, 10)
VERDICT = "C3"  # the overall status; the counts sit below it (C4 不符, C5 请核实, C6 含非数字, C7 未填写)
FIRST_ROW = 11  # header row is FIRST_ROW - 1; the summary sits above it
COLORS = {  # (fill, font): the red and amber of `gkxl validate --annotate` and the 校验 button, green for 通过
    BROKEN: (MARK_COLORS["error"], "FF000000"),
    CHECK: (MARK_COLORS["warning"], "FF000000"),
    TEXT: (MARK_COLORS["warning"], "FF000000"),
    OK: ("FFC6EFCE", "FF006100"),
}
COL = {name: column_letters(i) for i, name in enumerate(HEADERS, 1)}


@dataclass(frozen=True)
class CheckRow:
    row: int
    rule: Rule
    needs: tuple[Cell, ...] = ()  # cells that must be filled before the rule is judged (上年数据)


def check_rows(form: Form) -> list[CheckRow]:
    """Where each rule sits on the 校验 sheet: hard rules, then (after a caption row each) the soft rules and
    the cross-year rules over the 上年数据 sheet."""
    hard = [CheckRow(0, r) for r in form_rules(form) if r.severity == "error"]
    soft = [CheckRow(0, r) for r in form_rules(form) if r.severity != "error"]
    cross = [CheckRow(0, r, (last, r.target)) for r, last in block_rules(form)]
    out, row = [], FIRST_ROW
    for group in (hard, soft, cross):
        out += [replace(c, row=row + i) for i, c in enumerate(group)]
        row += len(group) + 1  # a caption row before the next group
    return out


def _status(check: CheckRow) -> str:
    rule, row = check.rule, check.row
    broken = rf.violated(rule, f"{COL['差额']}{row}")
    verdict = BROKEN if rule.severity == "error" else CHECK
    status = f'IF({rf.non_numeric(rule)},"{TEXT}",IF({broken},"{verdict}","{OK}"))'
    if check.needs:
        status = f'IF({rf.filled(check.needs)},{status},"{SKIPPED}")'
    return f"={status}"


def _rule_row(ws: Worksheet, number: int, check: CheckRow) -> None:
    from openpyxl.worksheet.hyperlink import Hyperlink

    rule, r = check.rule, check.row
    target = rule.target
    values = {
        "序号": number,
        "规则": rule.id,
        "检查内容": rule.title,
        "单元格": target.where,
        "位置": f"{target.sheet}!{target.cell}",
        "填报数": f"={rf.reported(rule)}",
        "应为": f"={rf.expected(rule)}",
        "差额": f"={rf.difference(COL['填报数'] + str(r), COL['应为'] + str(r))}",
        "结果": _status(check),
    }
    for name, value in values.items():
        ws[f"{COL[name]}{r}"] = value
    link = ws[f"{COL['位置']}{r}"]
    link.hyperlink = Hyperlink(ref=link.coordinate, location=absolute_ref(target.sheet, target.cell))
    fmt = "0.0000" if target.kind == "money" else "0"
    for name in ("填报数", "应为", "差额"):
        ws[f"{COL[name]}{r}"].number_format = fmt


def _summary(ws: Worksheet, form: Form, rows: list[CheckRow]) -> None:
    status = f"${COL['结果']}${FIRST_ROW}:${COL['结果']}${rows[-1].row}"
    inputs = ",".join(_input_ranges(form))
    total = len(form.cells)
    lines = [
        ("结论", '=IF(C4>0,"有 "&C4&" 处不符",IF(C6>0,"有 "&C6&" 项检查含非数字，无法核对","全部通过"))'),
        ("必须修改（不符）", f'=COUNTIF({status},"{BROKEN}")'),
        ("请核实", f'=COUNTIF({status},"{CHECK}")'),
        ("含非数字", f'=COUNTIF({status},"{TEXT}")'),
        ("未填写的单元格", f"={total}-COUNTA({inputs})"),
    ]
    for i, (label, formula) in enumerate(lines, 3):
        ws[f"A{i}"], ws[f"{VERDICT[0]}{i}"] = label, formula
        ws.merge_cells(f"A{i}:B{i}")
    note = (
        "本表由公式自动计算，不需要宏，也不需要 Python；在 Excel、WPS 中填写数字后立即更新。"
        "空白单元格按 0 计算。结果为“不符”的，对应单元格在表中显示为红色，点“位置”可跳转。"
        "“请核实”为提示，不一定是错误。"
    )
    ws["A8"] = note
    ws.merge_cells(f"A8:{COL['结果']}8")
    ws.row_dimensions[8].height = 36


def _input_ranges(form: Form) -> list[str]:
    """One rectangle per table section: label cells sit outside them, so COUNTA counts only inputs."""
    out = []
    for table in form.tables:
        for section in table.sections:
            cols = [c.col for c in section.columns]
            rows = [r.row for r in section.rows]
            first = f"${column_letters(min(cols))}${min(rows)}"
            last = f"${column_letters(max(cols))}${max(rows)}"
            out.append(f"'{table.sheet}'!{first}:{last}")
    return out


def _style(ws: Worksheet, form: Form, rows: list[CheckRow]) -> None:
    from openpyxl.formatting.rule import CellIsRule
    from openpyxl.styles import Alignment, Border, Font, Side

    side = Side(style="thin", color="FF000000")
    border = Border(left=side, right=side, top=side, bottom=side)
    plain, bold = Font(name=FONT, size=10), Font(name=FONT, size=10, bold=True)
    wrap = Alignment(vertical="center", wrap_text=True)
    for row in ws.iter_rows(min_row=2, max_row=FIRST_ROW - 2, max_col=len(HEADERS)):
        for cell in row:
            cell.font, cell.alignment = plain, wrap
    header = FIRST_ROW - 1
    for i, (name, width) in enumerate(zip(HEADERS, WIDTHS, strict=True), 1):
        ws.column_dimensions[column_letters(i)].width = width
        cell = ws.cell(header, i, name)
        cell.font, cell.border, cell.alignment = bold, border, wrap
    proto = ws.cell(rows[0].row, 1)
    proto.font, proto.alignment, proto.border = plain, wrap, border
    for check in rows:  # copying one cell's style is ~50x faster in openpyxl than setting font/border per cell
        for i in range(1, len(HEADERS) + 1):
            cell = ws.cell(check.row, i)
            number_format = cell.number_format
            cell._style = copy(proto._style)
            cell.number_format = number_format
    for i in range(3, 8):
        ws[f"A{i}"].font = bold
        ws[f"{VERDICT[0]}{i}"].alignment = Alignment(horizontal="left", vertical="center")
    ws["A1"].font = Font(name=FONT, size=14, bold=True)
    ws[VERDICT].font = Font(name=FONT, size=12, bold=True)
    area = f"{COL['结果']}{FIRST_ROW}:{COL['结果']}{rows[-1].row}"
    for text, (fill, font) in COLORS.items():
        ws.conditional_formatting.add(area, CellIsRule(operator="equal", formula=[f'"{text}"'], **_look(fill, font)))
    verdict = (("equal", OK), ("notEqual", BROKEN))
    for operator, look in verdict:  # the 结论 cell: green when 全部通过, red otherwise
        ws.conditional_formatting.add(
            VERDICT, CellIsRule(operator=operator, formula=['"全部通过"'], **_look(*COLORS[look]))
        )


def _look(fill: str, font: str) -> dict:
    from openpyxl.styles import Font, PatternFill

    # Excel itself stores a differential (conditional) fill as bgColor; some readers take fgColor: set both.
    return {"fill": PatternFill("solid", fgColor=fill, bgColor=fill), "font": Font(color=font, bold=True)}


def _print_setup(ws: Worksheet, last_row: int) -> None:
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_area = f"A1:{COL['结果']}{last_row}"
    ws.print_title_rows = f"{FIRST_ROW - 1}:{FIRST_ROW - 1}"


SOFT_CAPTION = "以下为提示性检查：结果为“请核实”的不一定是错误，请核对后确认。"
CROSS_YEAR_CAPTION = "以下为跨年度核对：与“上年数据”表中上一年度的数字比较；未填写上年数据的显示“未核对”。"


def _caption(ws: Worksheet, row: int, text: str) -> None:
    from openpyxl.styles import Font

    ws[f"A{row}"] = text
    ws[f"A{row}"].font = Font(name=FONT, size=10, bold=True)
    ws.merge_cells(f"A{row}:{COL['结果']}{row}")


def add_checks_sheet(wb: Workbook, form: Form) -> None:
    """Append the 校验 sheet of live formulas for every rule of `form`."""
    ws = wb.create_sheet(SHEET)
    ws["A1"] = TITLE
    rows = check_rows(form)
    for number, check in enumerate(rows, 1):
        _rule_row(ws, number, check)
    _summary(ws, form, rows)
    _style(ws, form, rows)
    soft = [c for c in rows if c.rule.severity != "error" and not c.needs]
    if soft:
        _caption(ws, soft[0].row - 1, SOFT_CAPTION)
    cross = [c for c in rows if c.needs]
    if cross:
        _caption(ws, cross[0].row - 1, CROSS_YEAR_CAPTION)
    ws.freeze_panes = f"A{FIRST_ROW}"
    ws.sheet_view.showGridLines = False
    _print_setup(ws, rows[-1].row)
    add_ledger_checks(ws, form, rows[-1].row, COL, {"ok": OK, "broken": BROKEN, "text": TEXT, "skipped": SKIPPED})
    protect(ws)


def add_red_totals(wb: Workbook, form: Form) -> None:
    """Conditional formatting on each rule's target cell: red (hard rule) or amber (soft rule) when broken.

    One formatting rule per target cell with absolute references: no reliance on how Excel, WPS and
    LibreOffice anchor relative references in a multi-cell range.
    """
    from openpyxl.formatting.rule import FormulaRule

    for check in check_rows(form):
        rule = check.rule
        fill, font = COLORS[BROKEN if rule.severity == "error" else CHECK]
        formula = rf.broken_condition(rule)
        if check.needs:
            formula = f"AND({rf.filled(check.needs)},{formula})"
        wb[rule.target.sheet].conditional_formatting.add(rule.target.cell, FormulaRule([formula], **_look(fill, font)))


def add_checks(wb: Workbook, form: Form) -> None:
    add_red_totals(wb, form)
    add_checks_sheet(wb, form)
