"""R-REPEAT: the share of 一 and 五 that is identical to last year's report, figures and years aside.

Assessors dock points when more than half repeats last year's text. The generated figure sentences are left
out (the same words every year, by design), and so are sub-headings and very short sentences.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from gkxl.check.findings import Finding
from gkxl.report.figures import claims
from gkxl.report.parts import NUMERALS
from gkxl.report.quoting import quote
from gkxl.report.text import Part, ReportText

if TYPE_CHECKING:
    from gkxl.form.model import Form

PROSE_PARTS = ("overview", "problems", "other")
REPEAT_PARTS = ("overview", "problems")
MIN_SENTENCE = 8
MAX_PASSAGES = 3
_SUBHEADING = re.compile(rf"[（(][{NUMERALS}]+[）)][^，,；;。]{{0,24}}[。.]?")  # “（一）主动公开情况。”


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


def repeats(text: ReportText, previous: ReportText, max_repeat: float, form: Form | None, path: str) -> list[Finding]:
    last = {_masked(s) for _, _, s in _sentences(previous, PROSE_PARTS, form)}
    mine = _sentences(text, REPEAT_PARTS, form)
    total = sum(len(s) for _, _, s in mine)
    repeated = [(p, start, s) for p, start, s in mine if _masked(s) in last]
    share = 100 * sum(len(s) for _, _, s in repeated) / total if total else 0.0
    if not repeated or share < max_repeat:
        return []
    passages = "；".join(f"{p.name}{quote(s)}" for p, _, s in repeated[:MAX_PASSAGES])
    more = f"等 {len(repeated)} 句" if len(repeated) > MAX_PASSAGES else ""
    message = (
        f"总体情况和存在的主要问题及改进情况中 {share:.0f}% 的文字与上年报告相同（提示线为 {max_repeat:g}%）："
        f"{passages}{more}"
    )
    return [Finding("R-REPEAT", "warning", "报告", "", "", message, round(share, 1), max_repeat, path=path)]
