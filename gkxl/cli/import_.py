"""`gkxl import`: published reports (text, HTML, Word, PDF) -> standard workbooks, validated."""

from __future__ import annotations

from pathlib import Path

import click

from gkxl.cli.common import (
    EXIT_CANNOT_RUN,
    EXIT_FINDINGS,
    EXIT_OK,
    check_output_folder,
    fail,
    json_option,
    unique_inputs,
)
from gkxl.form.model import FORM_IDS


def _expand(inputs: list[Path]) -> list[Path]:
    from gkxl.importer import SUFFIXES

    out: list[Path] = []
    for p in inputs:
        if p.is_dir():
            found = [f for f in p.iterdir() if f.suffix.lower() in SUFFIXES and not f.name.startswith((".", "~$"))]
            found.sort()
            out += found or [p]  # an empty folder gets its own message instead of silently dropping out
        else:
            out.append(p)
    return list(dict.fromkeys(out))


def _listed(path: Path) -> bool:
    from gkxl.importer import SUFFIXES

    return path.suffix.lower() in SUFFIXES and not path.name.startswith((".", "~$"))


def _missing_output() -> None:
    import click

    ctx = click.get_current_context()
    raise click.MissingParameter(ctx=ctx, param=next(p for p in ctx.command.params if p.name == "outdir"))


def _explain(result) -> None:
    """Each label found, the row it was taken for, and the cells its values went to."""
    match = result.match
    if match is None:
        return
    scores = "，".join(
        f"表式{m.form.id}/{m.reading} 得分 {m.score:g}（{len(m.errors)} 处不符）" for m in result.candidates
    )
    click.echo(f"  识别：{scores}")
    for section, line in match.headers.items():
        click.echo(f"  表头 {line.where}“{line.shown}” → 表式{match.form.id} {section.caption or section.corner}")
    for p in sorted(match.placed, key=lambda p: p.hit.index):
        cells = " ".join(f"{c.cell}={t.raw or '空'}" for c, t in zip(p.target.cells, p.tokens, strict=False))
        score = f"（相似度 {p.hit.score:.2f}）" if p.target.names else "（无标签数据行）"
        click.echo(f"  {p.line.where}“{p.line.shown}” → {p.target.where}{score}：{cells}")


def _echo_refusal(result) -> None:
    from gkxl.importer import ImportRefused

    click.secho(str(result.path), bold=True)
    click.secho(f"  ✗ {result.error.message}", fg="red")
    verdict = "未导入（未写出工作簿）" if isinstance(result.error, ImportRefused) else "无法读取"
    click.secho(f"  结论：{verdict}", fg="red")


def _write_summary(results, target: Path, as_json: bool) -> None:
    from gkxl.audit.summary import write_summary
    from gkxl.errors import GkxlError, os_reason

    try:
        by_path = {r.path: r.text_findings for r in results}
        write_summary(results, target, text_findings=lambda path: by_path.get(path))
    except GkxlError as exc:
        fail(f"审查结果无法写入 {target}：{exc.message}")
    except OSError as exc:
        fail(f"审查结果无法写入 {target}：{os_reason(exc)}")
    if not as_json:
        click.echo(f"审查结果已写入 {target}")


def _check_text(result, year: int | None) -> None:
    """The report check's text rules (R-STRUCTURE, R-FIGURE, R-LEFTOVER, R-PART5, R-PART6) on what was read, so
    that a bulk import is a bulk audit; the source is dropped afterwards (memory stays flat)."""
    from gkxl.report.checks import check_source

    source, result.source = result.source, None
    if source is None:
        return
    report_year = result.report.year if result.report else year
    result.text_findings = check_source(source, result.path, result.report, year=report_year)


def _echo_text_findings(result) -> None:
    from gkxl.cli.results import MARKS

    if not result.text_findings:
        return
    click.echo("  报告正文")
    for f in result.text_findings:
        mark, color = MARKS[f.severity]
        click.secho(f"    {mark} {f.message}  [{f.rule}]", fg=color)


def _exit_code(results) -> int:
    from gkxl.importer import ImportRefused

    if any(r.error and not isinstance(r.error, ImportRefused) for r in results):
        return EXIT_CANNOT_RUN
    return EXIT_OK if all(r.ok for r in results) else EXIT_FINDINGS


@click.command(name="import")
@click.argument("reports", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-o", "--output", "outdir", type=click.Path(path_type=Path), help="工作簿写入的文件夹（不存在时新建）。")
@click.option("--outdir", "outdir_alias", type=click.Path(path_type=Path), hidden=True)  # the old name
@json_option()
@click.option("--explain", is_flag=True, help="逐行显示找到的标签及其数字填入的单元格。")
@click.option("--form", "form_id", type=click.Choice(FORM_IDS), help="只按这一表式导入（默认自动识别）。")
@click.option("--show-info", is_flag=True, help="也显示提示（如已去掉的单位、按未填写处理的“/”）。")
@click.option("--unit", help="填报单位名称（优先于报告标题中的单位名称）。")
@click.option("--year", type=click.IntRange(1990, 2100), help="年度（优先于报告标题中的年度）。")
@click.option("--partial", is_flag=True, help="有的表不完整时，只导入完整的表，并说明缺哪些表。")
@click.option(
    "--summary",
    type=click.Path(path_type=Path, dir_okay=False),
    help="另写一份审查结果工作簿（每份报告一行：单位、年度、表式、状态、错误、警告、未导入原因）。",
)
def command(
    reports: tuple[Path, ...],
    outdir: Path | None,
    outdir_alias: Path | None,
    as_json: bool,
    explain: bool,
    form_id: str | None,
    show_info: bool,
    unit: str | None,
    year: int | None,
    partial: bool,
    summary: Path | None,
) -> None:
    """把已发布的年度报告（.txt/.html/.docx/.pdf）导入为标准工作簿，并校验。

    在每份报告中找到表二、表三、表四，按标签（而不是位置）把数字填入标准模板，自动识别表式
    （2019、2021，或表三（六）只有一行的混合写法，按 2021 导入并提示），写出 OUTPUT/<文件名>.xlsx
    （输出文件夹不存在时新建），再给出与 gkxl validate 相同的校验结果，并像 gkxl check-report 一样检查
    报告正文。文字可以是空格、“|”或制表符分隔，也可以每格一行；网页和 Word 表格的合并单元格可以是合并的，
    也可以是分开的空格子。找不到表格或数字无法确定位置时，说明找到了什么、缺什么，不写工作簿
    （--partial：只写完整的表）。

    \b
    示例：
      gkxl import 2024年报.pdf -o 导入/
      gkxl import 各单位年报/ -o 导入/ --json > 导入结果.json
      gkxl import 刘楼乡.txt -o 导入/ --explain
      gkxl import 刘楼乡.txt -o 导入/ --unit 刘楼乡人民政府 --year 2019
      gkxl import 全省年报/ -o 导入/ --summary 审查结果.xlsx --partial

    \b
    退出码：
      0 全部导入且无错误；
      1 有错误、有报告被拒绝导入或只导入了部分表；
      2 无法运行（用法错误、有文件无法读取）。
    """
    from gkxl.cli.validate import echo_result, echo_totals
    from gkxl.importer import import_report, output_paths, write_result

    outdir = outdir or outdir_alias
    if outdir is None:
        _missing_output()
    check_output_folder(outdir, "输出文件夹", creates=True)
    paths = _expand(unique_inputs(reports, _listed))
    if not paths:
        fail("没有找到要导入的报告（.txt/.html/.htm/.docx/.pdf）")
    targets = output_paths(paths, outdir)
    results = []
    for path in paths:
        result = import_report(path, form_id, unit, year, partial=partial)
        _check_text(result, year)
        if result.report is not None:
            write_result(result, targets[path])
        results.append(result)
        if not as_json and result.error:
            _echo_refusal(result)
        elif not as_json:
            echo_result(result, show_info)
            if result.output:
                lacks = "、".join(result.missing_tables)
                missing = f"（只含完整的表，缺 {lacks}）" if lacks else ""
                click.echo(f"  已写入 {result.output}{missing}")
            if explain:
                _explain(result)
            _echo_text_findings(result)
    echo_totals(results, as_json, "份报告", "不通过或未能导入")
    if summary:
        _write_summary(results, summary, as_json)
    raise SystemExit(_exit_code(results))
