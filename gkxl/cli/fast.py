"""A tiny dispatcher for `gkxl validate`, the command run most often (a batch script may run it once per file):
its plain argument lists are parsed here, without importing Click (`csv` and `merge` likewise, by
gkxl.cli.csv_run and gkxl.cli.merge_run). Anything else — help, a usage error, an
unusual spelling, another command — returns None and goes to the Click group, which handles it in full.

Paths stay the text that was typed (no pathlib on this path: `gkxl.cli.validate_job.run` takes them so)."""

from __future__ import annotations

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing
if TYPE_CHECKING:
    from collections.abc import Callable

FLAGS = {"--json": ("as_json", True), "--show-info": ("show_info", True), "--strict": ("strict", True)}
VALUED = {"--annotate": "annotate", "--form": "form_id", "--previous": "previous", "-j": "jobs", "--jobs": "jobs"}


def dispatch(args: list[str]) -> Callable[[], int] | None:
    """The command to run without Click, or None."""
    if args and args[0] == "csv":  # the nightly job: gkxl.cli.csv_run parses its plain arguments
        from gkxl.cli.csv_run import dispatch as csv_dispatch

        return csv_dispatch(args[1:])
    if args and args[0] == "merge":  # gkxl.cli.merge_run parses its plain arguments
        from gkxl.cli.merge_run import dispatch as merge_dispatch

        return merge_dispatch(args[1:])
    if not args or args[0] != "validate":
        return None
    options = parse_validate(args[1:])
    if options is None:
        return None

    def run() -> int:
        from gkxl.cli.validate_job import run

        return run(**options)

    return run


def parse_validate(args: list[str]) -> dict | None:
    """`validate`'s options as Click would parse them (paths as text), or None when Click should do it (or
    complain)."""
    from gkxl.cli.plain_args import walk

    options = walk(args, {"inputs": []}, FLAGS, VALUED, _accept)
    return options if options and options["inputs"] else None


def _accept(key: str, value: str, options: dict) -> bool:
    if key == "form_id":
        from gkxl.form.model import FORM_IDS

        if value not in FORM_IDS:
            return False
    elif key == "jobs":
        if not value.isdigit() or int(value) < 1:
            return False
        value = int(value)
    elif not value:
        return False
    options[key] = value
    return True
