"""`gkxl validate`: check workbooks against the rules of their form."""

from __future__ import annotations

from itertools import groupby
from pathlib import Path

import click

from gkxl.cli.common import EXIT_CANNOT_RUN, EXIT_FINDINGS, EXIT_OK, echo_json, fail, json_option
from gkxl.form.model import FORM_IDS

MAX_BLANKS_LISTED = 5
STATUS_COLORS = {"ok": "green", "unexplained": "yellow", "incomplete": "yellow"}
MARKS = {"error": ("✗", "red"), "warning": ("!", "yellow"), "info": ("·", None)}


def _title(result) -> str:
    r = result.report
    if r is None:
        return str(result.path)
    year = f"{r.year}年" if r.year else "年度未填"
    return f"{result.path}  {r.unit or '（单位未填）'} {year} 表式{r.form.id}"


def echo_result(result, show_info: bool = False) -> None:
    click.secho(_title(result), bold=True)
    if result.error:
        # Name the other file when the problem is there (last year's report, say).
        same = result.error.path in (None, str(result.path))
        click.secho(f"  ✗ {result.error.message if same else result.error}", fg="red")
    shown = [f for f in result.findings if show_info or f.severity != "info"]
    for sheet, group in groupby(shown, key=lambda f: f.sheet):
        click.echo(f"  {sheet}")
        group = list(group)
        blanks = [f for f in group if f.rule == "V-BLANK"]
        if len(blanks) > MAX_BLANKS_LISTED:
            # A half-filled sheet would bury the real problems under one line per empty cell.
            cells = "、".join(f.cell for f in blanks[:MAX_BLANKS_LISTED])
            click.secho(f"    ! {len(blanks)} 个单元格未填写（没有发生的请填 0）：{cells}……  [V-BLANK]", fg="yellow")
            group = [f for f in group if f.rule != "V-BLANK"]
        for f in group:
            mark, color = ("✓", "green") if f.explained else MARKS[f.severity]
            click.secho(f"    {mark} {f.cell:>5} {f.message}  [{f.rule}]", fg=color)
            if f.explanation:
                note = "已说明" if f.explained else "说明（错误不能以说明代替修改）"
                click.echo(f"            {note}：{f.explanation}")
    click.secho(f"  结论：{result.verdict}", fg=STATUS_COLORS.get(result.status, "red"))


def _annotate_target(out: Path, source: Path, stem: str, many: bool) -> Path:
    if many or out.is_dir():
        return out / f"{stem}.校验{source.suffix}"
    return out


def _last_year(previous: Path, as_json: bool):
    from gkxl.check.crossyear import LastYear
    from gkxl.errors import GkxlError

    try:
        last_year = LastYear.load(previous)
    except GkxlError as exc:
        fail(f"上年报告无法读取：{exc}")
    for problem in last_year.problems:
        if not as_json:
            click.secho(f"注意：上年文件夹中的文件无法读取，已跳过：{problem}", fg="yellow", err=True)
    return last_year


def echo_totals(
    results,
    as_json: bool,
    noun: str = "个文件",
    failed: str = "不通过或无法读取",
    extra: dict | None = None,
    by_status: bool = False,
) -> None:
    """The JSON document (with `extra` keys), or (for several files) a closing count of what passed."""
    if as_json:
        echo_json({"files": [r.to_json() for r in results], **(extra or {})})
    elif len(results) > 1 and by_status:
        click.echo(f"\n共 {len(results)} {noun}：{_status_counts(results)}")
    elif len(results) > 1:
        bad = sum(1 for r in results if not r.ok)
        measure = noun[0]
        click.echo(f"\n共 {len(results)} {noun}：{len(results) - bad} {measure}通过，{bad} {measure}{failed}")


STATUS_NAMES = {
    "ok": "通过",
    "unexplained": "待说明",
    "incomplete": "未填完",
    "errors": "不通过",
    "unreadable": "无法读取",
}


def _status_counts(results) -> str:
    """'通过 2，待说明 1，未填完 0，不通过 1' (and 无法读取 when some file could not be read)."""
    counts = {s: sum(1 for r in results if r.status == s) for s in STATUS_NAMES}
    shown = [f"{name} {counts[s]}" for s, name in STATUS_NAMES.items() if s != "unreadable" or counts[s]]
    return "，".join(shown)


def exit_code(results, strict: bool = False) -> int:
    """2 when a file could not be read, 1 for errors (with `strict`: anything short of 通过), else 0."""
    if any(r.error for r in results):
        return EXIT_CANNOT_RUN
    passed = (lambda r: r.status == "ok") if strict else (lambda r: r.ok)
    return EXIT_OK if all(passed(r) for r in results) else EXIT_FINDINGS


@click.command(name="validate")
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
@json_option
@click.option(
    "--annotate",
    type=click.Path(path_type=Path),
    help="写一份标注副本（多个文件时为文件夹）：问题单元格标红/标黄并加批注，附“校验结果”表。原文件不改动。",
)
@click.option("--form", "form_id", type=click.Choice(FORM_IDS), help="只接受这一表式（默认按文件自动识别）。")
@click.option("--show-info", is_flag=True, help="也显示提示（如全角数字已按数字读取）。")
@click.option(
    "--previous",
    type=click.Path(path_type=Path),  # a missing one gets the reader's Chinese message, not click's
    help="上年报告（文件，或按单位名称匹配的文件夹）：加做跨年度核对。",
)
@click.option("--strict", is_flag=True, help="严格：只有结论为“通过”时退出码为 0（未填完、待说明也为 1）。")
def command(
    inputs: tuple[Path, ...],
    as_json: bool,
    annotate: Path | None,
    form_id: str | None,
    show_info: bool,
    previous: Path | None,
    strict: bool,
) -> None:
    """校验年度报告工作簿的勾稽关系和填报规范。

    INPUTS 可以是文件或文件夹（取其中的 .xlsx/.xlsm）。每份报告一个结论：不通过（有必须修改的错误）、
    未填完（有未填写的单元格）、待说明（有未说明的“请核实”）或通过。退出码：0 无错误（可有未填完、待说明），
    1 有必须修改的错误（--strict：结论不是“通过”），2 无法运行（用法错误或有文件无法读取）。

    \b
    Examples:
        gkxl validate 城关镇.xlsx
        gkxl validate 各乡镇/ --json > 校验.json
        gkxl validate 城关镇.xlsx --annotate 城关镇-校验.xlsx
        gkxl validate 城关镇-2024.xlsx --previous 城关镇-2023.xlsx
        gkxl validate 2024/ --previous 2023/
        gkxl validate 各乡镇/ --strict
    """
    from gkxl.check.validate import check_file
    from gkxl.errors import GkxlError, os_reason
    from gkxl.read.inputs import expand_inputs, output_names

    paths = expand_inputs(list(inputs), keep_empty=True)
    if not paths:
        fail("没有找到要校验的工作簿（.xlsx/.xlsm）")
    last_year = _last_year(previous, as_json) if previous else None
    stems = output_names(paths)
    results = []
    for path in paths:
        result = check_file(path, form_id, last_year)
        results.append(result)
        if annotate and result.report:
            from gkxl.workbook.annotate import annotate as write_annotated

            try:
                target = _annotate_target(annotate, path, stems[path], len(paths) > 1)
                write_annotated(path, result.findings, target)
            except GkxlError as exc:
                result.error = exc
            except OSError as exc:  # a full disk, say: this copy is lost, the other files go on
                result.error = GkxlError(f"标注副本写入失败（{os_reason(exc)}）", target)
        if not as_json:
            echo_result(result, show_info)
    skipped = {"previous_unreadable": last_year.problems} if last_year and last_year.problems else None
    echo_totals(results, as_json, extra=skipped, by_status=True)
    raise SystemExit(exit_code(results, strict))
