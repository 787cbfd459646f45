"""`gkxl excel-setup`: tell the buttons of the macro-enabled template which Python to run."""

from __future__ import annotations

import sys
from pathlib import Path

import click


@click.command(name="excel-setup")
@click.option(
    "--all-users",
    is_flag=True,
    help="为本机所有用户设置（写入 %ProgramData%\\gkxl\\xlwings.conf，需管理员权限）。",
)
@click.option(
    "--workbook",
    type=click.Path(path_type=Path),  # a folder gets the reader's Chinese message, not click's
    help="不写本机设置，改为把 Python 路径写入这个 .xlsm 的 xlwings.conf 工作表（写到 -o 指定的副本）。",
)
@click.option("-o", "--output", type=click.Path(path_type=Path), help="--workbook 的输出副本。")
@click.option("--interpreter", help="要写入的 Python 路径（默认：运行本命令的 Python）。")
def command(all_users: bool, workbook: Path | None, output: Path | None, interpreter: str | None) -> None:
    """设置 Excel 按钮调用的 Python（装好 gkxl 后在每台电脑上运行一次）。

    谁来运行：信息管理员装好 Python 和 gkxl 后，用管理员身份运行 gkxl excel-setup --all-users，
    这台电脑上的每个账户第一次点按钮时都会用这个设置。没有管理员权限时，由使用 Excel 的人在自己的
    账户里运行 gkxl excel-setup（只对本账户有效，写入 %USERPROFILE%\\.xlwings\\xlwings.conf）。
    用 --workbook 时写入工作簿副本，原文件不改动。

    路径一律写成纯英文字符（用户名含中文时写作 %LOCALAPPDATA%\\... 这样的环境变量形式），
    Excel 和各版本 Python 读到的是同一段文字。

    \b
    示例：
      gkxl excel-setup --all-users
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
    from gkxl.excel.conf import (
        interpreter_key,
        machine_config_path,
        portable_path,
        set_workbook_settings,
        write_user_config,
    )

    python = interpreter or sys.executable
    try:
        settings = {interpreter_key(): portable_path(python)}
        if workbook:
            if not output or all_users:
                fail("用 --workbook 时请用 -o 指定输出副本（原文件不改动），且不能同时用 --all-users")
            check_output_file(output, (".xlsm",), "输出副本")
            set_workbook_settings(workbook, output, settings)
            where = f"{output}（{workbook} 的副本，原文件未改动）的 xlwings.conf 工作表"
        else:
            if output:
                fail("-o 只和 --workbook 一起使用")
            path = write_user_config(settings, machine_config_path() if all_users else None)
            where = f"本机所有用户的设置 {path}" if all_users else f"本账户的设置 {path}"
    except GkxlError as exc:
        fail(str(exc))
    except PermissionError as exc:
        fail(f"{exc.filename or ''}：没有写入权限（--all-users 需要以管理员身份运行）")
    except OSError as exc:
        fail(f"{exc.filename or ''}：无法写入设置（{os_reason(exc)}）")
    click.echo(f"已写入{where}：")
    click.echo(f"  Excel 按钮将运行的 Python：{settings[interpreter_key()]}")
    if settings[interpreter_key()] != python:
        click.echo(f"  （即 {python}；路径含中文，已写成 Excel 与 Python 都能读的纯英文形式）")
