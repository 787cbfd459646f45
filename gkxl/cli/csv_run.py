"""`gkxl csv` without Click: the run itself, and a parser for its plain argument lists, so that a nightly run —
most often one that finds nothing changed — pays for neither Click's import nor its frame (see gkxl.cli.fast).
Help, a usage error or an unusual spelling returns None from `dispatch` and goes to the Click command
(gkxl.cli.csv), which then calls `run` too."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path

from gkxl.cli.common import EXIT_CANNOT_RUN, check_output_folder, echo, echo_json, unique_inputs

FLAGS = {"--bom": ("bom", True), "--no-bom": ("bom", False), "--wide": ("wide", True), "--json": ("as_json", True)}
VALUED = {"-o": "outdir", "--output": "outdir", "--log": "log_file", "-j": "jobs", "--jobs": "jobs"}


def dispatch(args: list[str]) -> Callable[[], int] | None:
    """`gkxl csv ARGS` to run without Click, or None when Click should parse them (or complain)."""
    options = parse(args)
    if options is None:
        return None
    return lambda: run(**options)


def _accept(key: str, value: str, options: dict) -> bool:
    if not value:
        return False
    if key == "jobs":
        if not value.isdigit() or int(value) < 1:
            return False
        options[key] = int(value)
    else:
        options[key] = Path(value)
    return True


def parse(args: list[str]) -> dict | None:
    """`csv`'s options as Click would parse them, or None."""
    from gkxl.cli.plain_args import walk

    options: dict = {"inputs": [], "outdir": None, "bom": True, "wide": False, "log_file": None, "jobs": None,
                     "as_json": False}  # fmt: skip
    if walk(args, options, FLAGS, VALUED, _accept) is None:
        return None
    options["inputs"] = [Path(a) for a in options["inputs"]]
    if not options["inputs"] or options["outdir"] is None:
        return None
    # What Click's path types refuse, in its own words (translated by the Click frame): leave it to Click.
    if options["outdir"].is_file() or (options["log_file"] is not None and options["log_file"].is_dir()):
        return None
    return options


def run(
    inputs: list[Path],
    outdir: Path,
    bom: bool = True,
    wide: bool = False,
    log_file: Path | None = None,
    jobs: int | None = None,
    as_json: bool = False,
) -> int:
    """The whole command; its exit code."""
    from gkxl.csv.joblog import JobLog
    from gkxl.errors import os_reason

    streams = [sys.stderr]
    try:
        if log_file:
            streams.append(log_file.open("a", encoding="utf-8"))
    except OSError as exc:
        echo(f"错误：无法写日志文件 {log_file}（{os_reason(exc)}），本次未运行", err=True)
        return EXIT_CANNOT_RUN
    check_output_folder(outdir, "输出文件夹", creates=True)
    log = JobLog(*streams)
    try:
        return _run(unique_inputs(inputs), outdir, bom, wide, jobs, as_json, log)
    finally:
        log.close()


def summary(result) -> str:
    parts = [f"{word} {result.count(word)}" for word in ("OK", "ERRORS", "FAILED", "UNCHANGED", "REMOVED")]
    written = "已更新" if result.all_written else "未变"
    return f"共 {result.total} 项（{'，'.join(parts)}）；all.csv {written}；退出码 {result.exit_code}"


def expand(inputs: list[Path]) -> list[str]:
    """Files as given, folders to the workbooks in them (sorted; a folder with none stays as itself), as
    strings: `gkxl.read.inputs.expand_inputs(…, keep_empty=True)` without a Path object per file."""
    from gkxl.read.inputs import WORKBOOK_SUFFIXES

    out: list[str] = []
    for p in inputs:
        if not p.is_dir():
            out.append(str(p))
            continue
        folder = str(p)
        with os.scandir(folder) as entries:  # the listing's file types: no stat per file
            names = [e.name for e in entries if e.name.lower().endswith(WORKBOOK_SUFFIXES) and e.is_file()]
        names = sorted(n for n in names if not n.startswith(("~$", ".")))
        if not names:
            out.append(folder)
        elif folder == ".":
            out.extend(names)
        else:
            out.extend([os.path.join(folder, n) for n in names])
    return out if len(inputs) == 1 else list(dict.fromkeys(out))


def _run(inputs: list[Path], outdir: Path, bom: bool, wide: bool, jobs: int | None, as_json: bool, log) -> int:
    from gkxl.csv.job import run_csv
    from gkxl.errors import GkxlError

    try:
        # A missing input folder (an unmounted share) must not read as "every file was removed".
        missing = [str(p) for p in inputs if not p.exists()]
        if missing:
            raise GkxlError(f"输入不存在：{'、'.join(missing)}；本次未运行，输出未改动")
        # Nor may an empty input folder (an unmounted share's mount point) among others. Each folder is
        # listed once: an empty one stays in the expanded list as itself.
        paths = expand(list(inputs))
        folders = {str(p) for p in inputs if p.is_dir()}
        empty = [p for p in paths if folders and p in folders]  # kept as itself: no workbook in it
        if empty:
            raise GkxlError(f"输入文件夹中没有工作簿：{'、'.join(empty)}；本次未运行，输出未改动")
        if not paths:
            raise GkxlError("没有找到工作簿（.xlsx/.xlsm）；本次未运行，输出未改动")
        result = run_csv(paths, outdir, bom=bom, wide=wide, log=log, jobs=jobs, record=as_json)
    except GkxlError as exc:
        log("NOTRUN", str(outdir), str(exc))
        if as_json:
            echo_json({"outdir": str(outdir), "exit_code": EXIT_CANNOT_RUN, "error": str(exc), "files": []})
        return EXIT_CANNOT_RUN
    log("DONE", str(outdir), summary(result))
    if as_json:
        echo_json(result.to_json())
    return result.exit_code
