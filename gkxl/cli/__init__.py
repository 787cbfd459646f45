"""The `gkxl` command: a thin shell over the library. Each command lives in its own module, loaded only when it
runs. `gkxl validate` skips Click altogether when its arguments are plain (`gkxl.cli.fast`); help, usage errors
and the other commands go through the Click group (`gkxl.cli.group`), whose frame speaks Chinese."""

from __future__ import annotations

import os
import sys


def __getattr__(name: str):
    if name == "COMMANDS":  # the map of command names, re-exported (the fast paths do without it)
        from gkxl.cli.commands import COMMANDS

        return COMMANDS
    if name == "cli":  # the Click group, built on first use (tests drive it with Click's CliRunner)
        from gkxl.cli.group import cli

        return cli
    raise AttributeError(f"module 'gkxl.cli' has no attribute {name!r}")


def main(argv: list[str] | None = None) -> None:
    for stream in (sys.stdout, sys.stderr):
        # Chinese messages on a Windows console (Task Scheduler, cmd.exe) need UTF-8 output.
        if hasattr(stream, "reconfigure") and (stream.encoding or "").lower() not in ("utf-8", "utf8"):
            stream.reconfigure(encoding="utf-8", errors="replace")
    code = run(sys.argv[1:] if argv is None else argv)
    # Everything is written and closed by now: skip the interpreter's teardown (tens of milliseconds of
    # freeing objects one by one), keeping the exit code.
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except OSError:
        code = code or 1
    os._exit(code)


def run(args: list[str]) -> int:
    """Run one command line; the exit code."""
    try:
        from gkxl.cli.fast import dispatch

        fast = dispatch(args)
        if fast is not None:
            return fast()
        from gkxl.cli.group import cli

        cli.main(args, prog_name="gkxl", standalone_mode=True)
        return 0
    except SystemExit as exc:
        return _code(exc.code)
    except KeyboardInterrupt:
        sys.stderr.write("已中止。\n")
        return 1
    except BrokenPipeError:  # `gkxl validate 各乡镇/ | head`: the reader has gone, nothing more to say
        return 1
    except OSError as exc:  # the disk, not the input: one readable line instead of a traceback
        from gkxl.errors import os_reason

        sys.stderr.write(f"错误：{exc.filename or ''}：无法读写文件（{os_reason(exc)}）\n")
        return 2


def _code(code: object) -> int:
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    sys.stderr.write(f"{code}\n")
    return 1
