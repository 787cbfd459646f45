"""`gkxl merge` without Click: the run itself, and a parser for its plain argument lists (see gkxl.cli.fast), so
that a small merge pays for neither Click's import nor its frame. Help, a usage error or an unusual spelling
returns None from `parse` and goes to the Click command (gkxl.cli.merge), which then calls `run` too."""

from __future__ import annotations

import sys

from gkxl.cli.common import (
    EXIT_FINDINGS,
    EXIT_OK,
    WORKBOOK_SUFFIXES,
    check_output_file,
    echo,
    echo_json,
    fail,
    unique_inputs,
)

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing
if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

FLAGS = {"--allow-errors": ("allow_errors", True), "--accepted": ("accepted", True),
         "--allow-unknown": ("allow_unknown", True), "--json": ("as_json", True)}  # fmt: skip
VALUED = {"-o": "output", "--output": "output", "--unit": "unit", "--year": "year", "-j": "jobs", "--jobs": "jobs",
          "--roster": "roster", "--db": "db"}  # fmt: skip
PATHS = ("output", "roster", "db")
YEARS = (1990, 2100)  # the Click command's IntRange


def dispatch(args: list[str]) -> Callable[[], int] | None:
    """`gkxl merge ARGS` to run without Click, or None when Click should parse them (or complain)."""
    options = parse(args)
    if options is None:
        return None
    return lambda: run(**options)


def _accept(key: str, value: str, options: dict) -> bool:
    if not value or value.startswith("-"):
        return False  # a missing value, or one Click might read otherwise
    if key in ("year", "jobs"):
        if not value.isdigit():
            return False
        number = int(value)
        if (key == "jobs" and number < 1) or (key == "year" and not YEARS[0] <= number <= YEARS[1]):
            return False
        options[key] = number
    else:
        options[key] = value
    return True


def parse(args: list[str]) -> dict | None:
    """`merge`'s options as Click would parse them, or None. Paths are Paths as from Click, but for the inputs and
    the output when each is text that pathlib would spell as it is (gkxl.read.inputs.plain_text): a small
    merge then never imports pathlib."""
    from gkxl.cli.plain_args import walk
    from gkxl.read.inputs import plain_text

    options: dict = {"inputs": [], "output": None, "unit": "汇总", "year": None, "allow_errors": False,
                     "jobs": None, "roster": None, "db": None, "accepted": False, "allow_unknown": False,
                     "as_json": False}  # fmt: skip
    if walk(args, options, FLAGS, VALUED, _accept) is None:
        return None
    if not options["inputs"] or options["output"] is None or "" in options["inputs"]:
        return None
    texts = [plain_text(a) for a in options["inputs"]]
    if None in texts:
        from pathlib import Path

        texts = [Path(a) for a in options["inputs"]]
    options["inputs"] = texts
    for key in PATHS:
        if options[key] is None:
            continue
        text = plain_text(options[key]) if key == "output" else None
        if text is None:
            from pathlib import Path

            text = Path(options[key])
        options[key] = text
    return options


def run(
    inputs: list[Path],
    output: Path,
    unit: str = "汇总",
    year: int | None = None,
    allow_errors: bool = False,
    jobs: int | None = None,
    roster: Path | None = None,
    db: Path | None = None,
    accepted: bool = False,
    allow_unknown: bool = False,
    as_json: bool = False,
) -> int:
    """The whole command; its exit code (a usage problem stops it with SystemExit(2), as `fail` does)."""
    from gkxl.errors import GkxlError, has_controls, os_reason
    from gkxl.merge.combine import merge, name_key, resolve_inputs
    from gkxl.read.reader import MAX_COVER_TEXT

    if not unit.strip():
        fail("--unit 不能为空")
    if len(unit) > MAX_COVER_TEXT or has_controls(unit):
        fail(f"--unit 须为单位名称：最多 {MAX_COVER_TEXT} 个字符，不含控制字符")
    check_output_file(output, WORKBOOK_SUFFIXES, "汇总表")
    if not roster and (db or accepted or allow_unknown):
        fail("--db、--accepted 和 --allow-unknown 要与 --roster 名册一起用")
    selection, key = None, name_key
    if roster:
        selection, key = _by_roster(inputs, roster, db, accepted, allow_unknown, output, jobs, as_json)
        inputs = [*selection.paths, *(s.path for s in selection.unknown)]
    try:
        paths, skipped = resolve_inputs(unique_inputs(inputs), output)
        for path in skipped if not as_json else ():
            echo(f"已跳过输出文件本身：{path}", err=True)
        show = not as_json and sys.stderr.isatty() and sys.stdout.isatty()
        if show:
            import click

            with click.progressbar(length=len(paths), label="读取并校验", file=sys.stderr, show_pos=True) as bar:
                result = merge(paths, output, unit.strip(), year, allow_errors, jobs, bar.update, key)
        else:
            result = merge(paths, output, unit.strip(), year, allow_errors, jobs, None, key)
    except GkxlError as exc:
        fail(str(exc))
    except OSError as exc:
        fail(f"{output}：无法写出汇总表（{os_reason(exc)}）")
    result.skipped = skipped
    if selection and selection.left_out and not as_json:
        echo(selection.left_out_line(), fg="yellow")
    if as_json:
        echo_json(result.to_json() | ({"roster": selection.to_json()} if selection else {}))
    elif result.merged:
        echo_merged(result)
    else:
        echo_refusal(result, output)
    return EXIT_OK if result.ok else EXIT_FINDINGS


def _title(c) -> str:
    if c.error:
        return str(c.path)
    year = f"{c.year}年" if c.year else "年度未填"
    return f"{c.path}  {c.unit or '（单位未填）'} {year} 表式{c.form_id}"


def echo_refusal(result, output: Path) -> None:
    refused = [(c, p) for c, p in zip(result.inputs, result.problems, strict=True) if p]
    for c, problems in refused:
        echo(_title(c), bold=True)
        for problem in problems:
            if problem.startswith("  "):
                continue  # one of the errors listed below, each with its cell
            echo("  ✗ " + problem.strip().replace("\n", "\n      "), fg="red")
            if problem.startswith(f"有 {c.errors} 处必须修改的错误"):
                for f in (f for f in c.findings if f.severity == "error"):
                    echo(f"      ✗ {f.cell:>5} {f.message}  [{f.rule}]", fg="red")
    n = len(result.inputs)
    echo(f"\n未汇总：{n} 份报告中 {len(refused)} 份不能汇总（见上），没有写出 {output}", fg="red")


def echo_merged(result) -> None:
    from gkxl.check.validate import FileResult
    from gkxl.cli.results import echo_result
    from gkxl.form.model import load_form
    from gkxl.read.reader import Report

    inputs = result.inputs
    echo(f"已汇总 {len(inputs)} 份报告 → {result.output}", fg="green", bold=True)
    with_errors = [c for c in inputs if c.errors]
    for c in with_errors:
        echo(f"  ! {c.path}（{c.unit}）有 {c.errors} 处必须修改的错误，按 --allow-errors 仍已汇总", fg="yellow")
    for c in inputs:  # merged, but not 通过: named so that nobody takes the summary as complete
        if not c.errors and c.judged.status != "ok":
            echo(f"  ! {c.path}（{c.unit}）{c.judged.text}（用 gkxl validate 查看）", fg="yellow")
    summary = Report(load_form(result.form_id), {}, unit=result.unit, year=result.year)
    echo_result(FileResult(result.output, summary, result.findings))


def _by_roster(inputs, roster_path, db, accepted, allow_unknown, output, jobs, as_json):
    """The file of each roster unit (recorded in the roster's version store) and the roster's unit key;
    files outside the roster refused unless allowed."""
    from gkxl.cli.status import open_season, run_status
    from gkxl.season.selection import select_for_merge

    roster, store = open_season(roster_path, db)
    with store:
        status = run_status(inputs, roster, store, jobs, [output])
        selection = select_for_merge(status, store, accepted)
    if selection.unknown and not allow_unknown:
        _refuse_unknown(selection, as_json)
    if not selection.paths and not selection.unknown:
        if not as_json:
            echo(selection.left_out_line(), fg="yellow")
        fail("没有可汇总的报告" + ("（还没有接收任何单位，见 gkxl accept）" if accepted else ""))
    return selection, roster.key


def _refuse_unknown(selection, as_json: bool) -> None:
    if as_json:
        echo_json({"merged": False, "output": None, "roster": selection.to_json()})
        raise SystemExit(EXIT_FINDINGS)
    for s in selection.unknown:
        named = s.version.unit_name or "单位未填"
        why = f"无法读取：{s.version.error}" if s.version.error else f"“{named}”不在名册中"
        echo(f"  ✗ {s.path}：{why}", fg="red")
    n = len(selection.unknown)
    echo(f"\n未汇总：{n} 份文件不属于名册中的单位（请加入名册或别名，或用 --allow-unknown 也汇总）", fg="red")
    raise SystemExit(EXIT_FINDINGS)
