"""`gkxl check-report`: check draft or published reports as an assessor would (structure, tables, figures,
leftovers, 五 and 六, repetition from last year, length)."""

from __future__ import annotations

from pathlib import Path

import click

from gkxl.cli.common import EXIT_CANNOT_RUN, EXIT_FINDINGS, EXIT_OK, echo_json, fail, json_option, load_or_fail

MARKS = {"error": ("✗", "red"), "warning": ("!", "yellow"), "info": ("·", None)}


def _expand(inputs: tuple[Path, ...]) -> list[Path]:
    from gkxl.importer.source import SUFFIXES

    out = []
    for p in inputs:
        if p.is_dir():
            found = [f for f in p.iterdir() if f.suffix.lower() in SUFFIXES and not f.name.startswith((".", "~$"))]
            if not found:
                fail(f"{p}：文件夹中没有报告（{'、'.join(SUFFIXES)}）")
            out += sorted(found)
        else:
            out.append(p)
    return out


def _title(result) -> str:
    year = f"{result.year}年" if result.year else "年度不明"
    form = f" 表式{result.form}" if result.form else ""
    return f"{result.path}  {result.unit or '（单位不明）'} {year}{form}"


def echo_check(result) -> None:
    click.secho(_title(result), bold=True)
    if result.error:
        click.secho(f"  ✗ {result.error.message}", fg="red")
    for f in result.findings:
        mark, color = MARKS[f.severity]
        click.secho(f"  {mark} {f.message}  [{f.rule}]", fg=color)
    click.secho(f"  结论：{result.verdict}", fg="green" if result.ok else "red")


def _workbook(path: Path | None):
    return load_or_fail("gkxl.read.reader:read_report", path, "工作簿")


def _previous(path: Path | None):
    return load_or_fail("gkxl.report.assess:read_report_text", path, "上年报告")


@click.command(name="check-report")
@click.argument("reports", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--workbook", type=click.Path(path_type=Path), help="本单位的工作簿：报告中的表格逐格与之核对。")
@click.option("--previous", type=click.Path(path_type=Path), help="上年的报告（.docx/.html/.txt/.pdf）：核对重复率。")
@click.option("--max-chars", type=click.IntRange(min=1), help="“一、总体情况”的字数上限。")
@click.option(
    "--max-repeat",
    type=click.FloatRange(0, 100),
    default=50.0,
    show_default=True,
    help="与上年报告相同文字的比例（%）达到此值时提示。",
)
@json_option()
def command(reports, workbook, previous, max_chars, max_repeat, as_json) -> None:
    """像考核人员一样检查年度报告（草稿或已发布的 .docx、.html、.txt、.pdf，或其所在文件夹）。

    检查六个部分的标题（R-STRUCTURE）、三张表格（R-TABLES，给出 --workbook 时逐格核对）、正文中的数字
    与表格是否一致（R-FIGURE，只核对能确定含义的写法）、模板文字和占位符及不是本年度的年份（R-LEFTOVER）、
    “五”是否为空（R-PART5）、有收费时“六”是否说明（R-PART6）、与上年报告的重复（R-REPEAT）、
    总体情况的字数（R-LENGTH）。

    \b
    示例：
      gkxl check-report 年报.docx --workbook 城关镇.xlsx --previous 2023年报.pdf
      gkxl check-report 各单位年报/ --max-chars 1000 --json > 检查结果.json

    \b
    退出码：
      0 没有必须修改的问题；
      1 有必须修改的问题；
      2 无法运行（用法错误，或有文件无法读取）。
    """
    from gkxl.report.assess import check_report
    from gkxl.report.checks import Limits

    book, last = _workbook(workbook), _previous(previous)
    limits = Limits(max_chars=max_chars, max_repeat=max_repeat)
    results = [check_report(p, book, last, limits) for p in _expand(reports)]
    if as_json:
        echo_json({"files": [r.to_json() for r in results]})
    else:
        for r in results:
            echo_check(r)
        if len(results) > 1:
            bad = sum(1 for r in results if not r.ok)
            click.echo(f"\n共 {len(results)} 份报告：{len(results) - bad} 份通过，{bad} 份不通过或无法读取")
    if any(r.error for r in results):
        raise SystemExit(EXIT_CANNOT_RUN)
    raise SystemExit(EXIT_FINDINGS if any(not r.ok for r in results) else EXIT_OK)
