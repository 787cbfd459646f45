"""The Click command group: help, usage errors and every command not run by the fast dispatcher."""

from __future__ import annotations

import importlib

from gkxl.cli import zh

zh.install()  # before any command is built: option help and messages are translated when they are made

import click  # noqa: E402

from gkxl import __version__  # noqa: E402
from gkxl.cli.commands import COMMANDS  # noqa: E402

HELP_OPTIONS = ["-h", "--help"]


class LazyGroup(click.Group):
    """Each command's module is imported only when that command runs (or its help is shown)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        command = importlib.import_module(COMMANDS[name]).command
        command.options_metavar = zh.OPTIONS_METAVAR
        # -h everywhere, also where the command object was first used on its own (Click caches the help
        # option it made then, with only --help).
        command.context_settings.setdefault("help_option_names", HELP_OPTIONS)
        cached = getattr(command, "_help_option", None)
        if cached is not None and "-h" not in cached.opts:
            command._help_option = None
        return command


@click.group(
    "gkxl",
    cls=LazyGroup,
    context_settings={"help_option_names": HELP_OPTIONS, "max_content_width": 1000},
    options_metavar=zh.OPTIONS_METAVAR,
    subcommand_metavar="命令 [参数]...",
)
@click.version_option(__version__, "-V", "--version", prog_name="gkxl")
def cli() -> None:
    """gkxl：政府信息公开工作年度报告的标准模板、校验、汇总与导出。

    每个命令的用法见 gkxl 命令 -h（如 gkxl validate -h）。

    \b
    示例：
      gkxl template -o 年度报告模板.xlsx
      gkxl validate 各乡镇/
      gkxl merge 各乡镇/ -o 某县汇总.xlsx --unit 某县人民政府
      gkxl csv 各乡镇/ -o 导出/

    \b
    退出码（各命令相同）：
      0 全部正常（可有警告）；
      1 有输入有必须修改的错误，或被拒绝；
      2 无法运行（用法错误、输出无法写入、输入无法读取等）。
    """
