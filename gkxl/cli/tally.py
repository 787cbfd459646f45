"""`gkxl tally`: fill 表三 and 表四 from the 台账 (the workbook's own ledger sheets, or a separate workbook)."""

from __future__ import annotations

from pathlib import Path

import click

from gkxl.cli.common import EXIT_FINDINGS, fail

MAX_BAD_SHOWN = 200


def _line(label: str, parts: list[tuple[str, int]], total: int, numbers: list[str] | None) -> str:
    shown = "，".join(f"{name} {n}" for name, n in parts if n)
    line = f"  {label}：{shown + ' → ' if shown else ''}总计 {total}"
    return line + (f"（编号 {'、'.join(numbers)}）" if numbers else "")


def _counts_text(counts, form, explain: bool) -> list[str]:
    """One line per table row (表三; result rows that are all 0 are summed up in one line) or case type
    (表四): the non-zero counts, the row's total and, with `explain`, the 编号 of the rows behind it."""
    from gkxl.ledger.spec import appeal_spec, apply_spec

    lines = []
    apply, appeal = apply_spec(form), appeal_spec(form)
    table = form.table("apply")
    leaves = {key for _, key in apply.results}
    if table.cell(apply.new, apply.total).key in counts.values:
        lines.append(f"{table.sheet}（按依申请台账）")
        zero = 0
        for row in table.row_keys:
            total = apply.cell(row, apply.total).key
            if row in leaves and not counts.values[total]:
                zero += 1
                continue
            if row == apply.closed and zero:
                lines.append(f"  其余 {zero} 项办理结果均为 0")
            parts = [(label, counts.values[apply.cell(row, col).key]) for label, col in apply.applicants]
            label = table.cell(row, apply.total).row_label
            lines.append(_line(label, parts, counts.values[total], explain and counts.numbers[total]))
    first = appeal.totals[appeal.types[0]]
    if first.key in counts.values:
        lines.append(f"{first.sheet}（按复议诉讼台账）")
        for kind in appeal.types:
            parts = [(r, counts.values[appeal.cells[(kind, r)].key]) for r in appeal.results]
            total = appeal.totals[kind].key
            lines.append(_line(kind, parts, counts.values[total], explain and counts.numbers[total]))
    return lines


def _ledger_lines(ledger, counts) -> list[str]:
    out = []
    for kind, rows in ledger.rows.items():
        source = ledger.sheets[kind]
        name = kind if source == kind else f"{kind}（工作表“{source}”）"
        if not rows:
            out.append(f"{name}：没有数据，对应的表未改动")
            continue
        left = counts.left_out.get(kind) or {}
        skipped = sum(left.values())
        why = "，".join(f"{reason} {n} 行" for reason, n in left.items())
        line = f"{name}：{rows} 行，计入 {counts.counted.get(kind, 0)} 行"
        out.append(line + (f"；未计入 {skipped} 行（{why}）" if skipped else ""))
    return out


@click.command(name="tally")
@click.argument("workbook", type=click.Path(path_type=Path), required=False)
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True, help="输出工作簿（.xlsx）。")
@click.option(
    "--ledger",
    "ledger_path",
    type=click.Path(path_type=Path),
    help="另外的台账工作簿（表头与模板的台账相同，列的顺序不限）；此时 WORKBOOK 由 --into 给出。",
)
@click.option("--into", "into", type=click.Path(path_type=Path), help="与 --ledger 同用：要填写的年度报告工作簿。")
@click.option("--explain", is_flag=True, help="每行另列出计入的台账编号。")
def command(workbook: Path | None, output: Path, ledger_path: Path | None, into: Path | None, explain: bool) -> None:
    """按台账统计并填写表三、表四，写出副本（输入文件不会被修改）。

    依申请台账每行一件申请，复议诉讼台账每行一件案件；按封面的年度统计。台账中有错误的行（申请人类型或
    办理结果不在下拉列表中、日期不是日期、办结日期早于收到日期、编号重复等）时，列出每一处（工作表、行、
    列），不写出任何文件。

    \b
    示例：
      gkxl tally 城关镇.xlsx -o 城关镇-已统计.xlsx
      gkxl tally --ledger 台账.xlsx --into 城关镇.xlsx -o 城关镇-已统计.xlsx
      gkxl tally 城关镇.xlsx -o 城关镇-已统计.xlsx --explain

    \b
    退出码：
      0 已写出；
      1 台账有错误，未写出；
      2 无法运行。
    """
    from gkxl.atomic import atomic_path
    from gkxl.check.validate import check_file
    from gkxl.errors import GkxlError
    from gkxl.ledger.count import tally
    from gkxl.ledger.read import read_ledger
    from gkxl.read.reader import read_report

    target = into if ledger_path else workbook
    if ledger_path and (into is None or workbook is not None):
        fail("用 --ledger 时请用 --into 指定要填写的年度报告工作簿（不再另给 WORKBOOK）")
    if target is None:
        fail("请给出要统计的工作簿（gkxl tally 工作簿 -o 输出），或用 --ledger 台账 --into 工作簿")
    for path in (target, output):
        if path.suffix.lower() != ".xlsx":
            fail(f"{path}：只支持 .xlsx；启用宏的工作簿（.xlsm）请在 Excel 中点“从台账生成”按钮")
    if output.resolve() == target.resolve() or (ledger_path and output.resolve() == ledger_path.resolve()):
        fail("输出文件不能是输入文件（输入文件不会被修改，请另给一个文件名）")
    try:
        report = read_report(target)
        ledger = read_ledger(ledger_path or target, report.form, None if ledger_path else report.sheets)
    except GkxlError as exc:
        fail(str(exc))
    if report.year is None:
        fail(f"{target}：封面未填写有效的年度，无法按年度统计台账")
    if ledger.bad:
        source = ledger_path or target
        click.secho(f"{source}：台账有 {len(ledger.bad)} 处错误，未写出 {output}：", fg="red", err=True)
        for bad in ledger.bad[:MAX_BAD_SHOWN]:
            click.echo(f"  ✗ {bad}", err=True)
        if len(ledger.bad) > MAX_BAD_SHOWN:
            click.echo(f"  ……另有 {len(ledger.bad) - MAX_BAD_SHOWN} 处", err=True)
        raise SystemExit(EXIT_FINDINGS)
    if not ledger.rows:
        fail(f"{ledger_path or target}：没有找到台账（依申请台账、复议诉讼台账）")
    counts = tally(report.form, ledger, report.year)
    click.echo(f"{target}  {report.unit or ''} {report.year}年 表式{report.form.id}")
    for line in _ledger_lines(ledger, counts) + _counts_text(counts, report.form, explain):
        click.echo(line)
    if not counts.values:
        fail("台账没有数据，未写出文件")
    _write(target, output, report.form, counts, ledger if ledger_path else None, atomic_path)
    result = check_file(output)
    click.echo(f"已写出：{output}（表三、表四已按台账填写）；校验：{result.verdict}")


def _write(source: Path, output: Path, form, counts, ledger, atomic_path) -> None:
    from openpyxl import load_workbook

    from gkxl.workbook.ledger_sheets import fill_from_ledger

    wb = load_workbook(source)
    fill_from_ledger(wb, form, counts, ledger)
    with atomic_path(output) as tmp:
        wb.save(tmp)
