"""`gkxl csv`: keep a folder of CSV files in step with a folder of workbooks (a nightly job)."""

from __future__ import annotations

from pathlib import Path

import click

from gkxl.cli.common import EXIT_CANNOT_RUN, check_output_folder, echo_json, json_option, unique_inputs


def _summary(result) -> str:
    parts = [f"{word} {result.count(word)}" for word in ("OK", "ERRORS", "FAILED", "UNCHANGED", "REMOVED")]
    written = "已更新" if result.all_written else "未变"
    return f"共 {len(result.outcomes)} 项（{'，'.join(parts)}）；all.csv {written}；退出码 {result.exit_code}"


@click.command(name="csv")
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-o", "--output", "outdir", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="输出文件夹（不存在时新建）：每个工作簿一个 <文件名>.csv，另有汇总 all.csv。")  # fmt: skip
@click.option("--bom/--no-bom", default=True, show_default=True,
              help="UTF-8 文件头加 BOM（Excel 双击打开中文不乱码）；导入数据库用 --no-bom。")  # fmt: skip
@click.option("--wide", is_flag=True, help="另为每张表写一个与印制表样相同排列的 CSV：<文件名>.<表名>.csv。")
@click.option("--log", "log_file", type=click.Path(dir_okay=False, path_type=Path), help="日志同时追加写入此文件。")
@click.option("-j", "--jobs", type=click.IntRange(min=1),
              help="并行转换的进程数（默认：要转换的文件达 48 个时用全部 CPU 核，否则 1）。")  # fmt: skip
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
    import sys

    from gkxl.csv.joblog import JobLog
    from gkxl.errors import os_reason

    streams = [sys.stderr]
    try:
        if log_file:
            streams.append(log_file.open("a", encoding="utf-8"))
    except OSError as exc:
        click.echo(f"错误：无法写日志文件 {log_file}（{os_reason(exc)}），本次未运行", err=True)
        raise SystemExit(EXIT_CANNOT_RUN) from None
    check_output_folder(outdir, "输出文件夹", creates=True)
    log = JobLog(*streams)
    try:
        code = _run(unique_inputs(inputs), outdir, bom, wide, jobs, as_json, log)
    finally:
        log.close()
    raise SystemExit(code)


def _run(inputs: list[Path], outdir: Path, bom: bool, wide: bool, jobs: int | None, as_json: bool, log) -> int:
    from gkxl.csv.job import run_csv
    from gkxl.errors import GkxlError
    from gkxl.read.inputs import expand_inputs

    try:
        # A missing input folder (an unmounted share) must not read as "every file was removed".
        missing = [str(p) for p in inputs if not p.exists()]
        if missing:
            raise GkxlError(f"输入不存在：{'、'.join(missing)}；本次未运行，输出未改动")
        # Nor may an empty input folder (an unmounted share's mount point) among others. Each folder is
        # listed once: an empty one stays in the expanded list as itself.
        paths = expand_inputs(list(inputs), keep_empty=True)
        folders = {str(p) for p in inputs if p.is_dir()}
        empty = [str(p) for p in paths if folders and str(p) in folders]  # kept as itself: no workbook in it
        if empty:
            raise GkxlError(f"输入文件夹中没有工作簿：{'、'.join(empty)}；本次未运行，输出未改动")
        if not paths:
            raise GkxlError("没有找到工作簿（.xlsx/.xlsm）；本次未运行，输出未改动")
        result = run_csv(paths, outdir, bom=bom, wide=wide, log=log, jobs=jobs)
    except GkxlError as exc:
        log("NOTRUN", str(outdir), str(exc))
        if as_json:
            echo_json({"outdir": str(outdir), "exit_code": EXIT_CANNOT_RUN, "error": str(exc), "files": []})
        return EXIT_CANNOT_RUN
    log("DONE", str(outdir), _summary(result))
    if as_json:
        echo_json(result.to_json())
    return result.exit_code
