"""The 审查结果 workbook: one row per report of an import run, filterable, printable on A4.

The text-findings column is filled by a hook (a callable giving the findings of the report's prose per
source file, from the report check); without one it stays empty: nothing is made up.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from gkxl.check.findings import count

SHEET = "审查结果"
HEADERS = ("文件", "单位", "年度", "表式", "状态", "错误", "警告", "文字核对", "未导入原因", "工作簿")
WIDTHS = (26, 18, 6, 6, 9, 6, 6, 26, 50, 26)
MAX_TEXT = 1000  # characters of one cell: a long refusal is cut, the file still names it
TextFindings = Callable[[Path], Sequence[object]]  # findings (with .message) or plain texts, per source file


def status(result) -> str:
    """通过 / 不通过 / 部分导入 / 未导入 (refused) / 无法读取, as the summary's filter offers them."""
    from gkxl.importer import ImportRefused

    if result.error is not None:
        return "未导入" if isinstance(result.error, ImportRefused) else "无法读取"
    if getattr(result, "missing_tables", None):
        return "部分导入"
    return "通过" if result.ok else "不通过"


def _text_cell(found: Sequence[object] | None) -> str | None:
    if found is None:
        return None
    texts = [str(getattr(f, "message", f)) for f in found]
    return f"{len(texts)} 处：" + "；".join(texts) if texts else "无"


def summary_row(result, text_findings: TextFindings | None = None) -> list:
    report = result.report
    reason = result.error.message if result.error is not None else None
    if reason is None and getattr(result, "missing_tables", None):
        reason = "缺 " + "、".join(result.missing_tables) + "（--partial：只导入了完整的表）"
    row = [
        str(result.path),
        report.unit if report else None,
        report.year if report else None,
        report.form.id if report else (result.match.form.id if getattr(result, "match", None) else None),
        status(result),
        count(result.findings, "error") if report else None,
        count(result.findings, "warning") if report else None,
        _text_cell(text_findings(result.path)) if text_findings else None,
        reason,
        str(result.output) if getattr(result, "output", None) else None,
    ]
    return [v[:MAX_TEXT] if isinstance(v, str) else v for v in row]


def _lines(text: str, width: int) -> int:
    """Printed lines of a wrapped cell: a CJK character is two columns wide."""
    return sum(max(1, -(-sum(1 if ch.isascii() else 2 for ch in piece) // width)) for piece in text.split("\n"))


def _height(values: list, widths: tuple[int, ...] = WIDTHS) -> float:
    """Row height in points for the wrapped cells (neither openpyxl nor LibreOffice computes it)."""
    lines = max((_lines(v, w) for v, w in zip(values, widths, strict=False) if isinstance(v, str)), default=1)
    return 15.0 * lines


def write_summary(results: Iterable, target: str | Path, text_findings: TextFindings | None = None) -> Path:
    """Write the summary of an import run to target (atomically); `text_findings` is the report-check hook."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    from gkxl.atomic import atomic_path
    from gkxl.workbook.styles import print_setup

    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    ws.append(HEADERS)
    rows = 1
    for result in results:
        values = summary_row(result, text_findings)
        ws.append(values)
        rows += 1
        ws.row_dimensions[rows].height = _height(values)
        for cell in ws[rows]:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"  # a unit or file name is text, never a formula
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDDDDD")
    for cell in ws[1]:
        cell.font, cell.fill = bold, fill
    wrap = Alignment(wrap_text=True, vertical="top")
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = wrap
    for i, width in enumerate(WIDTHS):
        ws.column_dimensions[chr(ord("A") + i)].width = width
    last = chr(ord("A") + len(HEADERS) - 1)
    ws.auto_filter.ref = f"A1:{last}{rows}"
    ws.freeze_panes = "A2"
    print_setup(ws, landscape=True, last_row=rows, last_col=len(HEADERS))
    ws.print_title_rows = "1:1"
    target = Path(target)
    with atomic_path(target) as tmp:
        wb.save(tmp)
    return target
