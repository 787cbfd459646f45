"""`gkxl template`: write the standard workbook."""

from __future__ import annotations

from pathlib import Path

import click

from gkxl.cli.common import form_option


@click.command(name="template")
@form_option
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="输出文件（.xlsx；加 --xlsm 时为 .xlsm）。",
)
@click.option("--xlsm", is_flag=True, help="生成启用宏的模板（.xlsm）：表上有“校验”“清除标记”“自动合计”按钮。")
def command(form_id: str, output: Path, xlsm: bool) -> None:
    """生成标准填报模板：封面、表二、表三、表四，按官方表样排版。

    \b
    Example:
        gkxl template -o 年度报告模板.xlsx
        gkxl template --form 2019 -o 2019模板.xlsx
        gkxl template --xlsm -o 年度报告模板.xlsm
    """
    from gkxl.cli.common import fail
    from gkxl.errors import GkxlError

    if xlsm != (output.suffix.lower() == ".xlsm"):
        fail("启用宏的模板请用 --xlsm 并以 .xlsm 结尾" if xlsm else "输出为 .xlsm 时请加 --xlsm（启用宏的模板）")
    if xlsm:
        from gkxl.xlsm import write_xlsm as write_template
    else:
        from gkxl.template import write_template

    try:
        write_template(output, form_id)
    except GkxlError as exc:
        fail(str(exc))
    click.echo(f"已生成模板（表式 {form_id}）：{output}")
