"""`gkxl render`: write a workbook's tables (parts 二, 三, 四) in the official layout, as HTML or DOCX."""

from __future__ import annotations

from pathlib import Path

import click

from gkxl.cli.common import EXIT_FINDINGS, EXIT_OK, check_output_file, fail

MAX_LISTED = 10


def _warn(result) -> None:
    """The validation verdict (on stdout, like every command's), so nobody publishes a table with gaps or
    broken totals unawares."""
    from gkxl.cli.results import MARKS

    report = result.report
    blanks = [f for f in result.findings if f.rule == "V-BLANK"]
    invalid = [c for c in report.form.cells if report.values.get(c.key) is None and c.key in report.problems]
    if blanks:
        click.secho(f"注意：有 {len(blanks)} 个单元格未填写，表中留空", fg="yellow")
    if invalid:
        click.secho(f"注意：有 {len(invalid)} 个单元格内容无效（见下），表中留空", fg="red")
    shown = [f for f in result.findings if f.severity != "info" and f.rule != "V-BLANK"]
    for f in shown[:MAX_LISTED]:
        mark, color = MARKS[f.severity]
        click.secho(f"  {mark} {f.sheet}!{f.cell} {f.message}  [{f.rule}]", fg=color)
    if len(shown) > MAX_LISTED:
        click.echo(f"  ……另有 {len(shown) - MAX_LISTED} 处，详见 gkxl validate {result.path}")
    click.secho(f"校验结论：{result.verdict}", fg="green" if result.ok else "red")


@click.command(name="render")
@click.argument("workbook", type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True, help="输出文件：.html 或 .docx。")
@click.option("--no-banner", is_flag=True, help="校验有错误时也不在表格上方显示“校验未通过”提示。")
def command(workbook: Path, output: Path, no_banner: bool) -> None:
    """按官方表样输出报告的表二、表三、表四（HTML 网页或 Word 文档），可直接用于发布的年度报告。

    输出格式由文件扩展名决定（.html 或 .docx），输出文件所在的文件夹须已存在。同时校验工作簿，
    把校验结论打印出来：有未填写或错误的单元格时给出提示，仍然输出（未填写的单元格留空）；
    有必须修改的错误时，表格上方显示“校验未通过：…”（--no-banner 不显示）。

    \b
    示例：
      gkxl render 城关镇.xlsx -o 城关镇-表格.html
      gkxl render 城关镇.xlsx -o 城关镇-表格.docx

    \b
    退出码：
      0 输出完成且校验无错误；
      1 已输出，但校验有必须修改的错误；
      2 无法运行（格式不支持、工作簿无法读取、输出无法写入）。
    """
    from gkxl.check.validate import check_file
    from gkxl.errors import GkxlError, os_reason
    from gkxl.render import banner_text, output_format, render

    try:
        output_format(output)
    except GkxlError as exc:
        fail(exc.message)
    check_output_file(output, (".html", ".htm", ".docx"), "输出")
    result = check_file(workbook)
    if result.error:
        fail(str(result.error))
    try:
        render(result.report, output, None if no_banner else banner_text(result))
    except GkxlError as exc:
        fail(str(exc))
    except OSError as exc:
        fail(f"{output}：无法写入（{os_reason(exc)}）")
    from gkxl.cli.results import written

    click.echo(written(output, result.report))
    _warn(result)
    raise SystemExit(EXIT_OK if result.ok else EXIT_FINDINGS)
