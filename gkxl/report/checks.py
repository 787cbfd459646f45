"""The text checks of a report, as an assessor reads it: structure, figures, leftovers, 五 and 六, repeats, length.

Each finding quotes the sentence it is about and says where it was printed (page, paragraph or line).
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from gkxl.check.findings import Finding
from gkxl.read.values import number_text
from gkxl.report.figures import claims, contradictions, describe
from gkxl.report.parts import NUMERALS, part_specs
from gkxl.report.phrases import report_data
from gkxl.report.text import Part, ReportText

if TYPE_CHECKING:
    from gkxl.form.model import Form
    from gkxl.importer.lines import Source
    from gkxl.read.reader import Report

PROSE_PARTS = ("overview", "problems", "other")
REPEAT_PARTS = ("overview", "problems")
MIN_SENTENCE = 8  # shorter sentences (sub-headings such as “（一）主动公开情况。”) repeat by nature
MAX_QUOTE, MAX_PASSAGES = 60, 3
_BOOK_TITLE = re.compile(r"《[^》]*》")
_SUBHEADING = re.compile(rf"[（(][{NUMERALS}]+[）)][^，,；;。]{{0,24}}[。.]?")  # “（一）主动公开情况。”


@dataclass(frozen=True)
class Limits:
    max_chars: int | None = None  # R-LENGTH: characters of 一、总体情况
    max_repeat: float = 50.0  # R-REPEAT: percent of 一 and 五 identical to last year's


def quote(text: str) -> str:
    return f"“{text if len(text) <= MAX_QUOTE else text[: MAX_QUOTE - 1] + '…'}”"


def sentence_at(part: Part, offset: int) -> str:
    """'一、总体情况（第 2 页）“……”': the part, the page or line when known, and the sentence around `offset`."""
    start, end = part.sentence(offset)
    where = part.where(offset)
    return f"{part.name}{f'（{where}）' if where else ''}{quote(part.text[start:end])}"


def _at(part: Part, offset: int, rule: str, severity: str, message: str, path: str, **kw) -> Finding:
    """A finding on a sentence of a part: its message names the part and quotes the sentence."""
    text = f"{sentence_at(part, offset)}：{message}"
    return Finding(rule, severity, part.name, part.where(offset), "", text, path=path, **kw)


def _report_level(rule: str, severity: str, message: str, path: str, sheet: str = "报告", where: str = "") -> Finding:
    return Finding(rule, severity, sheet, where, "", message, path=path)


# --- R-STRUCTURE ------------------------------------------------------------------------------------------


def structure(text: ReportText, path: str) -> list[Finding]:
    out = []
    found = {h.spec.id: h for h in text.headings}
    for spec in part_specs():
        heading = found.get(spec.id)
        if heading is None:
            hint = [ln for _, ln in text.numbered if ln.text.strip().startswith(spec.number)]
            seen = f"（{hint[0].where}为“{hint[0].text.strip()}”）" if hint else ""
            out.append(_report_level("R-STRUCTURE", "error", f"缺少“{spec.heading}”{seen}", path))
        elif heading.number != spec.number:
            printed = heading.line.text.strip()
            message = f"“{printed}”编号不对：应为“{spec.heading}”"
            out.append(_report_level("R-STRUCTURE", "error", message, path, spec.heading, heading.line.where))
    order = text.headings
    for before, after in itertools.pairwise(order):
        if part_specs().index(after.spec) < part_specs().index(before.spec):
            message = f"“{after.spec.heading}”应在“{before.spec.heading}”之前"
            out.append(_report_level("R-STRUCTURE", "error", message, path, after.spec.heading, after.line.where))
    for _, line in text.numbered:
        number = line.text.strip()[0]
        if number in NUMERALS[len(part_specs()) :]:
            message = f"报告应为六个部分，“{line.text.strip()}”不属于其中"
            out.append(_report_level("R-STRUCTURE", "warning", message, path, "报告", line.where))
    return out


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


# --- R-LEFTOVER -------------------------------------------------------------------------------------------


def _all_parts(text: ReportText) -> list[Part]:
    return [text.front, *text.parts.values()]


def leftovers(text: ReportText, year: int | None, path: str) -> list[Finding]:
    data = report_data()
    out, seen = [], set()
    for part in _all_parts(text):
        for item in data["leftovers"]:
            for m in re.finditer(item["pattern"], part.text):
                start, end = part.sentence(m.start())
                if (id(part), start) not in seen:
                    seen.add((id(part), start))
                    shown = "" if part.text[start:end] == m.group(0) else f"“{m.group(0)}”"
                    out.append(_at(part, m.start(), "R-LEFTOVER", "error", f"留有{item['what']}{shown}", path))
    if year:
        out += _years(text, year, path)
    return out


def _years(text: ReportText, year: int, path: str) -> list[Finding]:
    rule = report_data()["year"]
    out = []
    for part in _all_parts(text):
        later = part.spec is not None and part.spec.id in rule["later_allowed_in"]
        allowed = {year, year + 1} if later else {year}
        prose = _BOOK_TITLE.sub(lambda m: "#" * len(m.group(0)), part.text)  # a document's title may name any year
        for m in re.finditer(rule["pattern"], prose):
            if int(m.group(1)) not in allowed:
                message = f"年份“{m.group(1)}年”不是报告年度 {year} 年（是否沿用了往年的文字？）"
                out.append(_at(part, m.start(), "R-LEFTOVER", "warning", message, path))
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
        return [_report_level("R-PART5", "warning", message, path, part.name, part.heading.line.where)]
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
    return [_report_level("R-PART6", "warning", message, path, part.name, part.heading.line.where)]


# --- R-REPEAT ---------------------------------------------------------------------------------------------


def _masked(sentence: str) -> str:
    """A sentence compared across years: figures and years may change, the words may not."""
    return re.sub(r"\d+(\.\d+)?", "#", sentence)


def _sentences(text: ReportText, part_ids: tuple[str, ...], form: Form | None) -> list[tuple[Part, int, str]]:
    out = []
    for part_id in part_ids:
        part = text.part(part_id)
        if part is None:
            continue
        stated = [(c.start, c.end) for c in claims(form, part.text)] if form else []
        for start, end in part.sentences():
            sentence = part.text[start:end]
            if len(sentence) < MIN_SENTENCE or _SUBHEADING.fullmatch(sentence):
                continue  # sub-headings repeat by nature
            if any(start <= a < end for a, _ in stated):
                continue  # the generated figure sentences are the same words every year, by design
            out.append((part, start, sentence))
    return out


def repeats(text: ReportText, previous: ReportText, limits: Limits, form: Form | None, path: str) -> list[Finding]:
    last = {_masked(s) for _, _, s in _sentences(previous, PROSE_PARTS, form)}
    mine = _sentences(text, REPEAT_PARTS, form)
    total = sum(len(s) for _, _, s in mine)
    repeated = [(p, start, s) for p, start, s in mine if _masked(s) in last]
    share = 100 * sum(len(s) for _, _, s in repeated) / total if total else 0.0
    if not repeated or share < limits.max_repeat:
        return []
    passages = "；".join(f"{p.name}{quote(s)}" for p, _, s in repeated[:MAX_PASSAGES])
    more = f"等 {len(repeated)} 句" if len(repeated) > MAX_PASSAGES else ""
    message = (
        f"总体情况和存在的主要问题及改进情况中 {share:.0f}% 的文字与上年报告相同（超过 {limits.max_repeat:g}%）："
        f"{passages}{more}"
    )
    return [Finding("R-REPEAT", "warning", "报告", "", "", message, round(share, 1), limits.max_repeat, path=path)]


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
        out += repeats(text, previous, limits, tables.form if tables else None, path)
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
