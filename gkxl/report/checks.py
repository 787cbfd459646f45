"""The text checks of a report, as an assessor reads it: structure, figures, leftovers, 五 and 六, repeats, length.

R-FIGURE, R-PART5, R-PART6 and R-LENGTH are here; the others have a module each. Every finding quotes the
sentence it is about and says where it was printed (page or line) when the reader knows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from gkxl.check.findings import Finding
from gkxl.read.values import number_text
from gkxl.report.figures import contradictions, describe
from gkxl.report.leftovers import leftovers
from gkxl.report.phrases import report_data
from gkxl.report.quoting import on_report, quote, sentence_at
from gkxl.report.repeat import PROSE_PARTS, repeats
from gkxl.report.structure import structure
from gkxl.report.text import ReportText

if TYPE_CHECKING:
    from gkxl.importer.lines import Source
    from gkxl.read.reader import Report


@dataclass(frozen=True)
class Limits:
    max_chars: int | None = None  # R-LENGTH: characters of 一、总体情况
    max_repeat: float = 50.0  # R-REPEAT: percent of 一 and 五 identical to last year's


# --- R-FIGURE ---------------------------------------------------------------------------------------------


def figures(text: ReportText, tables: Report, path: str) -> list[Finding]:
    out = []
    for part_id in PROSE_PARTS:
        part = text.part(part_id)
        if part is None:
            continue
        for c in contradictions(tables.form, part.text, tables.values):
            cells = c.claim.figure.cells
            message = f"{sentence_at(part, c.claim.start)}：{describe(c)}"
            out.append(
                Finding(
                    "R-FIGURE",
                    "error",
                    cells[0].sheet,
                    "+".join(cell.cell for cell in cells),
                    cells[0].key if len(cells) == 1 else "+".join(cell.key for cell in cells),
                    message,
                    c.claim.stated,
                    c.expected,
                    row_path=cells[0].row_path if len(cells) == 1 else (),
                    col_path=cells[0].col_path if len(cells) == 1 else (),
                    path=path,
                )
            )
    return out


# --- R-PART5 / R-PART6 ------------------------------------------------------------------------------------


def _bare(text: str) -> str:
    return re.sub(r"[\W_]+", "", text)


def part5(text: ReportText, path: str) -> list[Finding]:
    part = text.part("problems")
    if part is None:
        return []
    empty = {_bare(t) for t in report_data()["empty_prose"]}
    if _bare(part.text) in empty or not _bare(part.text):
        shown = f"只写了{quote(part.text)}" if part.text else "没有内容"
        message = f"{part.name}{shown}：应写明本年度存在的主要问题和改进措施"
        return [on_report("R-PART5", "warning", message, path, part.name, part.heading.line.where)]
    return []


def part6(text: ReportText, tables: Report, path: str) -> list[Finding]:
    rule = report_data()["fees"]
    part = text.part(rule["part"])
    cells = [tables.form.cell(k) for k in rule["cells"] if k in {c.key for c in tables.form.cells}]
    charged = [c for c in cells if (tables.values.get(c.key) or 0) > 0]
    if part is None or not charged or any(w in part.text for w in rule["words"]):
        return []
    amounts = "、".join(f"{c.where} {number_text(tables.values[c.key])}" for c in charged)
    message = f"{part.name}没有提到收费，而{amounts}：收费情况应在此说明"
    return [on_report("R-PART6", "warning", message, path, part.name, part.heading.line.where)]


# --- R-LENGTH ---------------------------------------------------------------------------------------------


def length(text: ReportText, limits: Limits, path: str) -> list[Finding]:
    part = text.part("overview")
    if part is None or limits.max_chars is None or len(part.text) <= limits.max_chars:
        return []
    message = f"{part.name}共 {len(part.text)} 字，超过 {limits.max_chars} 字"
    return [Finding("R-LENGTH", "warning", part.name, "", "", message, len(part.text), limits.max_chars, path=path)]


def check_text(
    text: ReportText,
    path: str | Path,
    tables: Report | None = None,
    previous: ReportText | None = None,
    limits: Limits | None = None,
    year: int | None = None,
) -> list[Finding]:
    """Every text check of one report; R-FIGURE and R-PART6 need its tables, R-REPEAT last year's text."""
    limits = limits or Limits()
    path = str(path)
    year = year or (tables.year if tables else None)
    out = structure(text, path)
    if tables is not None:
        out += figures(text, tables, path)
    out += leftovers(text, year, path) + part5(text, path)
    if tables is not None:
        out += part6(text, tables, path)
    if previous is not None:
        out += repeats(text, previous, limits.max_repeat, tables.form if tables else None, path)
    return out + length(text, limits, path)


def check_source(
    source: Source,
    path: str | Path,
    tables: Report | None = None,
    previous: Source | None = None,
    limits: Limits | None = None,
    year: int | None = None,
) -> list[Finding]:
    """The text checks of a report the importer has already read (`gkxl import` runs them on what it imports).

    `tables`: the report's tables as imported (for R-FIGURE and R-PART6); `previous`: last year's report, read
    the same way (for R-REPEAT); `year`: the report year when `tables` has none (for R-LEFTOVER)."""
    from gkxl.report.text import read_text

    last = read_text(previous) if previous is not None else None
    return check_text(read_text(source), path, tables, last, limits, year)
