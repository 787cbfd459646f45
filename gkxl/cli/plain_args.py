"""The one argument walker of the Click-free commands (gkxl.cli.fast, csv_run, merge_run): a plain list of
flags, `--name value` / `--name=value` options and inputs, as Click would parse it, or None for anything
Click should handle itself (help, a bundled short option, a typo, a value a command refuses). No imports:
the validate hot path loads it."""

from __future__ import annotations

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing
if TYPE_CHECKING:
    from collections.abc import Callable


def walk(
    args: list[str],
    options: dict,
    flags: dict[str, tuple[str, object]],
    valued: dict[str, str],
    accept: Callable[[str, str, dict], bool],
) -> dict | None:
    """`options` filled from `args`: a flag sets its (key, value); a valued option's text goes to
    `accept(key, value, options)`, which stores it or refuses it (False); the rest, and all after `--`, are
    appended as typed to options["inputs"]."""
    rest = iter(args)
    for arg in rest:
        if arg == "--":
            options["inputs"] += list(rest)
            break
        name, eq, value = arg.partition("=") if arg.startswith("--") else (arg, "", "")
        if name in flags and not eq:
            key, flag = flags[name]
            options[key] = flag
        elif name in valued:
            value = value if eq else next(rest, None)
            if value is None or not accept(valued[name], value, options):
                return None
        elif arg.startswith("-") and arg != "-":
            return None  # -h, a typo, a bundled short option: Click's business
        else:
            options["inputs"].append(arg)
    return options
