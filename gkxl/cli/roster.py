"""`gkxl roster`: the roster (名册) of units expected to report: a blank template, or a check of one."""

from __future__ import annotations

from pathlib import Path

import click

from gkxl.cli.common import fail


@click.group(name="roster")
def command() -> None:
    """名册：应报送年度报告的单位清单（单位代码 | 单位名称 | 别名 | 单位类型 | 上级单位 | 联系人 | 联系电话）。

    别名之间用“；”分隔。名册可以是 .xlsx 或 .csv（UTF-8，可带 BOM，或 GB18030）。

    \b
    示例：
      gkxl roster template -o 名册.xlsx
      gkxl roster check 名册.xlsx

    \b
    退出码：
      0 已写出空白名册，或名册可用；
      2 无法运行（名册有问题时逐行列出）。
    """


@command.command(name="template")
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True, help="输出的空白名册（.xlsx）。")
def template(output: Path) -> None:
    """生成空白名册。"""
    from gkxl.errors import GkxlError
    from gkxl.season.roster_sheet import write_roster_template

    try:
        write_roster_template(output)
    except GkxlError as exc:
        fail(str(exc))
    click.echo(f"已生成空白名册：{output}")


@command.command(name="check")
@click.argument("roster", type=click.Path(path_type=Path))
def check(roster: Path) -> None:
    """检查名册：重复的代码或名称、与其他单位名称相同的别名、缺少的列，逐行列出。

    退出码：0 名册可用，2 名册有问题。
    """
    units = load(roster).units
    coded = sum(1 for u in units if u.code)
    aliases = sum(len(u.aliases) for u in units)
    click.echo(f"名册可用：{len(units)} 个单位（{coded} 个有单位代码，共 {aliases} 个别名）：{roster}")


def load(roster: Path):
    """The roster, or a message naming every problem and exit code 2."""
    from gkxl.errors import GkxlError
    from gkxl.season.roster import load_roster

    try:
        return load_roster(roster)
    except GkxlError as exc:
        fail(str(exc))
