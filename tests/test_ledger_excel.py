"""The 从台账生成 button (gkxl.excel.buttons.tally) on xlwings' remote engine, as tests/test_excel.py runs the
other buttons: the table cells it writes are the ones `gkxl tally` writes, and a bad row writes nothing."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from test_ledger import YEAR, expected_tables, ledger_workbook, random_rows
from xlwings_remote import actions, open_book, payload, replay

from gkxl.form.model import load_form


@pytest.fixture
def excel(monkeypatch):
    monkeypatch.setenv("XLWINGS_LICENSE_KEY", "noncommercial")
    import gkxl.excel.buttons

    return gkxl.excel.buttons


@pytest.mark.parametrize("form_id", ["2021", "2019"])
def test_the_button_fills_the_tables_from_the_ledger(excel, tmp_path, form_id):
    form, year = load_form(form_id), YEAR[form_id]
    apply_rows, appeal_rows = random_rows(form, random.Random(7), 25, 5, year)
    data = payload(ledger_workbook(form, apply_rows, appeal_rows, tmp_path / "r.xlsx"))
    book = open_book(data)
    outcome = excel.tally(book)
    assert outcome.verdict.startswith("已按台账填写")
    report = excel.read(excel.Session(open_book(replay(data, actions(book)))))
    expected = expected_tables(form, apply_rows, appeal_rows, year)
    for table in ("apply", "appeal"):
        for cell in form.table(table).cells:
            assert report.values[cell.key] == expected.get(cell.key, 0), cell.key
    writes = [a for a in actions(book) if a["func"] == "setValues"]
    assert len(writes) == 2  # one block per table, not one call per cell
    # names, cover, 3 tables, 上年数据, 校验, 2 ledger sheets, 2 writes, alert
    assert outcome.calls == 1 + 1 + 3 + 1 + 1 + 2 + 2 + 1


def test_a_bad_row_writes_nothing_and_names_the_row(excel, tmp_path):
    form = load_form("2021")
    rows = [{"编号": "1", "收到日期": dt.date(2024, 1, 5), "申请人类型": "个人"}]
    book = open_book(payload(ledger_workbook(form, rows, [], tmp_path / "r.xlsx")))
    outcome = excel.tally(book)
    recorded = actions(book)
    assert [a["func"] for a in recorded] == ["alert"]
    assert "依申请台账 第 2 行 C 列（申请人类型）：“个人”不是可选的申请人类型" in outcome.verdict
    assert recorded[0]["args"][3] == "critical"
