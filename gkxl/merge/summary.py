"""Write a summary workbook: the standard template filled with the sums, plus 汇总明细 and 来源.

The workbook is saved to a temporary file, read back and validated there, and only then renamed over the
output: an existing output is replaced only by a summary that the reader accepts.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator

from gkxl.atomic import atomic_path
from gkxl.check.findings import Finding
from gkxl.errors import GkxlError
from gkxl.merge.inputs import Checked
from gkxl.merge.sheets import (
    DETAIL_HEADER_HEIGHT,
    DETAIL_HEADERS,
    DETAIL_SHEET,
    DETAIL_WRAP,
    SOURCE_HEADERS,
    SOURCE_WIDTHS,
    SOURCE_WRAP,
    SOURCES_FREEZE,
    SOURCES_SHEET,
    SUMMARY_MARK,
    Source,
    add_detail_sheet,
    add_sources_sheet,
    detail_freeze,
    detail_headers,
    detail_rows,
    detail_widths,
    mark_summary,
    note_on_cover,
    sources_rows,
)
from gkxl.read.reader import Report

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (merge's path: no pathlib either)
if TYPE_CHECKING:
    from pathlib import Path

ALLOW_ERRORS_FLAG = "--allow-errors"


def verdict(checked: Checked, allow_errors: bool) -> str:
    """The merge verdict of an included input, as recorded in 来源: with the input's own verdict when it is
    not 通过 (未填完 and 待说明 inputs are merged, and named)."""
    notes = []
    if checked.is_summary:
        notes.append(f"汇总表，含 {len(checked.sources)} 份报告")
    own = checked.judged
    if checked.errors:
        notes.append(f"{own.text}，按 {ALLOW_ERRORS_FLAG} 汇总" if allow_errors else own.text)
    elif own.status != "ok":
        notes.append(own.text)
    return "已汇总" + (f"（{'；'.join(notes)}）" if notes else "")


def sources(inputs: list[Checked], allow_errors: bool) -> list[Source]:
    """Every input, each followed by what it summarises (so a higher-level merge sees every unit inside)."""
    return list(iter_sources(inputs, allow_errors))


def iter_sources(inputs: list[Checked], allow_errors: bool) -> Iterator[Source]:
    """`sources`, one at a time: the patched workbook streams them into 来源 (2,500 of them are ~1.3 MB)."""
    for c in inputs:
        yield Source(os.path.basename(c.path), c.sha256, c.unit or "", c.year, c.form_id or "", c.errors,
                     c.warnings, verdict(c, allow_errors), "", c.explained, c.explanations)  # fmt: skip
        yield from (s.replace(via=s.via or c.unit or "") for s in c.sources)


def source_count(inputs: list[Checked]) -> int:
    """How many rows `sources` gives."""
    return sum(1 + len(c.sources) for c in inputs)


def cover_lines(inputs: list[Checked], allow_errors: bool) -> list[str]:
    lines = [f"本表为汇总表：由 {len(inputs)} 份报告汇总，各单位数据见“汇总明细”，来源文件见“来源”工作表。"]
    if allow_errors:
        flawed = sum(1 for c in inputs if c.errors)
        lines.append(
            f"汇总时使用了 {ALLOW_ERRORS_FLAG}：{flawed} 份报告有必须修改的错误，仍已汇总，汇总数据可能不准确。"
            if flawed
            else f"汇总时使用了 {ALLOW_ERRORS_FLAG}（各报告均无必须修改的错误）。"
        )
    return lines


def invalid(checked: Checked) -> dict[str, object]:
    """Cell key -> what was typed, for the input's cells whose content is not a valid number (summed as 0)."""
    return {
        f.key: f.reported
        for f in checked.findings
        if f.severity == "error" and f.rule.startswith("V-") and checked.values.get(f.key) is None
    }


def write_summary(out: str | Path, summary: Report, inputs: list[Checked], allow_errors: bool) -> list[Finding]:
    """Write the summary workbook atomically; return the findings of validating the written file."""
    from gkxl.workbook.patch import template_path

    macros = os.path.splitext(out)[1].lower() == ".xlsm"  # .xlsm: with the 校验 buttons
    template = template_path(summary.form.id, macros)
    with atomic_path(out) as tmp:
        if template is None:  # a form without a committed template: built with openpyxl
            write_summary_openpyxl(tmp, summary, inputs, allow_errors, macros)
        else:
            _write_patched(tmp, template, summary, inputs, allow_errors)
        try:
            findings = _read_back(tmp)
        except GkxlError as exc:  # a bug, not bad input: keep the old output
            raise GkxlError(f"汇总表写出后无法读回（{exc.message}），未写出", out) from None
    return [f.replace(path=str(out)) for f in findings]


def _read_back(path: str | Path) -> list[Finding]:
    """The findings of validating the written summary, as `check_file` gives them, with the file mapped
    (gkxl.read.package.map_package): the megabytes of 汇总明细 are neither held nor copied for calamine, so a
    merge's peak memory does not grow with them."""
    from gkxl.check.validate import validate
    from gkxl.read.package import map_package
    from gkxl.read.reader import read_package

    package = map_package(path)
    try:
        report = read_package(package)
        findings = validate(report, package=package)  # (their 说明 read, if any has a finding, before the close)
    finally:
        package.close()
    return findings


def _subject(summary: Report, inputs: list[Checked]) -> str:
    return f"汇总表：{summary.unit} {summary.year}年，{len(inputs)} 份报告"


def _rows(summary: Report, inputs: list[Checked], provenance: Iterable[Source]) -> dict:
    form = summary.form
    invalids = [invalid(c) or _NONE_INVALID for c in inputs]  # one shared {} for the many inputs without any
    return {
        DETAIL_SHEET: detail_rows(form, summary.values, [c.values for c in inputs], invalids),
        SOURCES_SHEET: sources_rows(provenance),
    }


_NONE_INVALID: dict[str, object] = {}  # never changed


def _write_patched(path: Path, template: Path, summary: Report, inputs: list[Checked], allow_errors: bool) -> None:
    """The summary as the committed template with its XML patched (gkxl.workbook.patch): no openpyxl."""
    from gkxl.workbook.patch import ListSheet, Summary, write_filled
    from gkxl.workbook.sample import report_cells
    from gkxl.workbook.styles import COVER_HINT

    form = summary.form
    count = source_count(inputs)
    rows = _rows(summary, inputs, iter_sources(inputs, allow_errors))  # streamed: no list of them all
    units = [c.unit or "" for c in inputs]
    printed = len(DETAIL_HEADERS) + len(units)  # the cell and key are for support: not printed
    detail = ListSheet(DETAIL_SHEET, detail_headers(units), detail_widths(len(units)), rows[DETAIL_SHEET],
                       len(form.cells), detail_freeze(), printed, DETAIL_HEADER_HEIGHT, DETAIL_WRAP)  # fmt: skip
    listed = ListSheet(SOURCES_SHEET, SOURCE_HEADERS, SOURCE_WIDTHS, rows[SOURCES_SHEET], count,
                       SOURCES_FREEZE, len(SOURCE_HEADERS), None, SOURCE_WRAP)  # fmt: skip
    extra = Summary(cover_lines(inputs, allow_errors), [detail, listed], {SUMMARY_MARK: str(count)},
                    _subject(summary, inputs), COVER_HINT)  # fmt: skip
    write_filled(path, template, form, report_cells(summary), summary.unit, extra)


def write_summary_openpyxl(
    path: Path, summary: Report, inputs: list[Checked], allow_errors: bool, macros: bool
) -> None:
    """The summary built with openpyxl from the form (not atomic): the fallback, and the reference the patched
    workbook is tested against."""
    from gkxl.workbook.sample import fill_workbook
    from gkxl.workbook.sheet_rows import append_rows
    from gkxl.workbook.standard import save_standard
    from gkxl.workbook.styles import footer_unit

    form = summary.form
    provenance = sources(inputs, allow_errors)

    def prepare(wb) -> None:
        fill_workbook(wb, summary)
        note_on_cover(wb, form, cover_lines(inputs, allow_errors))
        add_detail_sheet(wb, [c.unit or "" for c in inputs], len(form.cells), summary.unit)
        add_sources_sheet(wb, len(provenance), summary.unit)
        footer_unit(wb, summary.unit)
        mark_summary(wb, len(provenance))
        wb.properties.subject = _subject(summary, inputs)

    save_standard(path, form, prepare, macros=macros)
    append_rows(path, _rows(summary, inputs, provenance))  # the bulk of the cells, straight into the sheets' XML
