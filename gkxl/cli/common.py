"""Pieces shared by the commands: printing, exit codes, output paths, the options every command spells alike.

Nothing here imports Click at module level: `gkxl validate` runs without it (see `gkxl.cli.fast`).
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (the validate hot path)
if TYPE_CHECKING:
    from pathlib import Path

EXIT_OK, EXIT_FINDINGS, EXIT_CANNOT_RUN = 0, 1, 2
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")

_COLORS = {"red": 31, "green": 32, "yellow": 33}


def color_for(stream) -> bool:
    """ANSI colours only on a terminal that shows them (and not when NO_COLOR is set)."""
    if os.environ.get("NO_COLOR") or not getattr(stream, "isatty", lambda: False)():
        return False
    return os.name != "nt" or "WT_SESSION" in os.environ  # the old Windows console prints the codes


def style(text: str, fg: str | None = None, bold: bool = False, color: bool = False) -> str:
    if not color or not (fg or bold):
        return text
    codes = ([str(_COLORS[fg])] if fg else []) + (["1"] if bold else [])
    return f"\033[{';'.join(codes)}m{text}\033[0m"


def echo(text: str = "", fg: str | None = None, bold: bool = False, err: bool = False) -> None:
    """One line on stdout (or stderr), coloured on a terminal; Click's echo without Click."""
    stream = sys.stderr if err else sys.stdout
    stream.write(style(text, fg, bold, color_for(stream)) + "\n")
    stream.flush()


def echo_json(data: object) -> None:
    import json

    echo(json.dumps(data, ensure_ascii=False, indent=2))


def fail(message: str) -> None:
    """Print a message for the user and stop with 'could not run'."""
    echo(f"错误：{message}", err=True)
    raise SystemExit(EXIT_CANNOT_RUN)


def load_or_fail(loader: str, path: Path | None, what: str):
    """loader(path) for a "module:function" loader, imported only when there is a path (or None without one);
    a file gkxl cannot read stops the command with one message."""
    if path is None:
        return None
    from importlib import import_module

    from gkxl.errors import GkxlError

    module, name = loader.split(":")
    try:
        return getattr(import_module(module), name)(path)
    except GkxlError as exc:
        fail(f"{what}无法读取：{exc}")


def unique_inputs(args: list | tuple, listed=None) -> list:
    """The INPUT arguments without repeats: a file named twice, or a file inside a folder also named, is kept
    once (the folder's listing has it), and the command says so (`重复列出，只计一次`). `listed(path)` tells
    whether a folder's listing picks the file up (default: a workbook, not a ~$ or hidden file)."""
    if len(args) < 2:
        return list(args)
    from gkxl.atomic import folder_of

    if listed is None:
        from gkxl.read.inputs import is_candidate as listed
    folders = {_key(a) for a in args if os.path.isdir(a)}
    seen: set[str] = set()
    kept = []
    for arg in args:
        key = _key(arg)
        if key in seen or (listed(arg) and not os.path.isdir(arg) and _key(folder_of(arg)) in folders):
            echo(f"注意：{arg} 重复列出，只计一次", fg="yellow", err=True)
            continue
        seen.add(key)
        kept.append(arg)
    return kept


def _key(path: str | Path) -> str:
    return os.path.normcase(os.path.realpath(path))


# --- output paths (one rule for every command) ---


def check_output_file(path: str | Path, suffixes: tuple[str, ...], what: str) -> str | Path:
    """An output file: its suffix must be one of `suffixes`, it must not be a folder, and its folder must exist
    (no command creates a missing folder for a single output file). Text or a Path alike."""
    from gkxl.atomic import folder_of

    if os.path.splitext(path)[1].lower() not in suffixes:
        fail(f"{path}：{what}的文件名应以 {' 或 '.join(suffixes)} 结尾")
    if os.path.isdir(path):
        fail(f"{path}：这是一个已有的文件夹，请给出{what}的文件名")
    folder = folder_of(path)
    if not os.path.isdir(folder):
        fail(f"{path}：输出文件夹 {folder} 不存在（请先建立）")
    return path


def check_output_folder(path: Path, what: str, creates: bool) -> Path:
    """An output folder: not an existing file; existing, or (for a command that documents that it creates its
    folder) inside an existing one."""
    if path.exists() and not path.is_dir():
        fail(f"{path}：这是一个文件，{what}应为文件夹")
    if path.suffix.lower() in WORKBOOK_SUFFIXES and not path.exists():
        fail(f"{path}：{what}应为文件夹，不能是工作簿文件名")
    if not path.is_dir():
        if not creates:
            fail(f"{path}：{what}不存在（请先建立）")
        if not path.parent.is_dir():  # the command makes the folder itself, not a tree of mistyped names
            fail(f"{path}：上级文件夹 {path.parent} 不存在（请先建立）")
    return path


# --- options spelt the same in every command (built on demand: Click is imported only when needed) ---


def form_option(command=None):
    """`@form_option` or `@form_option()`: --form, a form id, default the current form."""
    import click

    from gkxl.form.model import DEFAULT_FORM, FORM_IDS

    option = click.option(
        "--form",
        "form_id",
        type=click.Choice(FORM_IDS),
        default=DEFAULT_FORM,
        show_default=True,
        help="表式版本。",
    )
    return option(command) if command else option


def json_option(command=None):
    """`@json_option` or `@json_option()`: --json, passed as `as_json`."""
    import click

    option = click.option("--json", "as_json", is_flag=True, help="输出 JSON（供程序读取）。")
    return option(command) if command else option


def jobs_option(what: str, files: str = "文件"):
    import click

    return click.option(
        "-j",
        "--jobs",
        type=click.IntRange(min=1),
        metavar="N",
        help=f"并行{what}的进程数（默认：{jobs_default(files)}）。",
    )


def jobs_default(files: str = "文件") -> str:
    """What -j defaults to, as the help says it (gkxl.parallel.default_workers)."""
    from gkxl.parallel import FORK_MIN, PARALLEL_MIN, can_fork

    least = FORK_MIN if can_fork() else PARALLEL_MIN
    return f"{files}达 {least} 个时用全部 CPU 核，否则 1"
