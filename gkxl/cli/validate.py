"""`gkxl validate`: check workbooks against the rules of their form (the Click face of `validate_job`)."""

from __future__ import annotations

from pathlib import Path

import click

from gkxl.cli.common import jobs_option, json_option
from gkxl.cli.results import MARKS, echo_result, echo_totals, exit_code  # noqa: F401  (used by merge, import, render)
from gkxl.form.model import FORM_IDS


@click.command(name="validate")
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
@json_option()
@click.option(
    "--annotate",
    type=click.Path(path_type=Path),
    help="写一份标注副本：问题单元格标红/标黄并加批注，附“校验结果”表，原文件不改动。一个文件时为文件名"
    "（扩展名与原文件相同），多个文件时为文件夹（不存在时新建，其上级文件夹须已存在）。",
)
@click.option("--form", "form_id", type=click.Choice(FORM_IDS), help="只接受这一表式（默认按文件自动识别）。")
@click.option("--show-info", is_flag=True, help="也显示提示（如全角数字已按数字读取）。")
@click.option(
    "--previous",
    type=click.Path(path_type=Path),  # a missing one gets the reader's Chinese message, not click's
    help="上年报告（文件，或按单位名称匹配的文件夹）：加做跨年度核对。",
)
@jobs_option("校验")
@click.option("--strict", is_flag=True, help="严格：结论为“未填完”“待说明”的报告也算不通过。")
def command(
    inputs: tuple[Path, ...],
    as_json: bool,
    annotate: Path | None,
    form_id: str | None,
    show_info: bool,
    previous: Path | None,
    jobs: int | None,
    strict: bool,
) -> None:
    """校验年度报告工作簿的勾稽关系和填报规范。

    INPUTS 可以是文件或文件夹（取其中的 .xlsx/.xlsm）。同一文件列出两次（如文件夹和其中的文件）只校验一次。
    每个文件校验完即输出结果（按输入顺序）；文件多时用全部 CPU 核并行校验。每份报告一个结论：
    不通过（有必须修改的错误）、未填完（有未填写的单元格）、待说明（有未说明的“请核实”）或通过。

    \b
    示例：
      gkxl validate 城关镇.xlsx
      gkxl validate 各乡镇/ --json > 校验.json
      gkxl validate 城关镇.xlsx --annotate 城关镇-校验.xlsx
      gkxl validate 各乡镇/ --annotate 标注/
      gkxl validate 城关镇-2024.xlsx --previous 城关镇-2023.xlsx
      gkxl validate 2024/ --previous 2023/
      gkxl validate 各乡镇/ --strict

    \b
    退出码：
      0 无必须修改的错误（可有未填完、待说明）；
      1 有必须修改的错误（--strict：结论不是“通过”）；
      2 无法运行（用法错误，或有文件无法读取、表式不符）。
    """
    from gkxl.cli.validate_job import run

    raise SystemExit(run(list(inputs), as_json, annotate, form_id, show_info, previous, jobs, strict))
