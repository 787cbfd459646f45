"""`gkxl diff`: what changed between two versions of a unit's report."""

from __future__ import annotations

from pathlib import Path

import click

from gkxl.cli.common import EXIT_FINDINGS, EXIT_OK, echo_json, fail, json_option
from gkxl.cli.status import db_option

MAX_SHOWN = 200


@click.command(name="diff")
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
@click.option("--unit", help="单位代码、名称或别名：比较版本库中该单位最近的两个版本（需 --roster）。")
@click.option("--roster", type=click.Path(path_type=Path), help="名册（与 --unit 一起用）。")
@db_option
@json_option()
def command(files: tuple[Path, ...], unit: str | None, roster: Path | None, db: Path | None, as_json: bool) -> None:
    """两个版本之间改了什么：改动的单元格（标签，旧值 → 新值），改正了的和新出现的问题。

    给两个文件 OLD NEW，或用 --unit 比较版本库中该单位最近的两个版本（旧文件已被同名新文件覆盖也能比较）。


    \b
    示例：
      gkxl diff 城关镇-第一次.xlsx 城关镇.xlsx
      gkxl diff --unit 城关镇人民政府 --roster 名册.xlsx

    \b
    退出码：
      0 两个版本相同；
      1 有不同；
      2 无法运行。
    """
    if unit:
        if files or not roster:
            fail("--unit 与 --roster 一起用，不再给文件" if files else "--unit 需要 --roster 名册")
        result = _unit_diff(unit, roster, db)
    elif len(files) == 2:
        from gkxl.season.diff import compare_files

        for path in files:
            if not path.is_file():
                fail(f"{path}：文件不存在")
        result = compare_files(*files)
    else:
        fail("请给出两个文件（gkxl diff OLD NEW），或 --unit 单位 --roster 名册")
    if as_json:
        echo_json(result.to_json())
    else:
        echo_diff(result)
    raise SystemExit(EXIT_OK if result.same else EXIT_FINDINGS)


def _unit_diff(name: str, roster_path: Path, db: Path | None):
    from gkxl.cli.status import open_season
    from gkxl.season.diff import compare

    roster, store = open_season(roster_path, db)
    with store:
        unit = roster.find(name)
        if unit is None:
            fail(f"名册中没有“{name}”（可用单位代码、名称或别名）")
        versions = store.unit_versions(unit.id)
    if len(versions) < 2:
        fail(f"{unit.name} 在版本库中只有 {len(versions)} 个版本，没有可比较的（运行 gkxl status 记录新收到的文件）")
    return compare(versions[-2], versions[-1])


def _side(label: str, v) -> str:
    from gkxl.season.status import STATUS_TEXT

    when = f"，{v.first_seen[:16].replace('T', ' ')} 收到" if v.first_seen else ""
    counts = "无法读取" if v.error else f"{STATUS_TEXT[v.status]}：错误 {v.errors}，警告 {v.warnings}"
    return f"{label}：{v.file_name}（{v.sha256[:12]}{when}，{counts}）"


def echo_diff(d) -> None:
    from gkxl.season.diff import shown

    click.echo(_side("旧", d.old))
    click.echo(_side("新", d.new))
    if d.same:
        click.echo("两个版本内容相同")
        return
    click.echo(f"改动的单元格（{len(d.changes)} 处）：")
    for c in d.changes[:MAX_SHOWN]:
        click.echo(f"  {c.where}（{c.address}）：{shown(c.old)} → {shown(c.new)}")
    if len(d.changes) > MAX_SHOWN:
        click.echo(f"  ……另有 {len(d.changes) - MAX_SHOWN} 处（用 --json 查看全部）")
    click.secho(f"已改正的问题（{len(d.fixed)} 处）：", fg="green")
    for f in d.fixed:
        click.secho(f"  ✓ {f['message']}  [{f['rule']}]", fg="green")
    click.secho(f"新出现的问题（{len(d.added)} 处）：", fg="red" if d.added else None)
    for f in d.added:
        click.secho(f"  ✗ {f['message']}  [{f['rule']}]", fg="red" if f["severity"] == "error" else "yellow")
