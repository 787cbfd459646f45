"""R-LEFTOVER: template text and placeholders left in (patterns in data/report.json), and years in the text
that are not the report year (the next year may appear in 五 and 六, the plans; any year inside 《》, a title)."""

from __future__ import annotations

import re

from gkxl.check.findings import Finding
from gkxl.report.phrases import report_data
from gkxl.report.quoting import on_sentence
from gkxl.report.text import Part, ReportText

_BOOK_TITLE = re.compile(r"《[^》]*》")


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
                    out.append(on_sentence(part, m.start(), "R-LEFTOVER", "error", f"留有{item['what']}{shown}", path))
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
                out.append(on_sentence(part, m.start(), "R-LEFTOVER", "warning", message, path))
    return out
