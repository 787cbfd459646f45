"""Shared fixtures: real workbooks written by the real libraries into a temporary folder."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from gkxl.form.model import load_form
from gkxl.read.reader import Report
from gkxl.workbook.sample import random_report, write_report

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(params=["2021", "2019"])
def form(request):
    return load_form(request.param)


@pytest.fixture
def make_workbook(tmp_path):
    """make_workbook(form_id, seed=0, name=None, edit=None, **report_fields) -> path of a filled workbook."""

    def make(form_id: str = "2021", seed: int = 0, name: str | None = None, edit=None, **fields) -> Path:
        report = random_report(load_form(form_id), random.Random(seed), **fields)
        if edit:
            edit(report)
        return write_report(report, tmp_path / (name or f"{form_id}-{seed}.xlsx"))

    return make


def blank_report(form_id: str = "2021") -> Report:
    return Report(form=load_form(form_id), values={})
