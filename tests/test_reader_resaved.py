"""After another program saved it: filled workbooks re-saved by LibreOffice headless read back the same.

A clerk's workbook comes back from Excel or WPS, not from openpyxl: shared strings instead of inline ones,
other styles, a recomputed 校验 sheet. LibreOffice is the real office suite available here; it re-saves
both forms (one soffice call), and `read_report` must give the same values, unit, year, 上年数据 and 说明.
A legacy .xls saved by LibreOffice gets the reader's legacy-xls message.
"""

from __future__ import annotations

import random
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest

from gkxl.check.validate import validate
from gkxl.errors import ReadError
from gkxl.form.model import load_form
from gkxl.read.reader import read_report
from gkxl.workbook.annotate import annotate
from gkxl.workbook.sample import random_report, write_report

SOFFICE = shutil.which("soffice")
pytestmark = [
    pytest.mark.libreoffice,
    pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed"),
]
NOTE = "已与业务科室核实"


def _convert(files: list[Path], fmt: str, outdir: Path, profile: Path) -> None:
    """One soffice call for every file, with a private profile (other workers may run LibreOffice too)."""
    command = [SOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", fmt]
    subprocess.run([*command, "--outdir", str(outdir), *map(str, files)], check=True, capture_output=True, timeout=600)


def _report(form_id: str, seed: int):
    """A filled report with what is easy to lose: money with decimals, a blank, a negative 2019 本年增/减,
    full-width digits, a unit with spaces, and last year's figures in the 上年数据 sheet."""
    form = load_form(form_id)
    report = random_report(form, random.Random(seed), unit=f"城关镇 人民政府{seed}", year=form.years[0] + 1)
    cells = {c.kind: c for c in reversed(form.cells)}
    report.values[cells["money"].key] = Decimal("7730.28")
    report.values[form.cells[3].key] = None  # a blank stays not filled, never 0
    if "signed_count" in cells:
        report.values[cells["signed_count"].key] = -8
    full_width = form.cells[5]
    report.values[full_width.key] = None
    report.raw[full_width.key] = "１２"
    from gkxl.read.previous_block import previous_cells

    report.previous_year = report.year - 1
    report.previous_block = {c.key: i for i, c in enumerate(previous_cells(form))}
    return report


@pytest.fixture(scope="module")
def resaved(tmp_path_factory):
    """(original, re-saved) paths of filled and annotated workbooks of both forms, and the legacy .xls."""
    base = tmp_path_factory.mktemp("resave")
    originals = []
    for form_id in ("2021", "2019"):
        for seed in (1, 2):
            originals.append(write_report(_report(form_id, seed), base / "in" / f"{form_id}-{seed}.xlsx"))
        # An annotated copy with a 说明 typed in its 校验结果 sheet, as the clerk would.
        source = originals[-1]
        findings = validate(read_report(source))
        marked = annotate(source, findings, base / "in" / f"{form_id}-annotated.xlsx")
        _type_note(marked, next(f for f in findings if f.severity == "warning"))
        originals.append(marked)
    _convert(originals, "xlsx", base / "xlsx", base / "profile")
    _convert(originals[:1], "xls", base / "xls", base / "profile")
    pairs = [(p, base / "xlsx" / p.name) for p in originals]
    return pairs, base / "xls" / f"{originals[0].stem}.xls"


def _type_note(path: Path, finding) -> None:
    from openpyxl import load_workbook

    wb = load_workbook(path)
    ws = wb["校验结果"]
    header = [c.value for c in ws[1]]
    for row in ws.iter_rows(min_row=2):
        if (row[header.index("规则")].value, row[header.index("单元格")].value) == (finding.rule, finding.cell):
            row[header.index("说明")].value = NOTE
    wb.save(path)


def test_resaved_workbooks_read_the_same(resaved):
    pairs, _ = resaved
    assert len(pairs) == 6
    for original, copy in pairs:
        assert copy.is_file(), f"LibreOffice did not write {copy}"
        assert copy.read_bytes() != original.read_bytes()
        before, after = read_report(original), read_report(copy)
        assert (after.form.id, after.unit, after.year) == (before.form.id, before.unit, before.year), copy.name
        assert after.values == before.values, copy.name
        for key, value in after.values.items():
            assert type(value) is type(before.values[key]), (copy.name, key, value)  # int stays int, money Decimal
        assert after.previous_year == before.previous_year and after.previous_block == before.previous_block
        assert after.explanations == before.explanations, copy.name
        assert {k: p.rule for k, p in after.problems.items()} == {k: p.rule for k, p in before.problems.items()}
        f_before, f_after = validate(before), validate(after)
        assert [(f.rule, f.cell, f.explained) for f in f_after] == [(f.rule, f.cell, f.explained) for f in f_before]


def test_resaved_values_are_the_written_ones(resaved):
    """Not merely the same as before: the very values written (so a reader bug on both sides cannot hide)."""
    pairs, _ = resaved
    _, copy = pairs[0]
    report = read_report(copy)
    form = report.form
    money = next(c for c in reversed(form.cells) if c.kind == "money")
    assert report.values[money.key] == Decimal("7730.28")
    assert report.values[form.cells[3].key] is None
    assert report.values[form.cells[5].key] == 12 and report.problems[form.cells[5].key].rule == "V-NORMALISED"
    assert report.unit == "城关镇 人民政府1" and report.year == form.years[0] + 1
    annotated = read_report(next(c for o, c in pairs if o.stem == "2021-annotated"))
    assert list(annotated.explanations.values()) == [NOTE]
    assert any(f.explained for f in validate(annotated))


def test_libreoffice_xls_gets_the_legacy_message(resaved):
    _, xls = resaved
    assert xls.is_file() and xls.read_bytes()[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    with pytest.raises(ReadError) as caught:
        read_report(xls)
    assert "旧版 Excel .xls" in caught.value.message and caught.value.path == str(xls)
