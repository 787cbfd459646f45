"""`gkxl merge`: unit workbooks into one summary workbook. The Click command (help, usage errors); the run
itself is gkxl.cli.merge_run, which plain argument lists reach without Click (gkxl.cli.fast)."""

from __future__ import annotations

from pathlib import Path

import click

from gkxl.cli.common import jobs_option, json_option


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
    from gkxl.cli.merge_run import run

    raise SystemExit(run(list(inputs), output, unit, year, allow_errors, jobs, roster, db, accepted, allow_unknown,
                         as_json))  # fmt: skip
