"""The xlwings adapter behind the workbook buttons (校验, 清除标记, 自动合计, 从台账生成) and its configuration.

Uses workbook/, check/, ledger/, read/ and form/. buttons.py is the only module in gkxl that imports xlwings.
The buttons' VBA calls `gkxl.excel.validate()` etc.; these wrappers keep that name stable and lazy.
"""

from __future__ import annotations


def validate(book=None):
    from gkxl.excel.buttons import validate as run

    return run(book)


def clear(book=None):
    from gkxl.excel.buttons import clear as run

    return run(book)


def fill_totals(book=None):
    from gkxl.excel.buttons import fill_totals as run

    return run(book)


def tally(book=None):
    from gkxl.excel.buttons import tally as run

    return run(book)
