"""The CSV shapes of a report, derived from the form definition.

Long form: one row per statutory cell, in definition order. Wide form: one grid per table with the printed
labels and the values at the positions the layout gives them, so it reads like the printed form.
"""

from __future__ import annotations

from functools import cache

from gkxl.check.findings import SEVERITY_ORDER, Finding
from gkxl.check.validate import FileResult
from gkxl.csv.files import NEWLINE, csv_line
from gkxl.form.layout import table_extent, table_labels
from gkxl.form.model import Form, Table, split_address
from gkxl.read.values import Number, number_text

COLUMNS = (
    "unit",
    "year",
    "form",
    "table",
    "sheet",
    "cell",
    "key",
    "row_label",
    "col_label",
    "kind",
    "value",
    "status",
    "rules",
    "file_status",
    "source_file",
    "source_sha256",
)
LABEL_SEPARATOR = " / "
# Excel and LibreOffice treat a field starting with these as a formula (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(text: str) -> str:
    """Text a spreadsheet would run as a formula gets a leading apostrophe. Never applied to numbers."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def worst(findings: list[Finding]) -> str:
    """'error', 'warning', 'explained' (a warning the clerk confirmed), 'info', or 'ok' when there is nothing."""
    return min((f.level for f in findings), key=SEVERITY_ORDER.__getitem__, default="ok")


@cache
def _cell_segments(form: Form) -> tuple[tuple[str, str], ...]:
    """(key, CSV text of the columns that come from the definition alone) per cell: the same in every file."""
    return tuple(
        (
            cell.key,
            csv_line(
                [
                    cell.table,
                    neutralise(cell.sheet),
                    cell.cell,
                    cell.key,
                    neutralise(LABEL_SEPARATOR.join(cell.row_path)),
                    neutralise(LABEL_SEPARATOR.join(cell.col_path)),
                    cell.kind,
                ]
            ),
        )
        for cell in form.cells
    )


def long_csv(result: FileResult, source_file: str, sha256: str) -> str:
    """The long CSV of a report: the COLUMNS header, then one line per input cell in definition order.

    Built from pre-encoded pieces rather than field by field: a report has ~200 cells and a folder hundreds
    of reports, and this is most of the cost of a conversion after reading.
    """
    report = result.report
    by_key: dict[str, list[Finding]] = {}
    for f in result.findings:
        by_key.setdefault(f.key, []).append(f)
    head = csv_line([neutralise(report.unit or ""), str(report.year or ""), report.form.id])
    tail = csv_line([worst(result.findings), neutralise(source_file), sha256])
    value_of, found_at = report.values.get, by_key.get
    fields = []  # the columns that differ from cell to cell, joined by the ones every line has
    for key, segment in _cell_segments(report.form):
        found = found_at(key)
        # Severities and rule ids are plain words: no quoting needed.
        status = f"{worst(found)},{' '.join(dict.fromkeys(f.rule for f in found))}" if found else "ok,"
        value = value_of(key)
        text = "" if value is None else str(value) if type(value) is int else number_text(value)
        fields.append(f"{segment},{text},{status}")
    if not fields:
        return csv_line(COLUMNS) + NEWLINE
    return f"{csv_line(COLUMNS)}{NEWLINE}{head},{f',{tail}{NEWLINE}{head},'.join(fields)},{tail}{NEWLINE}"


def wide_grid(table: Table, values: dict[str, Number | None]) -> list[list[str]]:
    """The printed table as a grid: labels at the top-left cell of their merge, values at their addresses."""
    last_row, last_col = table_extent(table)
    grid = [[""] * last_col for _ in range(last_row)]
    for label in table_labels(table):
        grid[label.top - 1][label.left - 1] = neutralise(label.text)
    for cell in table.cells:
        row, col = split_address(cell.cell)
        grid[row - 1][col - 1] = number_text(values.get(cell.key))
    return grid
