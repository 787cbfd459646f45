"""`gkxl validate`: check workbooks against the rules of their form."""

from __future__ import annotations

from itertools import groupby
from pathlib import Path

import click

from gkxl.cli.common import EXIT_CANNOT_RUN, EXIT_FINDINGS, EXIT_OK, echo_json, fail, json_option

MARKS = {"error": ("✗", "red"), "warning": ("!", "yellow"), "info": ("·", None)}


def verdict(result) -> str:
    from gkxl.findings import count

    if result.error:
        return "无法读取"
    errors, warnings = count(result.findings, "error"), count(result.findings, "warning")
    if errors:
        return f"不通过：{errors} 处必须修改，{warnings} 处请核实"
    return f"通过（{warnings} 处请核实）" if warnings else "通过"


def _title(result) -> str:
    r = result.report
    if r is None:
        return str(result.path)
    year = f"{r.year}年" if r.year else "年度未填"
    return f"{result.path}  {r.unit or '（单位未填）'} {year} 表式{r.form.id}"


def echo_result(result, show_info: bool = False) -> None:
    click.secho(_title(result), bold=True)
    if result.error:
        click.secho(f"  ✗ {result.error.message}", fg="red")
    shown = [f for f in result.findings if show_info or f.severity != "info"]
    for sheet, group in groupby(shown, key=lambda f: f.sheet):
        click.echo(f"  {sheet}")
        for f in group:
            mark, color = MARKS[f.severity]
            click.secho(f"    {mark} {f.cell:>5} {f.message}  [{f.rule}]", fg=color)
    click.secho(f"  结论：{verdict(result)}", fg="green" if result.ok else "red")


def _annotate_target(out: Path, source: Path, many: bool) -> Path:
    if many or out.is_dir():
        return out / f"{source.stem}.校验{source.suffix}"
    return out


def exit_code(results) -> int:
    if any(r.error for r in results):
        return EXIT_CANNOT_RUN
    return EXIT_OK if all(r.ok for r in results) else EXIT_FINDINGS


@click.command(name="validate")
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
@json_option
@click.option(
    "--annotate",
    type=click.Path(path_type=Path),
    help="写一份标注副本（多个文件时为文件夹）：问题单元格标红/标黄并加批注，附“校验结果”表。原文件不改动。",
)
@click.option("--form", "form_id", type=click.Choice(["2021", "2019"]), help="只接受这一表式（默认按文件自动识别）。")
@click.option("--show-info", is_flag=True, help="也显示提示（如全角数字已按数字读取）。")
def command(
    inputs: tuple[Path, ...], as_json: bool, annotate: Path | None, form_id: str | None, show_info: bool
) -> None:
    """校验年度报告工作簿的勾稽关系和填报规范。

    INPUTS 可以是文件或文件夹（取其中的 .xlsx/.xlsm）。退出码：0 无错误（可有警告），
    1 有必须修改的错误，2 无法运行（用法错误或有文件无法读取）。

    \b
    Examples:
        gkxl validate 城关镇.xlsx
        gkxl validate 各乡镇/ --json > 校验.json
        gkxl validate 城关镇.xlsx --annotate 城关镇-校验.xlsx
    """
    from gkxl.errors import GkxlError
    from gkxl.inputs import expand_inputs
    from gkxl.validate import check_file

    paths = expand_inputs(list(inputs))
    if not paths:
        fail("没有找到要校验的工作簿（.xlsx/.xlsm）")
    results = []
    for path in paths:
        result = check_file(path, form_id)
        results.append(result)
        if annotate and result.report:
            from gkxl.annotate import annotate as write_annotated

            try:
                write_annotated(path, result.findings, _annotate_target(annotate, path, len(paths) > 1))
            except (GkxlError, OSError) as exc:
                result.error = exc if isinstance(exc, GkxlError) else GkxlError(f"标注副本写入失败：{exc}", path)
        if not as_json:
            echo_result(result, show_info)
    if as_json:
        echo_json({"files": [r.to_json() for r in results]})
    elif len(results) > 1:
        bad = sum(1 for r in results if not r.ok)
        click.echo(f"\n共 {len(results)} 个文件：{len(results) - bad} 个通过，{bad} 个不通过或无法读取")
    raise SystemExit(exit_code(results))
