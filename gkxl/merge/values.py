"""An input's values as the parent of a merge holds them: compact, exact, in the form's cell order.

Imports nothing of merge/ (sheets.py, combine.py and inputs.py all read values through it).
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator, Mapping, Sequence

from gkxl.read.values import Number

_ABSENT = object()
_KEYS: dict[str, dict[str, int]] = {}  # form id -> cell key -> position in the form


def _keys(form_id: str) -> dict[str, int]:
    if form_id not in _KEYS:
        from gkxl.form.model import load_form

        _KEYS[form_id] = {c.key: i for i, c in enumerate(load_form(form_id).cells)}
    return _KEYS[form_id]


# An input's counts are held as machine integers of the narrowest type that fits them (a township's are
# small: 2 bytes a cell). A type's three lowest values are markers: a blank cell, a cell the input does not
# have, and a value held apart (an amount, as its Decimal; anything else that is not a plain int).
_CODES = tuple((code, -(1 << (8 * array(code).itemsize - 1))) for code in "bhiq")  # (typecode, its lowest)
_FLOOR = {code: lowest + 2 for code, lowest in _CODES}  # shared: every input of a type holds the same int


class CellValues(Mapping):
    """An input's values in the form's cell order, as an array of machine integers (blank and missing cells
    as markers) and the few values held apart (amounts as Decimal): the parent holds up to 2,500 of them (a
    dict of 200 cells is ~9 kB, a tuple ~2.9 kB, this ~0.7 kB), so a merge's memory stays nearly flat as
    the inputs grow. Exact: every value comes back as it was given (int, Decimal, blank None)."""

    __slots__ = ("_apart", "_floor", "_form_id", "_keys", "_numbers")

    def __init__(self, form_id: str, numbers: array, apart: tuple = ()) -> None:
        # apart: (position, value, position, value, …) of the cells marked as held apart
        self._form_id, self._keys, self._numbers, self._apart = form_id, _keys(form_id), numbers, apart
        self._floor = _FLOOR[numbers.typecode]

    @classmethod
    def of(cls, form_id: str, values: dict[str, Number | None]) -> Mapping[str, Number | None]:
        """`values` compacted, or `values` itself when it holds a key the form does not have."""
        keys = _keys(form_id)
        if not values.keys() <= keys.keys():
            return values
        given = [values.get(k, _ABSENT) for k in keys]
        ints = [v for v in given if type(v) is int]
        low, high = min(ints, default=0), max(ints, default=0)
        if low <= _INT64_MIN or high > _INT64_MAX:  # an int no array holds (not from a workbook): kept apart
            ints = [v for v in ints if _INT64_MIN < v <= _INT64_MAX]
            low, high = min(ints, default=0), max(ints, default=0)
            given = [v if type(v) is not int or _INT64_MIN < v <= _INT64_MAX else _Apart(v) for v in given]
        code, lowest = next((c, lo) for c, lo in _CODES if lo + 2 < low and high <= -lo - 1)
        blank, absent, floor = lowest, lowest + 1, lowest + 2
        numbers = [v if type(v) is int else blank if v is None else absent if v is _ABSENT else floor for v in given]
        apart = ()
        if floor in numbers:  # an amount (Decimal), or a value of another type: kept as it is
            apart = tuple(x for i, n in enumerate(numbers) if n == floor for x in (i, _unwrap(given[i])))
        return cls(form_id, array(code, numbers), apart)

    def _value(self, i: int, number: int) -> object:
        """The value of the cell at position `i` whose number is a marker (_ABSENT for a missing cell)."""
        floor = self._floor
        if number == floor:
            return _held_apart(self._apart, i)
        return None if number == floor - 2 else _ABSENT

    def __getitem__(self, key: str) -> Number | None:
        i = self._keys[key]
        number = self._numbers[i]
        if number > self._floor:
            return number
        value = self._value(i, number)
        if value is _ABSENT:
            raise KeyError(key)
        return value

    def get(self, key: str, default=None):
        i = self._keys.get(key)
        if i is None:
            return default
        number = self._numbers[i]
        if number > self._floor:
            return number
        value = self._value(i, number)
        return default if value is _ABSENT else value

    def __iter__(self) -> Iterator[str]:
        absent = self._floor - 1
        return (k for k, n in zip(self._keys, self._numbers, strict=True) if n != absent)

    def __len__(self) -> int:
        return len(self._numbers) - self._numbers.count(self._floor - 1)

    def __reduce__(self):  # the worker sends the form id, the array (as bytes) and the values apart
        return (CellValues, (self._form_id, self._numbers, self._apart))


class _Apart:
    """An int beyond int64, on its way to the values held apart."""

    __slots__ = ("value",)

    def __init__(self, value: int) -> None:
        self.value = value


def _unwrap(value: object) -> object:
    return value.value if type(value) is _Apart else value


_INT64_MIN, _INT64_MAX = _CODES[-1][1] + 2, -_CODES[-1][1] - 1  # the ints an array holds (beyond: apart)


def _held_apart(apart: tuple, i: int) -> object:
    for j in range(0, len(apart), 2):  # an input has one or two values apart: a scan is the fastest lookup
        if apart[j] == i:
            return apart[j + 1]
    raise AssertionError(f"cell {i} is marked as held apart but is not")


def cell_rows(form_id: str, keys: Sequence[str], columns: Sequence[Mapping]) -> Iterator[list]:
    """For each of `keys` (form `form_id`'s cells, in order), the values of every column (None for a blank or
    missing cell): the rows of 汇总明细 and the sums, read straight from the inputs' arrays, without decoding
    any input whole (nor holding all the inputs' values as objects at once)."""
    known = _KEYS.get(form_id)
    ordered = known is not None and list(known) == list(keys)
    if not (ordered and all(type(c) is CellValues and c._keys is known for c in columns)):
        for key in keys:  # dicts given by a caller, or values of another form: looked up by key
            yield [c.get(key) for c in columns]
        return
    arrays = [(c._numbers, c._floor, c) for c in columns]
    for i in range(len(keys)):
        yield [n if (n := numbers[i]) > floor else c._value(i, n) if n != floor - 1 else None
               for numbers, floor, c in arrays]  # fmt: skip
