"""Shared fixtures: real workbooks written by the real libraries into a temporary folder."""

from __future__ import annotations

import os
import random
import shutil
from pathlib import Path

import pytest

from gkxl.form.model import load_form
from gkxl.read.reader import Report
from gkxl.workbook.sample import random_report, write_report, write_report_openpyxl

FIXTURES = Path(__file__).parent / "fixtures"


def _libreoffice_missing() -> str | None:
    """Why the LibreOffice tests cannot run here (None: they can): soffice with both Calc and Writer."""
    soffice = shutil.which("soffice")
    if soffice is None:
        return "LibreOffice (soffice) is not installed"
    program = Path(os.path.realpath(soffice)).parent
    parts = {"Calc": "libsclo.so", "Writer": "libswlo.so"}
    if program.name == "program" and os.name == "posix":  # a Linux or macOS install keeps its parts beside it
        missing = [name for name, lib in parts.items() if not any(program.glob(lib.replace(".so", ".*")))]
        if missing:
            return f"LibreOffice {' and '.join(missing)} not installed"
    return None


def _chromium_missing() -> str | None:
    found = any(shutil.which(name) for name in ("chromium", "chromium-browser", "google-chrome"))
    return None if found else "Chromium is not installed"


def pytest_collection_modifyitems(config, items):
    """Tests marked `libreoffice` or `chromium` skip cleanly, with the reason, where that program is missing."""
    reasons = {"libreoffice": _libreoffice_missing(), "chromium": _chromium_missing()}
    for item in items:
        for marker, reason in reasons.items():
            if reason and item.get_closest_marker(marker):
                item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(params=["2021", "2019"])
def form(request):
    return load_form(request.param)


@pytest.fixture
def make_workbook(tmp_path):
    """make_workbook(form_id, seed=0, name=None, edit=None, **report_fields) -> path of a filled workbook."""

    def make(form_id: str = "2021", seed: int = 0, name: str | None = None, edit=None, excel: bool = False,
             **fields) -> Path:  # fmt: skip
        """`excel`: written through openpyxl, whose cells take what a clerk types in Excel ('=SUM(…)' is a
        formula there; gkxl's own writer keeps text as text)."""
        report = random_report(load_form(form_id), random.Random(seed), **fields)
        if edit:
            edit(report)
        path = tmp_path / (name or f"{form_id}-{seed}.xlsx")
        if excel:
            write_report_openpyxl(report, path)
            return path
        return write_report(report, path)

    return make


def blank_report(form_id: str = "2021") -> Report:
    return Report(form=load_form(form_id), values={})
