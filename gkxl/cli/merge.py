"""`gkxl merge`: unit workbooks into one summary workbook."""

from __future__ import annotations

import sys
from contextlib import nullcontext
from pathlib import Path

import click

from gkxl.cli.common import EXIT_FINDINGS, EXIT_OK, echo_json, fail, json_option


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
            indent = "      " if problem.startswith("  ") else "  ✗ "
            click.secho(indent + problem.strip().replace("\n", "\n      "), fg="red")
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
    warned = sum(1 for c in inputs if c.warnings)
    if warned:
        click.echo(f"  {warned} 份报告有“请核实”的提示（用 gkxl validate 查看）")
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
@click.option("-j", "--jobs", type=click.IntRange(min=1), help="并行读取的进程数（默认：报告多时用全部 CPU 核）。")
@json_option
def command(
    inputs: tuple[Path, ...],
    output: Path,
    unit: str,
    year: int | None,
    allow_errors: bool,
    jobs: int | None,
    as_json: bool,
) -> None:
    """把各单位（乡镇、街道、部门）的年度报告汇总为一份汇总表。

    INPUTS 可以是文件或文件夹（取其中的 .xlsx/.xlsm，跳过 ~$ 临时文件和隐藏文件）。先逐份读取并校验；
    有任何一份无法读取、有必须修改的错误、表式或年度与其他报告不同、单位重复或内容重复、
    或汇总表与其所含单位同时提交时，拒绝汇总：不写出任何文件，列出每份报告的问题，退出码 1。

    汇总表本身是标准模板（可再校验、再汇总），另有“汇总明细”（每个填报项一行，每个单位一列）
    和“来源”（每份报告的文件名、SHA-256、单位、年度、表式、错误和警告数、汇总结论）工作表。

    退出码：0 已汇总，1 拒绝汇总（或汇总表有错误），2 无法运行。

    \b
    Examples:
        gkxl merge 各乡镇/ -o 某县汇总.xlsx --unit 某县人民政府
        gkxl merge 各乡镇/ -o 某县汇总.xlsx --year 2024 --json > 汇总.json
        gkxl merge 县甲汇总.xlsx 县乙汇总.xlsx -o 市汇总.xlsx --unit 某市
    """
    from gkxl.errors import GkxlError, has_controls, os_reason
    from gkxl.merge.combine import merge, resolve_inputs
    from gkxl.read.reader import MAX_COVER_TEXT

    if not unit.strip():
        fail("--unit 不能为空")
    if len(unit) > MAX_COVER_TEXT or has_controls(unit):
        fail(f"--unit 须为单位名称：最多 {MAX_COVER_TEXT} 个字符，不含控制字符")
    try:
        paths, skipped = resolve_inputs(list(inputs), output)
        for path in skipped if not as_json else ():
            click.echo(f"已跳过输出文件本身：{path}", err=True)
        show = not as_json and sys.stderr.isatty() and sys.stdout.isatty()
        with _progress(show, len(paths)) as bar:
            result = merge(paths, output, unit.strip(), year, allow_errors, jobs, bar.update if bar else None)
    except GkxlError as exc:
        fail(str(exc))
    except OSError as exc:
        fail(f"{output}：无法写出汇总表（{os_reason(exc)}）")
    result.skipped = skipped
    if as_json:
        echo_json(result.to_json())
    elif result.merged:
        echo_merged(result)
    else:
        echo_refusal(result, output)
    raise SystemExit(EXIT_OK if result.ok else EXIT_FINDINGS)
