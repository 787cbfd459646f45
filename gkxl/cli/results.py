"""How a checked file is shown: grouped by sheet, one verdict per file, and the closing count (no Click, so the
fast `validate` path and worker processes can format results)."""

from __future__ import annotations

from itertools import groupby

from gkxl.cli.common import EXIT_CANNOT_RUN, EXIT_FINDINGS, EXIT_OK, color_for, echo, style

MAX_BLANKS_LISTED = 5
MARKS = {"error": ("✗", "red"), "warning": ("!", "yellow"), "info": ("·", None)}
STATUS_COLORS = {"ok": "green", "unexplained": "yellow", "incomplete": "yellow"}
STATUS_NAMES = {
    "ok": "通过",
    "unexplained": "待说明",
    "incomplete": "未填完",
    "errors": "不通过",
    "unreadable": "无法读取",
}


def title(result) -> str:
    r = result.report
    if r is None:
        return str(result.path)
    year = f"{r.year}年" if r.year else "年度未填"
    return f"{result.path}  {r.unit or '（单位未填）'} {year} 表式{r.form.id}"


def written(output, report) -> str:
    """'已输出：OUT（unit year 表式F）', said by render and report after writing a document."""
    year = f"{report.year}年" if report.year else "年度未填"
    return f"已输出：{output}（{report.unit or '单位未填'} {year} 表式{report.form.id}）"


def verdict(result) -> str:
    return getattr(result, "verdict_text", None) or result.verdict


def format_result(result, show_info: bool = False, color: bool = False) -> str:
    """The lines printed for one file, as one string."""
    lines = [style(title(result), bold=True, color=color)]

    def add(text: str, fg: str | None = None) -> None:
        lines.append(style(text, fg, color=color))

    if result.error:
        # Name the other file when the problem is there (last year's report, say).
        same = result.error.path in (None, str(result.path))
        add(f"  ✗ {result.error.message if same else result.error}", "red")
    shown = [f for f in result.findings if show_info or f.severity != "info"]
    for sheet, group in groupby(shown, key=lambda f: f.sheet):
        add(f"  {sheet}")
        group = list(group)
        blanks = [f for f in group if f.rule == "V-BLANK"]
        if len(blanks) > MAX_BLANKS_LISTED:
            # A half-filled sheet would bury the real problems under one line per empty cell.
            cells = "、".join(f.cell for f in blanks[:MAX_BLANKS_LISTED])
            add(f"    ! {len(blanks)} 个单元格未填写（没有发生的请填 0）：{cells}……  [V-BLANK]", "yellow")
            group = [f for f in group if f.rule != "V-BLANK"]
        for f in group:
            mark, fg = ("✓", "green") if f.explained else MARKS[f.severity]
            add(f"    {mark} {f.cell:>5} {f.message}  [{f.rule}]", fg)
            if f.explanation:
                note = "已说明" if f.explained else "说明（错误不能以说明代替修改）"
                add(f"            {note}：{f.explanation}")
    add(f"  结论：{verdict(result)}", STATUS_COLORS.get(result.status, "red"))
    return "\n".join(lines)


def echo_result(result, show_info: bool = False) -> None:
    import sys

    echo(format_result(result, show_info, color_for(sys.stdout)))


def closing_count(total: int, bad: int, noun: str = "个文件", failed: str = "不通过或无法读取") -> str:
    measure = noun[0]
    return f"\n共 {total} {noun}：{total - bad} {measure}通过，{bad} {measure}{failed}"


def status_counts(counts: dict[str, int]) -> str:
    """'通过 2，待说明 1，未填完 0，不通过 1' (and 无法读取 when some file could not be read)."""
    shown = [f"{name} {counts.get(s, 0)}" for s, name in STATUS_NAMES.items() if s != "unreadable" or counts.get(s)]
    return "，".join(shown)


def echo_totals(
    results, as_json: bool, noun: str = "个文件", failed: str = "不通过或无法读取", extra: dict | None = None
) -> None:
    """The JSON document (with `extra` keys), or (for several files) a closing count of what passed."""
    from gkxl.cli.common import echo_json

    if as_json:
        echo_json({"files": [r.to_json() for r in results], **(extra or {})})
    elif len(results) > 1:
        echo(closing_count(len(results), sum(1 for r in results if not r.ok), noun, failed))


def exit_code(results) -> int:
    if any(r.error for r in results):
        return EXIT_CANNOT_RUN
    return EXIT_OK if all(r.ok for r in results) else EXIT_FINDINGS
