"""Checks that need no macros and no Python: a 校验 sheet of live formulas, and red cells on the table sheets.

Both are derived from the engine's `Rule` objects (gkxl.form.rules) and the form's cells, so the workbook and
`gkxl validate` judge the same cells by the same sums. The sheet has one row per rule instance (hard rules,
then the soft ones and the cross-year ones) and one row per input cell; a rule row says 通过, 不符 (hard rule
broken), 请核实 / 已说明 (soft rule broken, without / with the clerk's 说明) or 未核对 (a cell of it is not a
number: that cell's own row says so); a cell row says 通过, 未填写, 含非数字, 错误值 or 不符 (negative,
fractional, too many decimals). The 结论 on top is the verdict of gkxl.check.verdict, as a formula.
"""

from __future__ import annotations

from copy import copy
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from gkxl.check.crossyear import block_rules
from gkxl.check.verdict import TEXTS
from gkxl.form.model import Cell, Form, column_letters
from gkxl.form.rules import Rule, form_rules
from gkxl.read.check_notes import FIRST_ROW as NOTES_FROM
from gkxl.read.check_notes import NOTE_COL, RULE_COL, WHERE_COL
from gkxl.read.reader import CHECKS_SHEET
from gkxl.workbook import rule_formulas as rf
from gkxl.workbook.ledger_checks import add_ledger_checks
from gkxl.workbook.styles import FONT, INPUT_FILL, MARK_COLORS, absolute_ref, print_setup, protect

if TYPE_CHECKING:
    from openpyxl import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

SHEET = CHECKS_SHEET
TITLE = "勾稽关系校验（公式自动计算，无需宏）"
OK, BROKEN, CHECK, TEXT, SKIPPED = "通过", "不符", "请核实", "含非数字", "未核对"
BLANK, ERROR_VALUE, EXPLAINED = "未填写", "错误值", "已说明"
ERRORS = (BROKEN, TEXT, ERROR_VALUE)  # what 结论 counts as 必须修改
HEADERS = ("序号", "规则", "检查内容", "单元格", "位置", "填报数", "应为", "差额", "结果", "说明", "编号")
WIDTHS = (5, 14, 42, 34, 9, 9, 9, 8, 8, 26, 14)
VERDICT = "C3"  # the overall 结论; the counts sit below it (C4 必须修改, C5 未填写, C6 请核实, C7 已说明)
FIRST_ROW = 11  # header row is FIRST_ROW - 1; the summary sits above it
CELL_RULE = ("填写检查", "V-CELL")  # the 规则 and 编号 of the per-cell rows
KIND_TEXT = {
    "count": "件数：不小于 0 的整数",
    "signed_count": "整数（减少的填负数）",
    "money": "金额（万元）：不小于 0，最多 4 位小数",
}
GREEN = ("FFC6EFCE", "FF006100")
COLORS = {  # (fill, font): the red and amber of `gkxl validate --annotate` and the 校验 button, green for 通过
    **{status: (MARK_COLORS["error"], "FF000000") for status in ERRORS},
    CHECK: (MARK_COLORS["warning"], "FF000000"),
    BLANK: (MARK_COLORS["warning"], "FF000000"),
    EXPLAINED: GREEN,
    OK: GREEN,
}
COL = {name: column_letters(i) for i, name in enumerate(HEADERS, 1)}
assert (COL["位置"], COL["说明"], COL["编号"], FIRST_ROW) == (WHERE_COL, NOTE_COL, RULE_COL, NOTES_FROM)  # the reader's


@dataclass(frozen=True)
class CheckRow:
    """One row of the 校验 sheet: a rule instance, or (with `cell`, `rule` None) one input cell's check."""

    row: int
    rule: Rule | None
    needs: tuple[Cell, ...] = ()  # cells that must be filled before the rule is judged (上年数据)
    cell: Cell | None = None

    @property
    def soft(self) -> bool:
        """A rule the clerk may confirm with a 说明."""
        return self.rule is not None and self.rule.severity != "error"

    @property
    def note(self) -> str:
        """The absolute reference of this row's 说明 cell."""
        return absolute_ref(SHEET, f"{COL['说明']}{self.row}")


def check_rows(form: Form) -> list[CheckRow]:
    """Where each check sits on the 校验 sheet: hard rules, then (after a caption row each) the soft rules, the
    cross-year rules over the 上年数据 sheet and the per-cell checks. Extra rule rows go after the last one."""
    hard = [CheckRow(0, r) for r in form_rules(form) if r.severity == "error"]
    soft = [CheckRow(0, r) for r in form_rules(form) if r.severity != "error"]
    cross = [CheckRow(0, r, (last, r.target)) for r, last in block_rules(form)]
    cells = [CheckRow(0, None, cell=c) for c in form.cells]
    out, row = [], FIRST_ROW
    for group in (hard, soft, cross, cells):
        out += [replace(c, row=row + i) for i, c in enumerate(group)]
        row += len(group) + 1  # a caption row before the next group
    return out


def _rule_status(check: CheckRow) -> str:
    rule, row = check.rule, check.row
    broken = rf.violated(rule, f"{COL['差额']}{row}")
    noted = f'IF(LEN(TRIM({COL["说明"]}{row}))>0,"{EXPLAINED}","{CHECK}")'
    verdict = noted if check.soft else f'"{BROKEN}"'
    status = f'IF({rf.unjudged(rule)},"{SKIPPED}",IF({broken},{verdict},"{OK}"))'
    if check.needs:
        status = f'IF({rf.filled(check.needs)},{status},"{SKIPPED}")'
    return f"={status}"


def _cell_status(cell: Cell) -> str:
    ref = rf.refs([cell], True)[0]
    return (
        f'=IF(ISERROR({ref}),"{ERROR_VALUE}",IF(ISNUMBER({ref}),IF({rf.bad_number(cell, ref)},"{BROKEN}","{OK}"),'
        f'IF(LEN(TRIM({ref}))=0,"{BLANK}","{TEXT}")))'
    )


def _row_values(check: CheckRow, number: int) -> dict[str, object]:
    r = check.row
    if check.cell is not None:
        cell, ref = check.cell, rf.refs([check.cell], True)[0]
        name, rule_id = CELL_RULE
        return {"序号": number, "规则": name, "检查内容": KIND_TEXT[cell.kind], "单元格": cell.where,
                "位置": f"{cell.sheet}!{cell.cell}", "填报数": f'=IF(ISNUMBER({ref}),{ref},"")',
                "结果": _cell_status(cell), "编号": rule_id}  # fmt: skip
    rule = check.rule
    return {
        "序号": number,
        "规则": rule.name or rule.id,
        "检查内容": rule.title,
        "单元格": rule.target.where,
        "位置": f"{rule.target.sheet}!{rule.target.cell}",
        "填报数": f"={rf.reported(rule)}",
        "应为": f"={rf.expected(rule)}",
        "差额": f"={rf.difference(COL['填报数'] + str(r), COL['应为'] + str(r))}",
        "结果": _rule_status(check),
        "编号": rule.id,
    }


def _check_row(ws: Worksheet, number: int, check: CheckRow) -> None:
    from openpyxl.worksheet.hyperlink import Hyperlink

    r = check.row
    for name, value in _row_values(check, number).items():
        ws[f"{COL[name]}{r}"] = value
    target = check.cell or check.rule.target
    link = ws[f"{COL['位置']}{r}"]
    link.hyperlink = Hyperlink(ref=link.coordinate, location=absolute_ref(target.sheet, target.cell))
    fmt = "0.0000" if target.kind == "money" else "0"
    for name in ("填报数", "应为", "差额"):
        ws[f"{COL[name]}{r}"].number_format = fmt


def _text(status: str, count_ref: str) -> str:
    """A verdict text of gkxl.check.verdict as a formula expression over the count in `count_ref`."""
    before, _, after = TEXTS[status].partition("{}")
    return f'"{before}"&{count_ref}&"{after}"' if _ else f'"{before}"'


def _summary(ws: Worksheet, form: Form, rows: list[CheckRow]) -> None:
    status = f"${COL['结果']}${FIRST_ROW}:${COL['结果']}${rows[-1].row}"
    count = lambda text: f'COUNTIF({status},"{text}")'  # noqa: E731
    cover = [form.meta_cell("unit"), form.meta_cell("year")]
    cover_blanks = "".join(f"+IF(LEN(TRIM({absolute_ref(m.sheet, m.cell)}))=0,1,0)" for m in cover)
    empty = f"IF({count(BLANK)}={len(form.cells)},1,0)"  # V-EMPTY: every statutory cell blank
    verdict = (
        f"=IF(C4>0,{_text('errors', 'C4')},IF(C5>0,{_text('incomplete', 'C5')},"
        f"IF(C6>0,{_text('unexplained', 'C6')},{_text('ok', '')})))"
    )
    lines = [
        ("结论", verdict),
        ("必须修改", "=" + "+".join(count(s) for s in ERRORS) + f"+{empty}"),
        ("未填写", f"={count(BLANK)}{cover_blanks}"),
        ("请核实（未说明）", f"={count(CHECK)}"),
        ("已说明", f"={count(EXPLAINED)}"),
    ]
    for i, (label, formula) in enumerate(lines, 3):
        ws[f"A{i}"], ws[f"{VERDICT[0]}{i}"] = label, formula
        ws.merge_cells(f"A{i}:B{i}")
    note = (
        "本表由公式自动计算，不需要宏，也不需要 Python；在 Excel、WPS 中填写数字后立即更新。"
        "“不符”“含非数字”“错误值”必须修改，对应单元格在表中显示为红色，点“位置”可跳转；"
        "“请核实”不一定是错误：核实无误的，在该行“说明”栏写明原因即为“已说明”。"
        "单位类型、金额单位等其他提示请用“校验”按钮或 gkxl validate 查看。"
    )
    ws["A8"] = note
    ws.merge_cells(f"A8:{COL['编号']}8")
    ws.row_dimensions[8].height = 48


def _style(ws: Worksheet, rows: list[CheckRow]) -> None:
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side

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
    small = Font(name=FONT, size=8, color="FF595959")  # 编号: for support, not for the clerk
    for check in rows:  # copying one cell's style is ~50x faster in openpyxl than setting font/border per cell
        for i in range(1, len(HEADERS) + 1):
            cell = ws.cell(check.row, i)
            number_format = cell.number_format
            cell._style = copy(proto._style)
            cell.number_format = number_format
        ws[f"{COL['编号']}{check.row}"].font = small
        if check.soft:  # where the clerk types the 说明
            note = ws[f"{COL['说明']}{check.row}"]
            note.protection, note.fill = Protection(locked=False), PatternFill("solid", fgColor=INPUT_FILL)
    for i in range(3, 8):
        ws[f"A{i}"].font = bold
        ws[f"{VERDICT[0]}{i}"].alignment = Alignment(horizontal="left", vertical="center")
    ws["A1"].font = Font(name=FONT, size=14, bold=True)
    ws[VERDICT].font = Font(name=FONT, size=12, bold=True)
    _status_colours(ws, rows)


def _status_colours(ws: Worksheet, rows: list[CheckRow]) -> None:
    from openpyxl.formatting.rule import CellIsRule, FormulaRule

    area = f"{COL['结果']}{FIRST_ROW}:{COL['结果']}{rows[-1].row}"
    for text, (fill, font) in COLORS.items():
        ws.conditional_formatting.add(area, CellIsRule(operator="equal", formula=[f'"{text}"'], **_look(fill, font)))
    v, failed = f"${VERDICT[0]}${VERDICT[1:]}", TEXTS["errors"].partition("{}")[0]
    is_failed = f'LEFT({v},{len(failed)})="{failed}"'
    red, amber = (MARK_COLORS["error"], "FF000000"), (MARK_COLORS["warning"], "FF000000")
    looks = (  # the 结论: red for 不通过, amber for 未填完 / 待说明, green for 通过
        (is_failed, red),
        (f'AND({v}<>"{TEXTS["ok"]}",NOT({is_failed}))', amber),
        (f'{v}="{TEXTS["ok"]}"', GREEN),
    )
    for formula, look in looks:
        ws.conditional_formatting.add(VERDICT, FormulaRule(formula=[formula], **_look(*look)))


def _look(fill: str, font: str) -> dict:
    from openpyxl.styles import Font, PatternFill

    # Excel itself stores a differential (conditional) fill as bgColor; some readers take fgColor: set both.
    return {"fill": PatternFill("solid", fgColor=fill, bgColor=fill), "font": Font(color=font, bold=True)}


CAPTIONS = (
    "以下为提示性检查：结果为“请核实”的不一定是错误；核实无误的，请在“说明”栏写明原因。",
    "以下为跨年度核对：与“上年数据”表中上一年度的数字比较；未填写上年数据的显示“未核对”。",
    "以下为逐格检查：每个填报单元格一行；未填写的请填数字（没有发生的填 0）。",
)


def _caption(ws: Worksheet, row: int, text: str) -> None:
    from openpyxl.styles import Font

    ws[f"A{row}"] = text
    ws[f"A{row}"].font = Font(name=FONT, size=10, bold=True)
    ws.merge_cells(f"A{row}:{COL['编号']}{row}")


def add_checks_sheet(wb: Workbook, form: Form) -> None:
    """Append the 校验 sheet of live formulas for every rule and input cell of `form`."""
    ws = wb.create_sheet(SHEET)
    ws["A1"] = TITLE
    rows = check_rows(form)
    for number, check in enumerate(rows, 1):
        _check_row(ws, number, check)
    _summary(ws, form, rows)
    _style(ws, rows)
    groups = (
        [c for c in rows if c.soft and not c.needs],
        [c for c in rows if c.needs],
        [c for c in rows if c.cell is not None],
    )
    for group, text in zip(groups, CAPTIONS, strict=True):
        if group:
            _caption(ws, group[0].row - 1, text)
    ws.freeze_panes = f"A{FIRST_ROW}"
    ws.sheet_view.showGridLines = False
    print_setup(ws, True, rows[-1].row, len(HEADERS))
    ws.print_title_rows = f"{FIRST_ROW - 1}:{FIRST_ROW - 1}"
    add_ledger_checks(ws, form, rows[-1].row, COL, {"ok": OK, "broken": BROKEN, "text": TEXT, "skipped": SKIPPED})
    protect(ws)


def add_red_totals(wb: Workbook, form: Form) -> None:
    """Conditional formatting on the table sheets: a broken hard rule's target red, a soft one's amber (green
    once its 说明 is written), and every input cell red when it holds text, an error value or an invalid number.

    One formatting rule per cell with absolute references: no reliance on how Excel, WPS and LibreOffice
    anchor relative references in a multi-cell range.
    """
    from openpyxl.formatting.rule import FormulaRule

    for check in check_rows(form):
        if check.cell is not None:
            cell = check.cell
            formula = rf.invalid(cell, rf.refs([cell], False)[0])
            wb[cell.sheet].conditional_formatting.add(cell.cell, FormulaRule([formula], **_look(*COLORS[BROKEN])))
            continue
        rule = check.rule
        for formula, look in _target_formats(check):
            if check.needs:
                formula = f"AND({rf.filled(check.needs)},{formula})"
            wb[rule.target.sheet].conditional_formatting.add(rule.target.cell, FormulaRule([formula], **_look(*look)))


def _target_formats(check: CheckRow) -> list[tuple[str, tuple[str, str]]]:
    """(formula, look) for a rule's target: judged only when every cell of the rule holds a number."""
    rule = check.rule
    qualified = any(c.sheet != rule.target.sheet for c in rule.parts)
    unjudged = rf.unjudged(rule, qualified)
    broken = rf.broken_condition(rule)
    if not check.soft:
        return [(f"IF({unjudged},FALSE,{broken})", COLORS[BROKEN])]
    noted = f"LEN(TRIM({check.note}))>0"
    return [
        (f"IF({unjudged},FALSE,AND({broken},NOT({noted})))", COLORS[CHECK]),
        (f"IF({unjudged},FALSE,AND({broken},{noted}))", COLORS[EXPLAINED]),
    ]


def add_checks(wb: Workbook, form: Form) -> None:
    add_red_totals(wb, form)
    add_checks_sheet(wb, form)
