"""`gkxl merge`: unit workbooks into one summary workbook."""

from __future__ import annotations

import sys
from contextlib import nullcontext
from pathlib import Path

import click

from gkxl.cli.common import (
    EXIT_FINDINGS,
    EXIT_OK,
    WORKBOOK_SUFFIXES,
    check_output_file,
    echo_json,
    fail,
    jobs_option,
    json_option,
    unique_inputs,
)


def _title(c) -> str:
    if c.error:
        return str(c.path)
    year = f"{c.year}年" if c.year else "年度未填"
    return f"{c.path}  {c.unit or '（单位未填）'} {year} 表式{c.form_id}"


def echo_refusal(result, output: Path) -> None:
    refused = [(c, p) for c, p in zip(result.inputs, result.problems, strict=True) if p]
    for c, problems in refused:
        click.secho(_title(c), bold=True)
        for problem in problems:
            if problem.startswith("  "):
                continue  # one of the errors listed below, each with its cell
            click.secho("  ✗ " + problem.strip().replace("\n", "\n      "), fg="red")
            if problem.startswith(f"有 {c.errors} 处必须修改的错误"):
                for f in (f for f in c.findings if f.severity == "error"):
                    click.secho(f"      ✗ {f.cell:>5} {f.message}  [{f.rule}]", fg="red")
    n = len(result.inputs)
    click.secho(f"\n未汇总：{n} 份报告中 {len(refused)} 份不能汇总（见上），没有写出 {output}", fg="red")


def echo_merged(result) -> None:
    from gkxl.check.validate import FileResult
    from gkxl.cli.validate import echo_result
    from gkxl.form.model import load_form
    from gkxl.read.reader import Report

    inputs = result.inputs
    click.secho(f"已汇总 {len(inputs)} 份报告 → {result.output}", fg="green", bold=True)
    with_errors = [c for c in inputs if c.errors]
    for c in with_errors:
        click.secho(f"  ! {c.path}（{c.unit}）有 {c.errors} 处必须修改的错误，按 --allow-errors 仍已汇总", fg="yellow")
    for c in inputs:  # merged, but not 通过: named so that nobody takes the summary as complete
        if not c.errors and c.judged.status != "ok":
            click.secho(f"  ! {c.path}（{c.unit}）{c.judged.text}（用 gkxl validate 查看）", fg="yellow")
    summary = Report(load_form(result.form_id), {}, unit=result.unit, year=result.year)
    echo_result(FileResult(result.output, summary, result.findings))


def _progress(show: bool, length: int):
    if not show:
        return nullcontext(None)
    return click.progressbar(length=length, label="读取并校验", file=sys.stderr, show_pos=True)


@click.command(name="merge")
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    required=True,
    help="汇总表（.xlsx；.xlsm 则带“校验”等按钮）。",
)
@click.option("--unit", default="汇总", show_default=True, help="汇总单位名称，写在汇总表封面。")
@click.option("--year", type=click.IntRange(1990, 2100), help="汇总年度（默认取各报告的年度；指定时各报告须同年）。")
@click.option("--allow-errors", is_flag=True, help="有必须修改的错误的报告也汇总（在汇总表封面和“来源”中注明）。")
@jobs_option("读取")
@click.option("--roster", type=click.Path(path_type=Path), help="名册：每个单位取一份报告，列出未包含的单位。")
@click.option("--db", type=click.Path(path_type=Path), help="版本数据库（与 --roster 一起用；默认在名册旁）。")
@click.option("--accepted", is_flag=True, help="只汇总已接收（gkxl accept）的版本（与 --roster 一起用）。")
@click.option("--allow-unknown", is_flag=True, help="名册外的文件也汇总（与 --roster 一起用）。")
@json_option()
def command(
    inputs: tuple[Path, ...],
    output: Path,
    unit: str,
    year: int | None,
    allow_errors: bool,
    jobs: int | None,
    roster: Path | None,
    db: Path | None,
    accepted: bool,
    allow_unknown: bool,
    as_json: bool,
) -> None:
    """把各单位（乡镇、街道、部门）的年度报告汇总为一份汇总表。

    INPUTS 可以是文件或文件夹（取其中的 .xlsx/.xlsm，跳过 ~$ 临时文件和隐藏文件）。先逐份读取并校验；
    有任何一份无法读取、有必须修改的错误、表式或年度与其他报告不同、单位重复或内容重复、
    或汇总表与其所含单位同时提交时，拒绝汇总：不写出任何文件，列出每份报告的问题，退出码 1。

    汇总表本身是标准模板（可再校验、再汇总），另有“汇总明细”（每个填报项一行，每个单位一列）
    和“来源”（每份报告的文件名、SHA-256、单位、年度、表式、错误和警告数、汇总结论）工作表。

    \b
    退出码：
      0 已汇总；
      1 拒绝汇总（或汇总表有错误）；
      2 无法运行（用法错误、输出无法写入）。

    同一文件列出两次（如文件夹和其中的文件）只计一次。输出文件所在的文件夹须已存在。

    \b
    示例：
      gkxl merge 各乡镇/ -o 某县汇总.xlsx --unit 某县人民政府
      gkxl merge 各乡镇/ -o 某县汇总.xlsx --year 2024 --json > 汇总.json
      gkxl merge 县甲汇总.xlsx 县乙汇总.xlsx -o 市汇总.xlsx --unit 某市
      gkxl merge 收件箱/ --roster 名册.xlsx --accepted -o 某县汇总.xlsx
    """
    from gkxl.errors import GkxlError, has_controls, os_reason
    from gkxl.merge.combine import merge, name_key, resolve_inputs
    from gkxl.read.reader import MAX_COVER_TEXT

    if not unit.strip():
        fail("--unit 不能为空")
    if len(unit) > MAX_COVER_TEXT or has_controls(unit):
        fail(f"--unit 须为单位名称：最多 {MAX_COVER_TEXT} 个字符，不含控制字符")
    check_output_file(output, WORKBOOK_SUFFIXES, "汇总表")
    if not roster and (db or accepted or allow_unknown):
        fail("--db、--accepted 和 --allow-unknown 要与 --roster 名册一起用")
    selection, key = None, name_key
    if roster:
        selection, key = _by_roster(inputs, roster, db, accepted, allow_unknown, output, jobs, as_json)
        inputs = (*selection.paths, *(s.path for s in selection.unknown))
    try:
        paths, skipped = resolve_inputs(unique_inputs(inputs), output)
        for path in skipped if not as_json else ():
            click.echo(f"已跳过输出文件本身：{path}", err=True)
        show = not as_json and sys.stderr.isatty() and sys.stdout.isatty()
        with _progress(show, len(paths)) as bar:
            result = merge(paths, output, unit.strip(), year, allow_errors, jobs, bar.update if bar else None, key)
    except GkxlError as exc:
        fail(str(exc))
    except OSError as exc:
        fail(f"{output}：无法写出汇总表（{os_reason(exc)}）")
    result.skipped = skipped
    if selection and selection.left_out and not as_json:
        click.secho(selection.left_out_line(), fg="yellow")
    if as_json:
        echo_json(result.to_json() | ({"roster": selection.to_json()} if selection else {}))
    elif result.merged:
        echo_merged(result)
    else:
        echo_refusal(result, output)
    raise SystemExit(EXIT_OK if result.ok else EXIT_FINDINGS)


def _by_roster(inputs, roster_path, db, accepted, allow_unknown, output, jobs, as_json):
    """The file of each roster unit (recorded in the roster's version store) and the roster's unit key;
    files outside the roster refused unless allowed."""
    from gkxl.cli.status import open_season, run_status
    from gkxl.season.selection import select_for_merge

    roster, store = open_season(roster_path, db)
    with store:
        status = run_status(inputs, roster, store, jobs, [output])
        selection = select_for_merge(status, store, accepted)
    if selection.unknown and not allow_unknown:
        _refuse_unknown(selection, as_json)
    if not selection.paths and not selection.unknown:
        if not as_json:
            click.secho(selection.left_out_line(), fg="yellow")
        fail("没有可汇总的报告" + ("（还没有接收任何单位，见 gkxl accept）" if accepted else ""))
    return selection, roster.key


def _refuse_unknown(selection, as_json: bool) -> None:
    if as_json:
        echo_json({"merged": False, "output": None, "roster": selection.to_json()})
        raise SystemExit(EXIT_FINDINGS)
    for s in selection.unknown:
        named = s.version.unit_name or "单位未填"
        why = f"无法读取：{s.version.error}" if s.version.error else f"“{named}”不在名册中"
        click.secho(f"  ✗ {s.path}：{why}", fg="red")
    n = len(selection.unknown)
    click.secho(f"\n未汇总：{n} 份文件不属于名册中的单位（请加入名册或别名，或用 --allow-unknown 也汇总）", fg="red")
    raise SystemExit(EXIT_FINDINGS)
