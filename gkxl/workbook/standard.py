"""Saving a standard workbook (.xlsx, or .xlsm with the buttons): the empty template and next year's.

Above template.py and xlsm.py, which it chooses between.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from gkxl.atomic import atomic_path
from gkxl.errors import GkxlError
from gkxl.form.model import Form, form_for_year, load_form
from gkxl.workbook.previous_sheet import fill_previous
from gkxl.workbook.styles import footer_unit
from gkxl.workbook.template import build_workbook

if TYPE_CHECKING:
    from openpyxl import Workbook

    from gkxl.read.reader import Report


def save_standard(
    path: Path, form: Form, prepare: Callable[[Workbook], None] | None = None, macros: bool = False
) -> None:
    """Save a standard workbook of `form` at `path`, after `prepare` (filling it in, adding sheets) ran on it;
    `macros` makes the macro-enabled workbook (.xlsm) with the 校验 buttons. Callers write atomically."""
    if macros:
        from gkxl.workbook.xlsm import build_xlsm  # pyOpenVBA only when asked

        path.write_bytes(build_xlsm(form, prepare))
        return
    wb = build_workbook(form)
    if prepare:
        prepare(wb)
    wb.save(path)

def write_template(path: str | Path, form_id: str = "2021", macros: bool = False) -> Path:
    """The empty standard template (.xlsx, or .xlsm with `macros`), written atomically."""
    path = Path(path)
    with atomic_path(path) as tmp:
        save_standard(tmp, load_form(form_id), macros=macros)
    return path


def write_next_year(
    last_path: str | Path, output: str | Path, form_id: str | None = None, xlsm: bool = False
) -> Report:
    """A fresh template for the year after `last_path`'s report: unit, year and 上年数据 filled in.

    Returns last year's report. The form is the one in force for the new year unless `form_id` says otherwise;
    `xlsm` makes the macro-enabled template.
    """
    from gkxl.read.reader import read_report

    last = read_report(last_path)
    if last.year is None:
        raise GkxlError("上年报告未填写年度，无法确定本年度", last_path)
    form = load_form(form_id) if form_id else form_for_year(last.year + 1)

    from gkxl.workbook.patch import template_path, write_filled

    template = template_path(form.id, xlsm)
    with atomic_path(output) as tmp:
        if template is None:
            save_next_year_openpyxl(tmp, form, last, xlsm)
        else:
            write_filled(tmp, template, form, next_year_cells(form, last), last.unit)
    return last


def next_year_cells(form: Form, last: Report) -> dict[str, dict[str, object]]:
    """Sheet -> address -> value of next year's template: unit, year and 上年数据 (as `fill_previous`)."""
    from gkxl.read.previous_block import BLOCK_YEAR_CELL, previous_cells

    unit, year = form.meta_cell("unit"), form.meta_cell("year")
    out: dict[str, dict[str, object]] = {}
    out.setdefault(unit.sheet, {})[unit.cell] = last.unit
    out.setdefault(year.sheet, {})[year.cell] = last.year + 1
    if form.previous_sheet:
        sheet = out.setdefault(form.previous_sheet["sheet"], {})
        sheet[BLOCK_YEAR_CELL] = last.year
        for prev in previous_cells(form):
            sheet[prev.cell] = last.values.get(prev.source.key)
    return out


def save_next_year_openpyxl(path: Path, form: Form, last: Report, xlsm: bool = False) -> None:
    """Next year's template built with openpyxl (not atomic): the fallback, and the tests' reference."""

    def prepare(wb: Workbook) -> None:
        unit, year = form.meta_cell("unit"), form.meta_cell("year")
        wb[unit.sheet][unit.cell] = last.unit
        wb[year.sheet][year.cell] = last.year + 1
        fill_previous(wb, form, last)
        footer_unit(wb, last.unit)

    save_standard(path, form, prepare, macros=xlsm)
