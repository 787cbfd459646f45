"""How a merge holds its inputs' values (gkxl.merge.values): compact, and exact for every kind of value,
also after the trip from a worker process; the sums and 汇总明细 rows read from it are those of plain dicts."""

from __future__ import annotations

import pickle
from decimal import Decimal

import pytest

from gkxl.form.model import load_form
from gkxl.merge.combine import sum_values
from gkxl.merge.inputs import CellValues
from gkxl.merge.sheets import detail_rows
from gkxl.merge.values import cell_rows
from gkxl.parallel import map_ordered

FORM = load_form("2019")  # it has signed counts too
KEYS = [c.key for c in FORM.cells]
MONEY = next(c.key for c in FORM.cells if c.kind == "money")
SIGNED = next(c.key for c in FORM.cells if c.kind == "signed_count")


def _every_kind(width: int) -> dict:
    """Values of every kind a merge may hold, ints up to `width` bits, the rest of the cells filled."""
    values: dict = {k: i for i, k in enumerate(KEYS)}
    edge = (1 << (width - 1)) - 1
    values |= {KEYS[0]: None, KEYS[1]: 0, KEYS[2]: edge, KEYS[3]: -edge + 3, SIGNED: -7}  # just above the markers
    values |= {MONEY: Decimal("7730.28"), KEYS[4]: Decimal("10.50"), KEYS[5]: Decimal(0)}  # as given, not normalised
    values |= {KEYS[6]: -(1 << (width - 1)), KEYS[7]: -(1 << (width - 1)) + 1, KEYS[8]: -(1 << (width - 1)) + 2}
    values |= {KEYS[9]: 10**30, KEYS[10]: True, KEYS[11]: 2.5}  # the markers' own values, beyond int64, not ints
    del values[KEYS[12]]  # a cell the input does not have
    return values


def _same(a, b) -> bool:
    """Equal as a merge needs: the same keys, each value of the same type and representation."""
    return list(a) == list(b) and all(type(a[k]) is type(b[k]) and repr(a[k]) == repr(b[k]) for k in a)


def _compact(values: dict) -> CellValues:  # module level: run in a worker process
    return CellValues.of(FORM.id, values)


@pytest.mark.parametrize("width", [8, 16, 32, 64])
def test_every_kind_of_value_survives_compaction_and_the_worker(width):
    values = _every_kind(width)
    held = CellValues.of(FORM.id, values)
    assert isinstance(held, CellValues) and _same(held, values) and len(held) == len(values)
    assert _same(pickle.loads(pickle.dumps(held)), values)
    from_workers = list(map_ordered(_compact, [values, _every_kind(8)], 2))  # pickled there and back
    assert _same(from_workers[0], values) and _same(from_workers[1], _every_kind(8))
    assert held.get(KEYS[12], "missing") == "missing" and KEYS[12] not in held and held.get(KEYS[0], 5) is None
    with pytest.raises(KeyError):
        held[KEYS[12]]
    assert held[KEYS[0]] is None and held.get("no such cell", 1) == 1


def test_small_counts_take_two_bytes_a_cell():
    township = {k: i % 900 for i, k in enumerate(KEYS)} | {MONEY: Decimal("82.08"), KEYS[0]: None}
    held = CellValues.of(FORM.id, township)
    assert held._numbers.itemsize == 2 and _same(held, township)
    assert len(pickle.dumps(held)) < 700  # what a worker sends back


def test_sums_and_detail_rows_are_those_of_plain_dicts():
    inputs = [_every_kind(w) for w in (8, 16, 32, 64)]
    inputs = [{k: v for k, v in d.items() if type(v) in (int, Decimal) or v is None} for d in inputs]  # summable
    for d in inputs:
        d[MONEY] = d[MONEY] + len(d)
    held = [CellValues.of(FORM.id, d) for d in inputs]
    assert list(cell_rows(FORM.id, KEYS, held)) == list(cell_rows(FORM.id, KEYS, inputs))
    totals = sum_values(FORM, held)
    assert _same(totals, sum_values(FORM, inputs)) and totals[KEYS[0]] is None
    assert type(totals[MONEY]) is Decimal and totals[MONEY] == sum(d[MONEY] for d in inputs)
    invalid = [{KEYS[0]: "十二"}, {}, {}, {KEYS[12]: ""}]
    assert list(detail_rows(FORM, totals, held, invalid)) == list(detail_rows(FORM, totals, inputs, invalid))
    rows = {r[-1]: r[4:-2] for r in detail_rows(FORM, totals, held, invalid)}  # each unit's value of a cell
    assert rows[KEYS[0]] == ("按 0 计（填报“十二”无效）", None, None, None)
    assert rows[KEYS[12]] == (None, None, None, "按 0 计（内容无效）")
    assert rows[KEYS[2]] == (127, 32767, 2**31 - 1, 2**63 - 1)


def test_findings_share_their_repeated_texts_and_stay_equal(tmp_path):
    import shutil
    from pathlib import Path

    from gkxl.merge.inputs import check_input, check_inputs

    source = Path(__file__).resolve().parent.parent / "examples" / "with-errors" / "2024-shiqiao.xlsx"
    paths = [shutil.copy(source, tmp_path / f"{i}.xlsx") for i in range(3)]
    alone = [check_input(p) for p in paths]
    together = check_inputs(paths, workers=2)
    assert together == alone and [[f.to_json() for f in c.findings] for c in together] == [
        [f.to_json() for f in c.findings] for c in alone
    ]
    first, second = together[0].findings, together[1].findings
    assert first and all(a.row_path is b.row_path and a.rule is b.rule for a, b in zip(first, second, strict=True))
    assert all(type(f.reported) is type(g.reported) for f, g in zip(first, alone[0].findings, strict=True))
