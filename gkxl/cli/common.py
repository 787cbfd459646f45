"""Pieces shared by the commands."""

from __future__ import annotations

import json

import click

from gkxl.form.model import DEFAULT_FORM, FORM_IDS

EXIT_OK, EXIT_FINDINGS, EXIT_CANNOT_RUN = 0, 1, 2

form_option = click.option(
    "--form",
    "form_id",
    type=click.Choice(FORM_IDS),
    default=DEFAULT_FORM,
    show_default=True,
    help="表式版本 (form version).",
)
json_option = click.option("--json", "as_json", is_flag=True, help="输出 JSON (machine-readable output).")


def echo_json(data: object) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


def fail(message: str) -> None:
    """Print a message for the user and stop with 'could not run'."""
    click.echo(f"错误：{message}", err=True)
    raise SystemExit(EXIT_CANNOT_RUN)
