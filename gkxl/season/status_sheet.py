"""The status workbook: 报送情况 (one coloured, filterable row per roster unit) and 催报 (who to chase, for what)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from gkxl.season.chase import to_fix
from gkxl.season.status import STATUS_FILL, STATUS_TEXT, TO_CHASE, SeasonStatus, UnitStatus

STATUS_COLUMNS = (("序号", 6), ("单位代码", 13), ("单位名称", 34), ("单位类型", 12), ("状态", 16), ("文件", 30),
                  ("收到时间", 17), ("错误", 6), ("警告", 6), ("版本数", 7), ("SHA-256", 15))  # fmt: skip
CHASE_COLUMNS = (("序号", 6), ("单位名称", 26), ("状态", 14), ("联系人", 10), ("联系电话", 15), ("需要处理的问题", 70))
LINE_HEIGHT = 13.5  # points per line of 10-point 宋体, for rows whose text wraps
CHARS_PER_LINE = 34  # Chinese characters that fit on one line of the 70-wide 问题 column


def write_status_workbook(result: SeasonStatus, path: str | Path) -> Path:
    from openpyxl import Workbook

    from gkxl.atomic import atomic_path

    wb = Workbook()
    ws = wb.active
    ws.title = "报送情况"
    _status_sheet(ws, result)
    _chase_sheet(wb.create_sheet("催报"), result)
    with atomic_path(path) as tmp:
        wb.save(tmp)
    return Path(path)


def _title(ws, text: str, width: int) -> None:
    from gkxl.workbook.styles import cell_styles

    ws.cell(1, 1, text).font = cell_styles()["title"]
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws.row_dimensions[1].height = 24


def _header(ws, columns: tuple, row: int = 2) -> None:
    from openpyxl.styles import PatternFill

    from gkxl.workbook.styles import cell_styles

    styles = cell_styles()
    for col, (title, width) in enumerate(columns, start=1):
        cell = ws.cell(row, col, title)
        cell.font, cell.alignment, cell.border = styles["bold"], styles["center"], styles["border"]
        cell.fill = PatternFill("solid", fgColor="FFD9D9D9")
        ws.column_dimensions[cell.column_letter].width = width
    ws.freeze_panes = ws.cell(row + 1, 3 if len(columns) > 6 else 2)


def _finish(ws, columns: tuple, last_row: int) -> None:
    from openpyxl.utils import get_column_letter

    from gkxl.workbook.styles import print_setup

    ws.auto_filter.ref = f"A2:{get_column_letter(len(columns))}{max(last_row, 3)}"
    print_setup(ws, True, last_row, len(columns))
    ws.print_title_rows = "1:2"
    ws.oddFooter.center.text = "&A  第 &P 页，共 &N 页"


def _row(ws, row: int, values: list, status: str) -> None:
    from openpyxl.styles import PatternFill

    from gkxl.workbook.styles import cell_styles

    styles = cell_styles()
    fill = PatternFill("solid", fgColor="FF" + STATUS_FILL[status])
    for col, value in enumerate(values, start=1):
        cell = ws.cell(row, col, value)
        cell.font, cell.border = styles["font"], styles["border"]
        cell.alignment = styles["left"] if isinstance(value, str) else styles["center"]
        cell.fill = fill


def _stamp() -> str:
    return datetime.now().strftime("%Y-%m-%d %H:%M")


def _status_values(n: int, u: UnitStatus) -> list:
    v = u.version
    settled = v is not None and u.status != "conflict"
    files = "、".join(p.name for p in u.files) or (f"{v.file_name}（已不在收件夹中）" if v else "")
    return [
        n, u.unit.code or "", u.unit.name, u.unit.kind or "", u.text, files,
        (u.received or "")[:16].replace("T", " "),
        v.errors if settled else None, v.warnings if settled else None, u.versions,
        v.sha256[:12] if settled else "",
    ]  # fmt: skip


def _status_sheet(ws, result: SeasonStatus) -> None:
    counts = result.counts()
    summary = "，".join(f"{text} {counts[status]}" for status, text in STATUS_TEXT.items() if counts[status])
    _title(ws, f"年度报告报送情况（{len(result.units)} 个单位：{summary}）  {_stamp()}", len(STATUS_COLUMNS))
    _header(ws, STATUS_COLUMNS)
    row = 2
    for n, u in enumerate(result.units, start=1):
        row += 1
        _row(ws, row, _status_values(n, u), u.status)
    for s in result.unknown:
        row += 1
        name = "（文件无法读取）" if s.version.error else s.version.unit_name or "（单位未填）"
        _row(ws, row, ["", s.version.unit_code or "", name, "", "名册外", s.path.name, "", None, None, None,
                       s.version.sha256[:12]], "conflict")  # fmt: skip
    _finish(ws, STATUS_COLUMNS, row)


def _chase_sheet(ws, result: SeasonStatus) -> None:
    chase = [u for u in result.units if u.status in TO_CHASE]
    _title(ws, f"催报：{len(chase)} 个单位未报送或须修改  {_stamp()}", len(CHASE_COLUMNS))
    _header(ws, CHASE_COLUMNS)
    row = 2
    for n, u in enumerate(chase, start=1):
        row += 1
        lines = to_fix(u)
        _row(ws, row, [n, u.unit.name, u.text, u.unit.contact or "", u.unit.phone or "", "\n".join(lines)], u.status)
        ws.row_dimensions[row].height = LINE_HEIGHT * max(1, sum(1 + len(line) // CHARS_PER_LINE for line in lines))
    _finish(ws, CHASE_COLUMNS, row)
