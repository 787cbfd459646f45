"""The `gkxl` command: a thin shell over the library. Each command lives in its own module, loaded
only when it runs, so `gkxl --help` and every command start quickly."""

from __future__ import annotations

import importlib
import sys

import click

from gkxl import __version__

COMMANDS = {
    "accept": "gkxl.cli.accept",
    "csv": "gkxl.cli.csv",
    "diff": "gkxl.cli.diff",
    "excel-setup": "gkxl.cli.excel_setup",
    "form": "gkxl.cli.form",
    "import": "gkxl.cli.import_",
    "merge": "gkxl.cli.merge",
    "roster": "gkxl.cli.roster",
    "status": "gkxl.cli.status",
    "template": "gkxl.cli.template",
    "validate": "gkxl.cli.validate",
    "render": "gkxl.cli.render",
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        return importlib.import_module(COMMANDS[name]).command


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="gkxl")
def cli() -> None:
    """gkxl：政府信息公开工作年度报告 标准模板、校验、汇总与导出。

    The statutory annual report on government information disclosure: template, validation,
    merge and export.
    """


def main() -> None:
    for stream in (sys.stdout, sys.stderr):
        # Chinese messages on a Windows console (Task Scheduler, cmd.exe) need UTF-8 output.
        if hasattr(stream, "reconfigure") and (stream.encoding or "").lower() not in ("utf-8", "utf8"):
            stream.reconfigure(encoding="utf-8", errors="replace")
    try:
        cli(standalone_mode=True)
    except OSError as exc:  # the disk, not the input: one readable line instead of a traceback
        from gkxl.errors import os_reason

        click.echo(f"错误：{exc.filename or ''}：无法读写文件（{os_reason(exc)}）", err=True)
        sys.exit(2)
