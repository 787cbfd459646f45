"""The L rows of the 校验 sheet: each 表三 / 表四 cell against the COUNTIFS block beside its ledger.

The same comparison as gkxl.check.ledger_rules, in formulas: 未核对 while the ledger has no rows (or the
cover has no year) or while the table cell holds text (the cell's own row says 含非数字), else 通过 or 不符.
The rows go below the sheet's other rules and the summary counts them too.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from gkxl.form.model import Form, column_letters
from gkxl.ledger.spec import APPEAL_SHEET, APPLY_SHEET, appeal_spec, apply_spec, has_ledger
from gkxl.workbook.ledger_sheets import appeal_block, apply_block, block_cells
from gkxl.workbook.styles import absolute_ref

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

CAPTION = "以下为台账核对：表三、表四每一格与台账的公式统计数比较；台账没有数据（或封面未填年度）的显示“未核对”。"


def _has_rows(sheet: str, width: int) -> str:
    last = column_letters(width)
    return f"COUNTA('{sheet}'!$A:${last})-COUNTA('{sheet}'!$A$1:${last}$1)>0"


def add_ledger_checks(ws: Worksheet, form: Form, last_row: int, col: dict[str, str], words: dict[str, str]) -> None:
    """Append the L rows after `last_row` of the 校验 sheet `ws` (columns `col` by header, status `words`)."""
    if not has_ledger(form):
        return
    from copy import copy

    from openpyxl.worksheet.hyperlink import Hyperlink

    ledgers = {
        "apply": (apply_spec(form).rule, APPLY_SHEET, apply_block()),
        "appeal": (appeal_spec(form).rule, APPEAL_SHEET, appeal_block()),
    }
    caption_row, row = last_row + 1, last_row + 2
    ws[f"A{caption_row}"] = CAPTION
    ws[f"A{caption_row}"].font = copy(ws[f"A{last_row - 1}"].font)
    ws.merge_cells(f"A{caption_row}:{col['结果']}{caption_row}")
    number = max((c.value for c in ws[col["序号"]] if isinstance(c.value, int)), default=0)
    for key, (sheet, address) in block_cells(form).items():
        cell = form.cell(key)
        rule, ledger, block = ledgers[cell.table]
        year = absolute_ref(ledger, block.year_cell)
        target = absolute_ref(cell.sheet, cell.cell)
        reported, expected, diff = (f"{col[h]}{row}" for h in ("填报数", "应为", "差额"))
        number += 1
        values = {
            "序号": number,
            "规则": "台账核对",
            "检查内容": f"{cell.sheet}与{ledger}的统计数一致",
            "单元格": cell.where,
            "位置": f"{cell.sheet}!{cell.cell}",
            "填报数": f"=N({target})",
            "应为": f'=IFERROR({absolute_ref(sheet, address)},"")',
            "差额": f'=IF(ISNUMBER({expected}),ROUND({reported}-{expected},4),"")',
            "结果": f'=IF(OR(NOT({_has_rows(ledger, len(block.headers))}),NOT(ISNUMBER({year}))),"{words["skipped"]}",'
            f'IF(COUNTA({target})<>COUNT({target}),"{words["skipped"]}",'
            f'IF({diff}<>0,"{words["broken"]}","{words["ok"]}")))',
        }
        if "编号" in col:  # the rule id sits in its own narrow column
            values["编号"] = rule
        for name, value in values.items():
            out = ws[f"{col[name]}{row}"]
            out.value, out._style = value, copy(ws[f"{col[name]}{last_row}"]._style)
        link = ws[f"{col['位置']}{row}"]
        link.hyperlink = Hyperlink(ref=link.coordinate, location=target)
        row += 1
    _extend(ws, col, last_row, row - 1)


def _extend(ws: Worksheet, col: dict[str, str], old_last: int, new_last: int) -> None:
    """The summary counts, the status colours and the print area reach the new last row."""
    status = col["结果"]
    old = f"${status}${old_last}"
    for row in ws.iter_rows(min_row=1, max_row=9):
        for cell in row:
            if isinstance(cell.value, str) and old in cell.value:
                cell.value = cell.value.replace(old, f"${status}${new_last}")
    area = rf"{status}\d+:{status}{old_last}"
    rules = [r for cf in ws.conditional_formatting if re.fullmatch(area, str(cf.sqref)) for r in cf.rules]
    for rule in rules:
        ws.conditional_formatting.add(f"{status}{old_last + 1}:{status}{new_last}", rule)
    ws.print_area = f"A1:{list(col.values())[-1]}{new_last}"
