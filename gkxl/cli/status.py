"""`gkxl status`: who has filed, from an inbox folder and the roster; every version kept in the roster's database."""

from __future__ import annotations

from pathlib import Path

import click

from gkxl.cli.common import EXIT_FINDINGS, EXIT_OK, echo_json, fail, json_option

STATUS_COLORS = {
    "missing": "red",
    "errors": "red",
    "incomplete": "yellow",
    "unexplained": "yellow",
    "ok": "green",
    "accepted": "green",
    "changed": "magenta",
    "conflict": "magenta",
}

roster_option = click.option("--roster", type=click.Path(path_type=Path), required=True, help="名册（.xlsx 或 .csv）。")
db_option = click.option(
    "--db", type=click.Path(path_type=Path), help="版本数据库（默认：名册旁的“名册名.gkxl.sqlite”）。"
)


def open_season(roster_path: Path, db: Path | None):
    """(roster, store), or a message and exit code 2."""
    from gkxl.cli.roster import load
    from gkxl.errors import GkxlError
    from gkxl.season.roster import default_db
    from gkxl.season.store import Store

    roster = load(roster_path)
    try:
        return roster, Store(db or default_db(roster_path))
    except GkxlError as exc:
        fail(str(exc))


def run_status(inputs, roster, store, jobs: int | None, exclude=(), previous: Path | None = None):
    """The season's status (recorded in `store`), or a message and exit code 2."""
    from gkxl.errors import GkxlError
    from gkxl.season.status import season_status

    for path in inputs:
        if not Path(path).exists():
            fail(f"{path}：文件或文件夹不存在")
    try:
        result = season_status(inputs, roster, store, jobs, exclude)
        if previous:
            from gkxl.season.previous import attach_previous

            attach_previous(result, previous, store)
    except GkxlError as exc:
        fail(str(exc))
    return result


def echo_status(result) -> None:
    from gkxl.season.status import STATUS_TEXT

    click.echo(f"名册：{result.roster.path}（{len(result.units)} 个单位）  版本库：{result.db}")
    width = max(len(u.unit.name) for u in result.units)
    status_width = max(len(u.text) for u in result.units)
    code_width = max(len(u.unit.code or "") for u in result.units)
    for n, u in enumerate(result.units, start=1):
        name = u.unit.name + "\u3000" * (width - len(u.unit.name))
        code = f"{u.unit.code or '':<{code_width}} " if code_width else ""
        detail = _detail(u)
        shown = u.text + "\u3000" * (status_width - len(u.text)) if detail else u.text
        tail = f"  {detail}" if detail else ""
        click.echo(f"{n:>3} {code}{name} " + click.style(shown, fg=STATUS_COLORS[u.status]) + tail)
    for s in result.unknown:
        named = s.version.unit_name or "单位未填"
        why = f"无法读取：{s.version.error}" if s.version.error else f"“{named}”不在名册中，可在名册中加为别名"
        click.secho(f"  名册外：{s.path}：{why}", fg="yellow")
    counts = result.counts()
    shown = "，".join(f"{STATUS_TEXT[k]} {n}" for k, n in counts.items() if k in STATUS_TEXT and n)
    extra = f"，名册外文件 {counts['unknown']}" if counts["unknown"] else ""
    click.echo(f"合计 {len(result.units)} 个单位：{shown}{extra}")


def _detail(u) -> str:
    if u.status == "conflict":
        return "、".join(str(s.path) for s in u.conflict) + "（内容不同，请确认以哪一份为准）"
    v = u.version
    if v is None:
        return ""
    counts = f"错误 {v.errors}，警告 {v.warnings}" if not v.error else "无法读取"
    where = str(u.file) if u.file else f"{v.file_name}（已不在收件夹中）"
    return f"{where}  {counts}  收到 {(u.received or '')[:16].replace('T', ' ')}  共 {u.versions} 个版本"


@click.command(name="status")
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
@roster_option
@db_option
@click.option("-o", "--output", type=click.Path(path_type=Path), help="报送情况表：.xlsx（含催报表）或 .html 页面。")
@click.option(
    "--previous",
    type=click.Path(path_type=Path, exists=True),
    help="上年报告的文件夹：.html 页面上为每个单位画本年与上年的对比图。",
)
@click.option("-j", "--jobs", type=click.IntRange(min=1), help="并行读取的进程数（默认：文件多时用全部 CPU 核）。")
@json_option()
def command(
    inputs: tuple[Path, ...],
    roster: Path,
    db: Path | None,
    output: Path | None,
    previous: Path | None,
    jobs: int | None,
    as_json: bool,
) -> None:
    """报送情况：名册中每个单位一行——未报送、不通过、未填完、待说明、通过、已接收、已接收后又有新版本。

    INPUTS 是收件文件夹（含子文件夹）或文件。每份文件按单位代码（双方都有时）或名称、别名对应到名册中的单位，
    不按相似猜测；对应不上的列为“名册外”。同一单位有两份内容不同的文件时，两份都列出（有两份不同的文件）。

    每个内容不同的文件都记入版本数据库（SHA-256、文件名、首次收到时间、结论、错误和警告数、全部填报数），
    同名文件被改正后的新文件覆盖也不丢失旧版本。重复运行不会重复记录。


    \b
    示例：
      gkxl status 收件箱/ --roster 名册.xlsx
      gkxl status 收件箱/ --roster 名册.xlsx -o 报送情况.xlsx
      gkxl status 收件箱/ --roster 名册.xlsx -o 报送情况.html --previous 2023年/
      gkxl status 收件箱/ --roster 名册.xlsx --json > 报送情况.json

    \b
    退出码：
      0 所有单位都已通过或已接收；
      1 还有单位未报送、不通过或待处理；
      2 无法运行。
    """
    from gkxl.errors import GkxlError

    if previous and not previous.is_dir():
        fail(f"{previous}：--previous 应为上年报告所在的文件夹（按名册对应到各单位）")
    if output and output.suffix.lower() not in (".xlsx", ".html", ".htm"):
        fail(f"{output}：报送情况表应为 .xlsx 或 .html")
    the_roster, store = open_season(roster, db)
    with store:
        result = run_status(inputs, the_roster, store, jobs, [output] if output else [], previous)
    if output:
        try:
            _write(result, output)
        except GkxlError as exc:
            fail(str(exc))
    if as_json:
        from gkxl.season.status import to_json

        echo_json(to_json(result))
    else:
        echo_status(result)
        if output:
            click.echo(f"已写出报送情况：{output}")
    raise SystemExit(EXIT_OK if result.settled else EXIT_FINDINGS)


def _write(result, output: Path) -> None:
    if output.suffix.lower() == ".xlsx":
        from gkxl.season.status_sheet import write_status_workbook

        write_status_workbook(result, output)
    else:
        from gkxl.season.status_page import write_status_page

        write_status_page(result, output)
