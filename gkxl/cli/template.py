"""`gkxl template`: write the standard workbook."""

from __future__ import annotations

from pathlib import Path

import click

from gkxl.cli.common import check_output_file, form_option


@click.command(name="template")
@form_option()
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    required=True,
    help="输出文件（.xlsx；加 --xlsm 时为 .xlsm）。",
)
@click.option("--xlsm", is_flag=True, help="生成启用宏的模板（.xlsm）：表上有“校验”“清除标记”“自动合计”按钮。")
@click.option(
    "--previous",
    type=click.Path(path_type=Path),  # a folder gets the reader's Chinese message, not click's
    help="上年报告：生成下一年度的模板，预填单位名称、年度和“上年数据”。",
)
@click.pass_context
def command(ctx: click.Context, form_id: str, output: Path, xlsm: bool, previous: Path | None) -> None:
    """生成标准填报模板：封面、表二、表三、表四，按官方表样排版。

    输出文件以 .xlsx 结尾（加 --xlsm 时以 .xlsm 结尾），所在的文件夹须已存在。

    \b
    示例：
      gkxl template -o 年度报告模板.xlsx
      gkxl template --form 2019 -o 2019模板.xlsx
      gkxl template --xlsm -o 年度报告模板.xlsm
      gkxl template --previous 城关镇-2023.xlsx -o 城关镇-2024.xlsx

    \b
    退出码：
      0 已生成；
      2 无法运行（用法错误、上年报告无法读取、输出无法写入）。
    """
    from gkxl.cli.common import fail
    from gkxl.errors import GkxlError

    if xlsm != (output.suffix.lower() == ".xlsm") and output.suffix.lower() in (".xlsx", ".xlsm"):
        fail("启用宏的模板请用 --xlsm 并以 .xlsm 结尾" if xlsm else "输出为 .xlsm 时请加 --xlsm（启用宏的模板）")
    check_output_file(output, (".xlsm",) if xlsm else (".xlsx",), "模板")
    try:
        if previous:
            from gkxl.workbook.standard import write_next_year

            explicit = ctx.get_parameter_source("form_id") == click.core.ParameterSource.COMMANDLINE
            last = write_next_year(previous, output, form_id if explicit else None, xlsm=xlsm)
            click.echo(f"已生成 {last.unit or ''} {last.year + 1} 年模板，已预填上年数据：{output}")
            return
        from gkxl.workbook.standard import write_template

        write_template(output, form_id, macros=xlsm)
    except GkxlError as exc:
        fail(str(exc))
    click.echo(f"已生成模板（表式 {form_id}）：{output}")
