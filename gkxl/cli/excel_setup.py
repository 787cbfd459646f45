"""`gkxl excel-setup`: tell the buttons of the macro-enabled template which Python to run."""

from __future__ import annotations

import sys
from pathlib import Path

import click


@click.command(name="excel-setup")
@click.option(
    "--workbook",
    type=click.Path(path_type=Path),  # a folder gets the reader's Chinese message, not click's
    help="不写本机设置，改为把 Python 路径写入这个 .xlsm 的 xlwings.conf 工作表（写到 -o 指定的副本）。",
)
@click.option("-o", "--output", type=click.Path(path_type=Path), help="--workbook 的输出副本。")
@click.option("--interpreter", help="要写入的 Python 路径（默认：运行本命令的 Python）。")
def command(workbook: Path | None, output: Path | None, interpreter: str | None) -> None:
    """设置 Excel 按钮调用的 Python（装好 gkxl 后在每台电脑上运行一次）。

    默认写入本机用户设置 ~/.xlwings/xlwings.conf（Windows 为 %USERPROFILE%\\.xlwings\\xlwings.conf），
    之后在这台电脑上打开的任何 gkxl 启用宏模板都能直接使用，工作簿本身不改动。
    用 --workbook 时写入工作簿副本，原文件不改动。

    \b
    示例：
      gkxl excel-setup
      gkxl excel-setup --interpreter "C:\\Python312\\python.exe"
      gkxl excel-setup --workbook 模板.xlsm -o 模板-本机.xlsm

    \b
    退出码：
      0 已写入；
      2 无法运行（用法错误、工作簿无法读取、设置无法写入）。
    """
    from gkxl.cli.common import check_output_file, fail
    from gkxl.errors import GkxlError, os_reason
    from gkxl.excel.conf import interpreter_key, set_workbook_settings, write_user_config

    python = interpreter or sys.executable
    settings = {interpreter_key(): python}
    said = f"Excel 按钮将用这个 Python 运行 gkxl：{python}（设置项 {interpreter_key()}）"
    try:
        if workbook:
            if not output:
                fail("用 --workbook 时请用 -o 指定输出副本（原文件不改动）")
            check_output_file(output, (".xlsm",), "输出副本")
            set_workbook_settings(workbook, output, settings)
            click.echo(f"已写出 {output}（{workbook} 的副本，原文件未改动），其 xlwings.conf 工作表已写入设置。")
            click.echo(f"在这个副本中，{said}")
        else:
            if output:
                fail("-o 只和 --workbook 一起使用")
            path = write_user_config(settings)
            click.echo(f"已写入本机设置 {path}。")
            click.echo(f"在这台电脑上打开的 gkxl 启用宏模板中，{said}")
    except GkxlError as exc:
        fail(str(exc))
    except OSError as exc:
        fail(f"{exc.filename or ''}：无法写入设置（{os_reason(exc)}）")
