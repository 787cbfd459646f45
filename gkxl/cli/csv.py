"""`gkxl csv`: keep a folder of CSV files in step with a folder of workbooks (a nightly job)."""

from __future__ import annotations

from pathlib import Path

import click

from gkxl.cli.common import jobs_option, json_option


@click.command(name="csv")
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-o", "--output", "outdir", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="输出文件夹（不存在时新建）：每个工作簿一个 <文件名>.csv，另有汇总 all.csv。")  # fmt: skip
@click.option("--bom/--no-bom", default=True, show_default=True,
              help="UTF-8 文件头加 BOM（Excel 双击打开中文不乱码）；导入数据库用 --no-bom。")  # fmt: skip
@click.option("--wide", is_flag=True, help="另为每张表写一个与印制表样相同排列的 CSV：<文件名>.<表名>.csv。")
@click.option("--log", "log_file", type=click.Path(dir_okay=False, path_type=Path), help="日志同时追加写入此文件。")
@jobs_option("转换", "要转换的文件")
@json_option()
def command(
    inputs: tuple[Path, ...],
    outdir: Path,
    bom: bool,
    wide: bool,
    log_file: Path | None,
    jobs: int | None,
    as_json: bool,
) -> None:
    """把年度报告工作簿转换为 CSV（长表：每个填报单元格一行），供数据库和报表使用。

    INPUTS 为文件或文件夹（取其中的 .xlsx/.xlsm；同一文件列出两次只计一次）。每个工作簿写
    OUTPUT/<文件名>.csv，所有单位合在 OUTPUT/all.csv；输出文件夹不存在时新建。

    \b
    为定时任务设计：
      - 未变化的文件跳过；没有任何变化时什么都不写；
      - 先写临时文件再改名，不会留下半个文件；
      - 同一输出文件夹同时只运行一个；
      - 要转换的文件多时用全部 CPU 核并行转换（-j 指定进程数），日志仍按输入顺序；
      - 每个文件一行带时间的日志，写到标准错误输出（--json 的汇总写到标准输出）。

    \b
    退出码：
      0 全部正常；
      1 有文件无法读取，或有必须修改的错误（已转换并标记）；
      2 无法运行（输入不存在、另一进程正在运行等），输出未改动。

    \b
    示例：
      gkxl csv 各乡镇/ -o 导出/
      gkxl csv 各乡镇/ -o 导出/ --no-bom --log 导出.log
      gkxl csv 城关镇.xlsx 东街.xlsx -o 导出/ --wide --json
    """
    from gkxl.cli.csv_run import run

    raise SystemExit(run(list(inputs), outdir, bom, wide, log_file, jobs, as_json))
