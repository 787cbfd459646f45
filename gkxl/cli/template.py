"""`gkxl template`: write the standard workbook."""

from __future__ import annotations

from pathlib import Path

import click

from gkxl.cli.common import form_option


@click.command(name="template")
@form_option
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True, help="输出文件 (.xlsx)。"
)
def command(form_id: str, output: Path) -> None:
    """生成标准填报模板：封面、表二、表三、表四，按官方表样排版。

    \b
    Example:
        gkxl template -o 年度报告模板.xlsx
        gkxl template --form 2019 -o 2019模板.xlsx
    """
    from gkxl.template import write_template

    write_template(output, form_id)
    click.echo(f"已生成模板（表式 {form_id}）：{output}")
