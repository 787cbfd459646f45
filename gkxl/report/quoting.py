"""How a text finding says where it is: the part, the page or line when known, and the sentence quoted."""

from __future__ import annotations

from gkxl.check.findings import Finding
from gkxl.report.text import Part

MAX_QUOTE = 60


def quote(text: str) -> str:
    return f"“{text if len(text) <= MAX_QUOTE else text[: MAX_QUOTE - 1] + '…'}”"


def sentence_at(part: Part, offset: int) -> str:
    """'一、总体情况（第 2 页）“……”': the part, the page or line when known, and the sentence around `offset`."""
    start, end = part.sentence(offset)
    where = part.where(offset)
    return f"{part.name}{f'（{where}）' if where else ''}{quote(part.text[start:end])}"


def on_sentence(part: Part, offset: int, rule: str, severity: str, message: str, path: str, **kw) -> Finding:
    """A finding on a sentence of a part: its message names the part and quotes the sentence."""
    text = f"{sentence_at(part, offset)}：{message}"
    return Finding(rule, severity, part.name, part.where(offset), "", text, path=path, **kw)


def on_report(rule: str, severity: str, message: str, path: str, sheet: str = "报告", where: str = "") -> Finding:
    return Finding(rule, severity, sheet, where, "", message, path=path)
