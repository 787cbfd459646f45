"""Normalising printed labels and reading value tokens as they appear in published reports."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache

from gkxl.read.values import squash

# Cell contents that mean "nothing reported" (read as not filled, never as 0).
PLACEHOLDERS = frozenset({"/", "-", "—", "——", "–", "―", "\\"})
_NUMBER = r"[+-]?(?:[0-9]{1,3}(?:[,，][0-9]{3})+|[0-9]+)(?:\.[0-9]+)?"
_UNIT = r"万元|元|件|个|项|条"
_VALUE = re.compile(rf"(?P<number>{_NUMBER})(?P<unit>{_UNIT})?")
_ENUM = re.compile(r"(?<![\d.])(\d{1,2})\s*[、.．,，]")
# A filling instruction in brackets after a label or header, as provinces print them:
# '上一年项目数量（指2019年事项数）', '本年增/减（增加用正数，减少用负值表示，如-8）'. Dropped from both sides.
_INSTRUCTION = re.compile(r"[（(][^（）()]{0,60}?(?:指|填|用|如|含|包括|注|按)[^（）()]{0,60}[）)]")
_QUOTES = str.maketrans("", "", "“”\"'‘’「」『』")
_TITLE = re.compile(r"([\u4e00-\u9fff（）()]{2,40}?)(\d{4})年度?政府信息公开工作年度报告")


@lru_cache(maxsize=1 << 14)
def norm_label(text: object) -> str:
    """A label reduced to what identifies it: '1、' and '1．' read as '1.', commas as '、', no quotes."""
    out = _ENUM.sub(r"\1.", _INSTRUCTION.sub("", squash(text)))
    return out.replace(",", "、").translate(_QUOTES)


def similarity(a: str, b: str) -> float:
    """How alike two normalised labels are, 0..1 (difflib ratio)."""
    if not a or not b:
        return 0.0
    return SequenceMatcher(None, a, b, autojunk=False).ratio()


@dataclass(frozen=True)
class Token:
    """One value cell as printed: its text, the number in it (as text) and any unit written after it."""

    raw: str
    number: str | None  # None: blank or a placeholder (not filled)
    unit: str | None = None
    normalised: bool = False  # written with full-width or other scripts' digits (read as 0-9, with a note)

    @property
    def blank(self) -> bool:
        return self.number is None


def _ascii_digits(text: str) -> str:
    """Arabic-Indic, Devanagari and other decimal digits as 0-9 (NFKC leaves them as they are)."""
    if text.isascii():
        return text
    return "".join(str(unicodedata.decimal(ch)) if ch.isdecimal() else ch for ch in text)


_VALUE_END = frozenset("万元件个项条") | {ch for p in PLACEHOLDERS for ch in p}


def read_token(raw: str) -> Token | None:
    """A value cell, or None when the text is not a value (a label)."""
    last = raw.rstrip()[-1:]
    if last and not last.isdecimal() and unicodedata.normalize("NFKC", last) not in _VALUE_END:
        return None  # the common case, a word of prose: no value ends that way
    text = squash(raw)
    if text == "" or text in PLACEHOLDERS:
        return Token(raw.strip(), None)
    digits = _ascii_digits(text)
    m = _VALUE.fullmatch(digits)
    if not m:
        return None
    unusual = any(ch.isdecimal() and not ch.isascii() for ch in raw)
    return Token(raw.strip(), m.group("number").replace(",", "").replace("，", ""), m.group("unit"), unusual)


def is_page_furniture(line: str) -> bool:
    """Page numbers and running footers that PDF text extraction leaves between rows ('- 4 -', '第 3 页')."""
    text = squash(line)
    return bool(re.fullmatch(r"[-—–]\d+[-—–]|第\d+页(共\d+页)?|\d+/\d+", text))


def title_meta(lines: list[str]) -> tuple[str | None, int | None]:
    """(unit, year) from a title such as '淮安市人民政府2024年政府信息公开工作年度报告' near the top."""
    head = squash("".join(lines[:12]))
    m = _TITLE.search(head)
    if not m:
        return None, None
    unit = re.sub(r"^.*?(关于|印发|公布)", "", m.group(1))
    return unit or None, int(m.group(2))
