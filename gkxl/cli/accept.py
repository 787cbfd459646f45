"""`gkxl accept`: mark units' current versions accepted (已接收)."""

from __future__ import annotations

from pathlib import Path

import click

from gkxl.cli.common import EXIT_FINDINGS, EXIT_OK, echo_json, json_option
from gkxl.cli.status import db_option, open_season, roster_option


@click.command(name="accept")
@click.argument("units", nargs=-1, required=True)
@roster_option
@db_option
@json_option()
def command(units: tuple[str, ...], roster: Path, db: Path | None, as_json: bool) -> None:
    """接收单位的当前版本（上次 gkxl status 看到的那一份）：有必须修改的错误时拒绝。

    UNITS 是单位代码、名称或别名。接收后又收到新文件的单位，gkxl status 显示“已接收后又有新版本”，
    直到再次接收。


    \b
    示例：
      gkxl accept 城关镇人民政府 3208290002 --roster 名册.xlsx

    \b
    退出码：
      0 全部已接收；
      1 有单位不能接收；
      2 无法运行。
    """
    from gkxl.season.accept import accept_units

    the_roster, store = open_season(roster, db)
    with store:
        results = accept_units(the_roster, store, list(units))
    if as_json:
        echo_json(
            [
                {"unit": a.asked, "name": a.unit.name if a.unit else None, "accepted": a.accepted, "message": a.message}
                for a in results
            ]
        )
    for a in results if not as_json else ():
        name = a.unit.name if a.unit else a.asked
        click.secho(f"{'✓' if a.accepted else '✗'} {name}：{a.message}", fg="green" if a.accepted else "red")
    raise SystemExit(EXIT_OK if all(a.accepted for a in results) else EXIT_FINDINGS)
