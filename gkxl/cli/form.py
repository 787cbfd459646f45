"""`gkxl form`: print a form definition."""

from __future__ import annotations

import click

from gkxl.cli.common import echo_json, form_option


@click.command(name="form")
@form_option()
@click.option("--json", "as_json", is_flag=True, help="输出完整定义的 JSON（公开接口）。")
def command(form_id: str, as_json: bool) -> None:
    """打印表式定义：每个填报单元格的键、位置、行列标签和类型。

    \b
    示例：
      gkxl form
      gkxl form --form 2021 --json > form-2021.json

    \b
    退出码：
      0 已输出；
      2 无法运行（用法错误）。
    """
    from gkxl.form.model import load_form

    form = load_form(form_id)
    if as_json:
        echo_json(form.to_json())
        return
    click.echo(f"表式 {form.id}：{form.name}（{form.issued_by}），共 {len(form.cells)} 个填报项")
    for cell in form.cells:
        click.echo(f"{cell.key:45} {cell.sheet}!{cell.cell:5} {cell.kind:13} {cell.label}")
