"""The six parts of the report and how their headings are recognised in any text.

Parts 二–四 take their headings from the form's table titles, 一, 五 and 六 from data/report.json, so a heading is
written and recognised from the same words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import cache

from gkxl.form.model import DEFAULT_FORM, Form, load_form
from gkxl.report.phrases import report_data

NUMERALS = "一二三四五六七八九十"
_NUMBERED = re.compile(rf"^([{NUMERALS}]+)[、.．，,]")
SIMILAR = 0.8  # a printed heading with a typo or a stray character still counts
MAX_EXTRA = 3  # characters a heading line may carry besides its title ('。', '：')


@dataclass(frozen=True)
class PartSpec:
    id: str
    number: str  # '一'
    title: str  # '总体情况'
    table: str | None = None  # the form table drawn in this part
    placeholder: str = ""
    opening: bool = False  # 一 opens with the generated sentences

    @property
    def heading(self) -> str:
        return f"{self.number}、{self.title}"


@cache
def part_specs(form: Form | None = None) -> tuple[PartSpec, ...]:
    form = form or load_form(DEFAULT_FORM)
    out = []
    for i, p in enumerate(report_data()["parts"]):
        heading = form.table(p["table"]).title if "table" in p else p["heading"]
        number, title = heading.split("、", 1)
        if number != NUMERALS[i]:
            raise ValueError(f"report.json: part {i + 1} is headed {heading!r}")
        out.append(PartSpec(p["id"], number, title, p.get("table"), p.get("placeholder", ""), p.get("opening", False)))
    return tuple(out)


def squash_line(text: str) -> str:
    return re.sub(r"\s+", "", text).lstrip("#").strip("*")


def _title_fits(rest: str, title: str) -> bool:
    if rest.startswith(title):
        return len(rest) <= len(title) + MAX_EXTRA
    return len(rest) <= len(title) + MAX_EXTRA and SequenceMatcher(None, rest[: len(title)], title).ratio() >= SIMILAR


def find_heading(text: str) -> tuple[str | None, PartSpec] | None:
    """(numeral as printed or None, part) when the line is one of the six headings, else None."""
    line = squash_line(text)
    m = _NUMBERED.match(line)
    number, rest = (m.group(1), line[m.end() :]) if m else (None, line)
    for spec in part_specs():
        if _title_fits(rest, spec.title):
            return number, spec
    return None


def numbered_line(text: str) -> str | None:
    """The numeral of a line that looks like a top-level heading ('七、附件'), else None."""
    m = _NUMBERED.match(squash_line(text))
    return m.group(1) if m else None
