"""A corpus of generated workbooks for the agreement test: random consistent reports with typical mistakes,
written fast by filling the template's sheet XML directly (openpyxl would take a second per workbook).

A value is an int, a Decimal, a str (typed text), an `ErrorValue` ('#REF!' as Excel stores it) or None.
"""

from __future__ import annotations

import random
import re
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape

from gkxl.check.crossyear import block_rules
from gkxl.form.model import Cell, load_form
from gkxl.form.rules import form_rules
from gkxl.read.package import sheet_part
from gkxl.workbook.checks_sheet import COL, SHEET, check_rows
from gkxl.workbook.sample import consistent_values
from gkxl.workbook.standard import write_template

TEXTS = ("3件", "1,5", "—", "12个", "两件", "1 2")
ERRORS = ("#REF!", "#N/A", "#DIV/0!", "#VALUE!")
NOTE = "已与业务科室核实，数字无误"
UNIT = "某市人民政府"  # a unit that may make 规章: bumps of the 规章 row raise no T2-REGS


class ErrorValue(str):
    """An error value stored as such (t="e"), as Excel saves a pasted #REF!."""


@dataclass
class Case:
    name: str
    form_id: str
    cells: dict[tuple[str, str], object] = field(default_factory=dict)  # (sheet, address) -> value


@cache
def _template(form_id: str, folder: Path) -> Path:
    return write_template(folder / f"template-{form_id}.xlsx", form_id)


def _xml_cell(address: str, attrs: str, value: object) -> str:
    style = re.search(r'\bs="\d+"', attrs)
    s = f" {style.group(0)}" if style else ""
    if value is None:
        return f'<c r="{address}"{s}/>'
    if isinstance(value, ErrorValue):
        return f'<c r="{address}"{s} t="e"><v>{escape(value)}</v></c>'
    if isinstance(value, str):
        return f'<c r="{address}"{s} t="inlineStr"><is><t xml:space="preserve">{escape(value)}</t></is></c>'
    return f'<c r="{address}"{s}><v>{value}</v></c>'


def _fill(xml: str, cells: dict[str, object]) -> str:
    def replace(m: re.Match) -> str:
        address = m.group(1)
        return _xml_cell(address, m.group(2), cells.pop(address)) if address in cells else m.group(0)

    xml = re.sub(r'<c r="([A-Z]+\d+)"([^>]*?)(?:/>|>.*?</c>)', replace, xml, flags=re.S)
    assert not cells, f"cells missing from the template's XML: {sorted(cells)}"
    return xml


def write_case(case: Case, folder: Path) -> Path:
    """The template of the case's form with its cells filled, as `folder/<name>.xlsx`."""
    template = _template(case.form_id, folder.parent)
    by_sheet: dict[str, dict[str, object]] = {}
    for (sheet, address), value in case.cells.items():
        by_sheet.setdefault(sheet, {})[address] = value
    out = folder / f"{case.name}.xlsx"
    with zipfile.ZipFile(template) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        parts = {sheet_part(zin, sheet): cells for sheet, cells in by_sheet.items()}
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename in parts:
                data = _fill(data.decode("utf-8"), dict(parts[info.filename])).encode("utf-8")
            zout.writestr(info, data)
    return out


def _where(cell: Cell) -> tuple[str, str]:
    return (cell.sheet, cell.cell)


def _mistake(case: Case, form, values: dict, rng: random.Random) -> None:
    rules = form_rules(form)
    rule = rng.choice(rules)
    cell = rng.choice((rule.target, *rule.parts))
    kinds = ("bump", "bump", "bump", "blank", "text", "negative", "fraction", "error", "soft", "soft", "money")
    kind = rng.choice(kinds)
    if kind == "money":  # money cells are in no rule: too many places, or negative
        cell = next(c for c in form.cells if c.kind == "money")
        case.cells[_where(cell)] = rng.choice((Decimal("1.23456"), Decimal("-3.5"), "12万元"))
        return
    where = _where(cell)
    current = values[cell.key]
    if kind == "bump":
        step = 1 if cell.kind == "count" and current < 1 else rng.choice((1, -1))
        values[cell.key] = current + step
        case.cells[where] = values[cell.key]
    elif kind == "blank":
        values[cell.key] = 0  # counts as 0 in sums, as in the engine
        case.cells[where] = None
    elif kind == "text":
        case.cells[where] = rng.choice(TEXTS)
    elif kind == "negative":
        case.cells[where] = -rng.randrange(1, 5) if cell.kind == "count" else case.cells[where]
    elif kind == "fraction":
        case.cells[where] = Decimal("1.23456") if cell.kind == "money" else Decimal(current) + Decimal("0.5")
    elif kind == "error":
        case.cells[where] = ErrorValue(rng.choice(ERRORS))
    else:
        _soft(case, form, values, rng)


def _soft(case: Case, form, values: dict, rng: random.Random) -> None:
    """Break a soft rule (≤ or ≥) by one; sometimes the clerk confirms it with a 说明 on the 校验 sheet."""
    rule = rng.choice([r for r in form_rules(form) if r.op != "=" and r.severity != "error"])
    values[rule.target.key] = rule.expected(values) + (1 if rule.op == "<=" else -1)
    case.cells[_where(rule.target)] = values[rule.target.key]
    if rng.random() < 0.5:
        row = next(c.row for c in check_rows(form) if c.rule == rule)
        case.cells[(SHEET, f"{COL['说明']}{row}")] = NOTE


def _last_year(case: Case, form, values: dict, rng: random.Random) -> None:
    """The 上年数据 block as last year's report would have it, some figures off by one (and some explained)."""
    case.cells[(form.previous_sheet["sheet"], "B3")] = form.years[0] - 1
    block = {}
    for rule, last in block_rules(form):
        others = rule.expected({**values, last.key: 0})
        block[last] = max(values[rule.target.key] - others, 0)
    for last in rng.sample(sorted(block, key=lambda c: c.key), 3):
        block[last] = None if rng.random() < 0.3 else (block[last] or 0) + 1
    for last, value in block.items():
        case.cells[_where(last)] = value
    for check in check_rows(form):
        if check.needs and rng.random() < 0.15:
            case.cells[(SHEET, f"{COL['说明']}{check.row}")] = NOTE


def generate(form_id: str, seed: int) -> Case:
    """One workbook: clean, broken in 1-4 places, last year's figures, or (seed % 50 == 1) left blank."""
    form, rng = load_form(form_id), random.Random(seed)
    case = Case(f"{form_id}-{seed:03d}", form_id)
    case.cells[("封面", "B3")], case.cells[("封面", "B4")] = UNIT, form.years[0]
    if seed % 50 == 1:
        return case  # a blank report: V-EMPTY
    values = consistent_values(form, rng, scale=rng.choice((3, 12, 40)))
    case.cells.update({_where(c): values[c.key] for c in form.cells})
    if seed % 10 == 5:  # left blank where nothing happened: 未填完
        zeros = [c for c in form.cells if values[c.key] == 0]
        for cell in rng.sample(zeros, min(len(zeros), rng.randrange(1, 4))):
            case.cells[_where(cell)] = None
    elif seed % 10 in (2, 7):  # plausible only with a 说明: 待说明, or 通过 once explained
        for _ in range(rng.randrange(1, 3)):
            _soft(case, form, values, rng)
    elif seed % 10:
        for _ in range(rng.randrange(1, 5)):
            _mistake(case, form, values, rng)
    if seed % 4 == 3:
        _last_year(case, form, values, rng)
    return case
