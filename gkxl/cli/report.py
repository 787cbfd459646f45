"""`gkxl report`: write the whole six-part annual report from a workbook and the clerk's prose."""

from __future__ import annotations

from pathlib import Path

import click

from gkxl.cli.common import EXIT_FINDINGS, EXIT_OK, fail, load_or_fail


def _prose(path: Path | None):
    return load_or_fail("gkxl.report.prose:read_prose", path, "正文")


@click.command(name="report")
@click.argument("workbook", type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True, help="输出文件：.docx 或 .html。")
@click.option(
    "--text", "text", type=click.Path(path_type=Path), help="本单位撰写的正文（.md、.txt 或 .docx，含六个部分的标题）。"
)
@click.option("--previous", type=click.Path(path_type=Path), help="上年的报告：写完后核对与上年的重复率。")
def command(workbook: Path, output: Path, text: Path | None, previous: Path | None) -> None:
    """写出完整的政府信息公开工作年度报告（六个部分），Word 文档或网页。

    标题写明单位和年度；“一、总体情况”开头的数字语句由工作簿生成（每个数字都来自表中的单元格），
    其后是 --text 中本单位撰写的文字；二、三、四为表格（与 gkxl render 相同）；五、六取自 --text。
    没有提供的文字留下醒目的【待填写：……】标记。写完后按 gkxl check-report 检查输出的报告。

    \b
    示例：
      gkxl report 城关镇.xlsx -o 城关镇2024年报.docx --text 城关镇正文.md
      gkxl report 城关镇.xlsx -o 年报.html --text 正文.docx --previous 上年.pdf

    \b
    退出码：
      0 报告完整，检查无必须修改的问题；
      1 已输出，但工作簿或报告有必须修改的问题（如待填写标记）；
      2 无法运行。
    """
    from gkxl.check.validate import check_file
    from gkxl.cli.check_report import _previous, echo_check
    from gkxl.errors import GkxlError, os_reason
    from gkxl.render import output_format
    from gkxl.report.assess import check_report
    from gkxl.report.write import write_report

    try:
        output_format(output)
    except GkxlError as exc:
        fail(exc.message)
    prose, last = _prose(text), _previous(previous)
    result = check_file(workbook)
    if result.error:
        fail(str(result.error))
    try:
        document = write_report(result.report, output, prose)
    except GkxlError as exc:
        fail(str(exc))
    except OSError as exc:
        fail(f"{output}：无法写入（{os_reason(exc)}）")
    from gkxl.cli.results import written

    click.echo(written(output, result.report))
    if document.placeholders:
        click.secho(f"注意：有 {document.placeholders} 处【待填写】，请补充后再发布", fg="yellow", err=True)
    if prose and prose.unused:
        click.echo(f"说明：正文中“{'”“'.join(prose.unused)}”下的文字未使用（这些部分是表格）", err=True)
    hint = "" if result.ok else f"（详见 gkxl validate {workbook}）"
    click.secho(f"工作簿校验结论：{result.verdict}{hint}", fg="green" if result.ok else "red", err=True)
    checked = check_report(output, result.report, last)
    echo_check(checked)
    raise SystemExit(EXIT_OK if result.ok and checked.ok else EXIT_FINDINGS)
