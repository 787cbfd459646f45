"""One workbook to its CSV files: the long CSV and, with --wide, one CSV per table."""

from __future__ import annotations

from pathlib import Path

from gkxl.check.findings import count, count_explained, explanations
from gkxl.check.validate import check_file
from gkxl.csv.export import long_csv, wide_grid
from gkxl.csv.files import write_rows, write_text
from gkxl.csv.manifest import Entry
from gkxl.csv.names import outputs
from gkxl.errors import GkxlError, OutputError, os_reason
from gkxl.form.model import FORM_IDS, load_form


class Converted:
    """What a worker sends back for one input: the filled-in entry and the log note, or why it failed."""

    __slots__ = ("crash", "entry", "error", "note")

    def __init__(self, entry: Entry, note: str = "", error: str | None = None, crash: str | None = None):
        self.entry = entry
        self.note = note
        self.error = error  # the input's fault: the workbook cannot be read
        self.crash = crash  # not the input's fault (a full disk, a bug): "<exception type>：<message>"


Job = tuple[str, str, int, int]  # (input path, output name, size, mtime_ns as the job found them)


def convert_job(job: Job, outdir: Path, bom: bool, wide: bool) -> Converted:
    """`convert` for a worker process: never raises for a bad input or a failed write, so a batch goes on."""
    path, name, size, mtime_ns = job
    entry = Entry(name, size, mtime_ns, "")
    try:
        return Converted(entry, convert(Path(path), entry, outdir, bom, wide))
    except OutputError as exc:  # the output folder, not the workbook: try again next run
        return Converted(entry, crash=exc.message)
    except GkxlError as exc:
        return Converted(entry, error=exc.message)
    except OSError as exc:  # a full disk, say
        return Converted(entry, crash=os_reason(exc))
    except Exception as exc:  # a bug must not stop the other files
        return Converted(entry, crash=f"{type(exc).__name__}：{exc}")


def worker_died(job: Job, exc: Exception) -> Converted:
    """The outcome of an input whose worker process failed (killed, out of memory): not the input's fault."""
    return Converted(
        Entry(job[1], job[2], job[3], ""), crash=f"处理进程意外退出（{type(exc).__name__}），下次运行时重新转换"
    )


def possible_outputs(name: str) -> list[str]:
    """Every file `convert` may write for `name`, whatever the form: to clean up after a failure."""
    sheets = {t.sheet: None for form_id in FORM_IDS for t in load_form(form_id).tables}
    return outputs(name, list(sheets))


def is_gkxl_output(path: Path) -> bool:
    """Whether a CSV in an output folder is one gkxl wrote: a long CSV starts with gkxl's header line, a wide
    one is named `<stem>.<table sheet>.csv`. Anything else there (a user's own file) is never deleted."""
    from gkxl.csv.export import COLUMNS
    from gkxl.csv.files import BOM, NEWLINE, csv_line

    stem, _, sheet = path.name.removesuffix(".csv").rpartition(".")
    if stem and sheet in {t.sheet for form_id in FORM_IDS for t in load_form(form_id).tables}:
        return True
    header = (csv_line(COLUMNS) + NEWLINE).encode()
    try:
        with path.open("rb") as fh:
            head = fh.read(len(BOM) + len(header))
    except OSError:
        return False
    return head.removeprefix(BOM) == header


def convert(path: Path, entry: Entry, outdir: Path, bom: bool, wide: bool) -> str:
    """Write the outputs of `path` named after `entry.name` and fill in `entry`; return a note for the log.

    Raises GkxlError when the workbook cannot be read. A workbook with errors is converted: its rows carry
    the findings in the status columns, and the entry is marked 'errors'.
    """
    result = check_file(path, digest=True)
    if result.error:
        raise result.error
    report = result.report
    entry.sha256 = report.sha256  # of the bytes converted, even if the file was replaced since it was planned
    text = long_csv(result, str(path), entry.sha256)
    tables = report.form.tables if wide else ()
    names = outputs(entry.name, [t.sheet for t in tables])
    write_text(outdir / names[0], text, bom)
    for table, name in zip(tables, names[1:], strict=True):
        write_rows(outdir / name, wide_grid(table, report.values), bom)
    errors = [f for f in result.findings if f.severity == "error"]
    entry.outputs, entry.rows = names, len(report.form.cells)
    entry.unit, entry.year, entry.form = report.unit, report.year, report.form.id
    entry.status, entry.reason = "ok", ""
    if errors:
        first = errors[0]
        entry.status = "errors"
        entry.reason = f"{len(errors)} 处必须修改，如 {first.sheet}!{first.cell} [{first.rule}]"
    warnings = count(result.findings, "warning")
    entry.warnings, entry.explained = warnings, count_explained(result.findings)
    entry.explanations = explanations(result.findings)
    entry.verdict, entry.verdict_text = result.status, result.verdict
    settled = f"；{entry.explained} 处已说明" if entry.explained else ""
    return (f"；已标记：{entry.reason}" if errors else "") + (f"；{warnings} 处请核实" if warnings else "") + settled
