"""Turn what a clerk typed into a count or an amount, or say exactly why not.

A blank is "not filled" (None), never a silent zero. Numeric text is accepted; full-width digits and
surrounding spaces are normalised with a note. Everything else is a problem at that cell.
"""

from __future__ import annotations

import unicodedata
from collections import namedtuple
from decimal import Decimal

from gkxl.form.layout import squash  # noqa: F401  (re-exported: it lived here)
from gkxl.form.model import Number

MONEY_PLACES = 4
MAX_MAGNITUDE = Decimal(10) ** 15  # far beyond any report; keeps exact arithmetic within Decimal's 28 digits


class Problem(namedtuple("Problem", "rule severity message")):  # not typing.NamedTuple: no typing import
    """Why a cell's content is not a valid value (or a note on how it was read)."""

    __slots__ = ()


# Excel's error values, as a formula leaves them or as pasted/typed (xlwings gives them as text).
ERROR_VALUES = frozenset(("#REF!", "#DIV/0!", "#N/A", "#VALUE!", "#NAME?", "#NUM!", "#NULL!", "#GETTING_DATA",
                         "#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!", "#UNKNOWN!"))  # fmt: skip
MAX_DIGITS = 20  # on either side of the point: more is a typing slip, not a figure


def error_value_problem(text: str) -> Problem:
    """V-ERROR: an error value is an error at its cell, never a blank or a 0."""
    return Problem("V-ERROR", "error", f"单元格为错误值 {text}（公式出错或粘贴了错误值），请改为应填写的内容")


class Parsed(namedtuple("Parsed", "value problem", defaults=(None,))):
    """A cell's value (Number or None) and its problem (Problem or None)."""

    __slots__ = ()


def _decimal(raw: float | int) -> Decimal:
    # str() of a float is its shortest round-trip form: 7730.28 stays 7730.28, never 7730.2800000000002.
    return Decimal(str(raw)) if isinstance(raw, float) else Decimal(raw)


def plain_decimal(number: Decimal) -> Decimal:
    """7730.280 -> 7730.28, 10.0 -> 10: no trailing zeros, never an exponent."""
    return Decimal(int(number)) if number == number.to_integral_value() else number.normalize()


def number_text(value: Number | None) -> str:
    """Counts as integers, money as exact decimal text (7730.28: no trailing zeros, never an exponent),
    a blank as empty."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(plain_decimal(value), "f")
    return str(int(value))


def cell_number(value: Number) -> int | float:
    """A value as a workbook stores it: an IEEE double, which keeps an amount of at most 4 places exactly."""
    return float(value) if isinstance(value, Decimal) else value


def _normalise_text(raw: str) -> tuple[str, bool]:
    text = unicodedata.normalize("NFKC", raw).strip()
    return text, text != raw


def _describe(raw: object) -> str:
    import datetime as dt  # only for a cell that is not a number

    if isinstance(raw, (dt.date, dt.time, dt.timedelta)):
        return "日期或时间"
    if isinstance(raw, bool):
        return "逻辑值"
    return f"“{raw}”"


def parse(raw: object, kind: str) -> Parsed:
    """Read one cell of the given kind ('count', 'signed_count', 'money')."""
    if raw is None or (isinstance(raw, str) and raw.strip() == ""):
        return Parsed(None)
    note = None
    if isinstance(raw, bool) or not isinstance(raw, (int, float, str)):
        return Parsed(None, Problem("V-NUMBER", "error", f"{_describe(raw)} 不是数字，请填写数字"))
    if isinstance(raw, str):
        text, changed = _normalise_text(raw)
        if text.startswith("#") and text.upper() in ERROR_VALUES:
            return Parsed(None, error_value_problem(text))
        if not _is_number(text):
            reason = "数字位数过多，请核对" if _is_digits(text) else "不是数字，请只填写阿拉伯数字"
            return Parsed(None, Problem("V-NUMBER", "error", f"{_describe(raw)} {reason}"))
        number = Decimal(text)
        if changed:
            note = Problem("V-NORMALISED", "info", f"“{raw}”已按数字 {text} 读取（全角字符或空格）")
    else:
        if (isinstance(raw, float) and raw != raw) or raw in (float("inf"), float("-inf")):
            return Parsed(None, Problem("V-NUMBER", "error", "不是有效数字"))
        number = _decimal(raw)
    return _check_domain(number, kind, note)


def _unsigned(text: str) -> str:
    return text[1:] if text[:1] in ("+", "-") else text


def _is_number(text: str) -> bool:
    r"""Whether `text` is a plain decimal number: an optional sign, digits, an optional point with digits
    after it (12, -3, 4.50, .5, 7.), at most MAX_DIGITS on either side: the regular expression
    [+-]?(\d{1,20}(\.\d{0,20})?|\.\d{1,20}), by str methods (`re` costs one-file validate more than reading)."""
    whole, point, fraction = _unsigned(text).partition(".")
    if len(whole) > MAX_DIGITS or len(fraction) > MAX_DIGITS:
        return False
    if not point:
        return whole.isdecimal()
    return (whole.isdecimal() or not whole) and (fraction.isdecimal() or (not fraction and whole != ""))


def _is_digits(text: str) -> bool:
    r"""Whether `text` is only digits and points after an optional sign ([+-]?[\d.]+): a number, too long."""
    body = _unsigned(text)
    return body != "" and all(c == "." or c.isdecimal() for c in body)


def _check_domain(number: Decimal, kind: str, note: Problem | None) -> Parsed:
    if abs(number) >= MAX_MAGNITUDE or (number and abs(number) < Decimal("1e-15")):
        return Parsed(None, Problem("V-NUMBER", "error", f"数字 {number:.6g} 超出合理范围，请核对"))
    if kind == "money":
        if number < 0:
            return Parsed(None, Problem("V-MONEY", "error", f"金额 {number} 为负数，金额不能小于 0"))
        if -number.as_tuple().exponent > MONEY_PLACES and number != number.quantize(Decimal("0.0001")):
            return Parsed(None, Problem("V-MONEY", "error", f"金额 {number} 超过 4 位小数（单位：万元）"))
        return Parsed(plain_decimal(number), note)
    if number != number.to_integral_value():
        return Parsed(None, Problem("V-COUNT", "error", f"{number} 不是整数，件数必须是整数"))
    if kind == "count" and number < 0:
        return Parsed(None, Problem("V-COUNT", "error", f"{int(number)} 为负数，件数不能小于 0"))
    return Parsed(int(number), note)
