"""The XML writer (gkxl.workbook.patch) against the openpyxl path it replaces: the same workbook as openpyxl
reads it back (values, types, number formats, styles, merged cells, print setup, footers, defined names, data
validations, conditional formats, widths, heights, panes, filters), for reports (import) and summaries (merge,
.xlsx and .xlsm), and LibreOffice recalculates its 校验 sheet to validate's verdict."""

from __future__ import annotations

import random
import shutil
import subprocess
import zipfile
import zlib
from decimal import Decimal
from pathlib import Path

import pytest
from workbook_compare import differences

from gkxl.check.validate import check_file
from gkxl.form.model import load_form
from gkxl.merge.combine import merge, sum_values
from gkxl.merge.summary import _write_patched, write_summary_openpyxl
from gkxl.read.reader import Report, read_report
from gkxl.workbook.patch import RowPatch, cell_xml, clean_text, patch_cells, template_path
from gkxl.workbook.sample import random_report, write_report, write_report_openpyxl

FORMS = ("2021", "2019")


def _report(form_id: str, seed: int, unit: str = "城关镇人民政府", **kw) -> Report:
    form = load_form(form_id)
    return random_report(form, random.Random(seed), unit=unit, year=kw.pop("year", form.years[0]), scale=5, **kw)


def _odd(report: Report) -> Report:
    """Typed text in count cells, an amount with places, an unset code, and last year's block."""
    form = report.form
    counts = [c for c in form.cells if c.kind == "count"]
    for cell, raw in zip(counts[:3], ("3件", "—", "十二"), strict=True):
        report.values[cell.key] = None
        report.raw[cell.key] = raw
    money = next(c for c in form.cells if c.kind == "money")
    report.values[money.key] = Decimal("12.3456")
    report.unit_code = None
    return report


@pytest.mark.parametrize("form_id", FORMS)
def test_a_report_is_written_as_openpyxl_wrote_it(tmp_path, form_id):
    for seed, unit in ((1, "城关镇人民政府"), (2, "A&B <县> \"x\" 'y'"), (3, "换\x01行\x1f的单位")):
        report = _odd(_report(form_id, seed, unit))
        new, old = tmp_path / f"new-{seed}.xlsx", tmp_path / f"old-{seed}.xlsx"
        write_report(report, new)
        report.unit = clean_text(unit)  # openpyxl refuses what XML cannot carry; the XML writer drops it
        write_report_openpyxl(report, old)
        assert differences(old, new) == [], (form_id, unit)
        assert check_file(new).findings == [f.__class__(**{**f.__dict__, "path": str(new)})
                                            for f in check_file(old).findings]  # fmt: skip


def test_last_years_block_is_written_as_openpyxl_wrote_it(tmp_path):
    report = _report("2021", 4)
    last = read_report(write_report(_report("2021", 5, year=2022), tmp_path / "last.xlsx"))
    report.previous_year = last.year
    from gkxl.read.previous_block import previous_cells

    report.previous_block = {
        p.key: last.values.get(p.key.removeprefix("prev_"), 7) for p in previous_cells(report.form)
    }
    write_report(report, tmp_path / "new.xlsx")
    write_report_openpyxl(report, tmp_path / "old.xlsx")
    assert differences(tmp_path / "old.xlsx", tmp_path / "new.xlsx") == []
    assert read_report(tmp_path / "new.xlsx").previous_year == 2022


def _inputs(tmp_path: Path, form_id: str) -> list[Path]:
    folder = tmp_path / "in"
    folder.mkdir(exist_ok=True)
    units = ["城关镇人民政府", "河口乡人民政府", "东街&街道办事处", "石桥镇人民政府"]
    paths = [write_report(_report(form_id, i, u), folder / f"t{i}.xlsx") for i, u in enumerate(units)]
    broken = _odd(_report(form_id, 9, "刘楼乡人民政府"))
    paths.append(write_report(broken, folder / "broken.xlsx"))
    return paths


def _both(tmp_path: Path, result, suffix: str, name: str) -> tuple[Path, Path]:
    """The summary of `result`'s inputs written by both writers."""
    form = load_form(result.form_id)
    inputs = result.inputs
    summary = Report(form, sum_values(form, [c.values for c in inputs]), unit=result.unit, year=result.year)
    new, old = tmp_path / f"{name}-new{suffix}", tmp_path / f"{name}-old{suffix}"
    _write_patched(new, template_path(form.id, suffix == ".xlsm"), summary, inputs, result.allow_errors)
    write_summary_openpyxl(old, summary, inputs, result.allow_errors, suffix == ".xlsm")
    return new, old


@pytest.mark.parametrize(("form_id", "suffix"), [("2021", ".xlsx"), ("2019", ".xlsx"), ("2021", ".xlsm")])
def test_a_summary_is_written_as_openpyxl_wrote_it(tmp_path, form_id, suffix):
    paths = _inputs(tmp_path, form_id)
    first = merge(paths[:3], tmp_path / f"county{suffix}", unit="某县", workers=1)
    assert first.merged
    new, old = _both(tmp_path, first, suffix, "plain")
    assert differences(old, new) == []
    # --allow-errors (typed text counted as 0, named in 汇总明细), and a summary merged again (来源 via).
    second = merge([first.output, *paths[3:]], tmp_path / f"city{suffix}", unit="某市", allow_errors=True, workers=1)
    assert second.merged
    new, old = _both(tmp_path, second, suffix, "nested")
    assert differences(old, new) == []


def test_a_summary_xlsm_keeps_the_vba_project_and_the_buttons(tmp_path):
    from test_xlsm import olevba_modules

    paths = _inputs(tmp_path, "2021")[:3]
    out = merge(paths, tmp_path / "汇总.xlsm", unit="某县", workers=1).output
    template = template_path("2021", macros=True)
    assert olevba_modules(out) == olevba_modules(template)
    with zipfile.ZipFile(out) as zf, zipfile.ZipFile(template) as zt:
        assert zf.read("xl/vbaProject.bin") == zt.read("xl/vbaProject.bin")
        assert {n for n in zt.namelist() if "vml" in n} <= set(zf.namelist())
        assert "macroEnabled" in zf.read("[Content_Types].xml").decode()
    assert check_file(out).error is None


def test_text_is_never_a_formula_and_illegal_characters_are_dropped():
    assert cell_xml("A1", '=HYPERLINK("x")', "3") == (
        '<c r="A1" s="3" t="inlineStr"><is><t xml:space="preserve">=HYPERLINK(&quot;x&quot;)</t></is></c>'.replace(
            "&quot;", '"'
        )
    )
    assert "\x07" not in cell_xml("A1", "a\x07b") and "ab" in cell_xml("A1", "a\x07b")
    assert cell_xml("B2", Decimal("1E+2")) == '<c r="B2"><v>100</v></c>'
    with pytest.raises(ValueError):
        cell_xml("B2", float("nan"))


def test_patching_keeps_styles_and_inserts_missing_cells_and_rows():
    xml = ('<worksheet><dimension ref="A1:B2"/><sheetData><row r="2"><c r="B2" s="5" t="n"></c></row>'
           '</sheetData></worksheet>')  # fmt: skip
    out = patch_cells(xml, {2: RowPatch({1: "x", 2: 7}), 4: RowPatch({3: 1}), 1: RowPatch({1: 2})})
    assert out == (
        '<worksheet><dimension ref="A1:C4"/><sheetData><row r="1"><c r="A1"><v>2</v></c></row>'
        '<row r="2"><c r="A2" t="inlineStr"><is><t xml:space="preserve">x</t></is></c><c r="B2" s="5"><v>7</v></c>'
        '</row><row r="4"><c r="C4"><v>1</v></c></row></sheetData></worksheet>'
    )


SOFFICE = shutil.which("soffice")


@pytest.mark.libreoffice
@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_recalculates_the_checks_sheet_to_validates_verdict(tmp_path):
    from test_agreement import _Html, _sheet_rows

    from gkxl.workbook.checks_sheet import ERRORS, SHEET

    paths = _inputs(tmp_path, "2021")
    broken = _report("2021", 11, "西关街道办事处")
    key = next(c.key for c in broken.form.cells if c.key == "apply_granted_total")
    broken.values[key] += 1
    written = [paths[0], paths[-1], write_report(broken, tmp_path / "in" / "bump.xlsx")]
    written.append(merge(paths[:4], tmp_path / "汇总.xlsx", unit="某县", workers=1).output)
    command = [
        SOFFICE,
        f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
        "--headless",
        "--convert-to",
        "html",
    ]
    subprocess.run([*command, "--outdir", str(tmp_path / "html"), *map(str, written)], check=True,
                   capture_output=True, timeout=600)  # fmt: skip
    form = load_form("2021")
    verdicts = set()
    for path in written:
        html = _Html()
        html.feed((tmp_path / "html" / f"{path.stem}.html").read_text(encoding="utf-8"))
        result = check_file(path)
        engine = {f"{f.sheet}!{f.cell}" for f in result.findings if f.severity == "error" and f.rule != "V-EMPTY"}
        listed = {where for _, where, status in _sheet_rows(form, html) if status in ERRORS}
        assert engine == listed, (path.name, engine ^ listed)
        assert html.texts[f"{SHEET}!C3"] == result.verdict, path.name
        verdicts.add(result.status)
    assert {"ok", "errors"} <= verdicts


def test_an_inputs_values_are_held_compactly_and_survive_a_worker(tmp_path):
    import pickle

    from gkxl.merge.inputs import CellValues, check_input

    path = write_report(_odd(_report("2021", 3)), tmp_path / "a.xlsx")
    checked = check_input(path)
    assert isinstance(checked.values, CellValues)
    assert dict(checked.values) == read_report(path).values
    back = pickle.loads(pickle.dumps(checked))
    assert dict(back.values) == dict(checked.values) and back.values.get("nope", 5) == 5
    sparse = CellValues.of("2021", {"apply_new_total": 3})
    assert dict(pickle.loads(pickle.dumps(sparse))) == {"apply_new_total": 3} and "apply_new_natural" not in sparse
    assert CellValues.of("2021", {"not_a_cell": 1}) == {"not_a_cell": 1}  # kept as given


def test_a_unit_that_looks_like_a_formula_stays_text_in_every_sheet(tmp_path):
    from openpyxl import load_workbook

    folder = tmp_path / "in"
    folder.mkdir()
    paths = [write_report(_report("2021", i, u), folder / f"{i}.xlsx") for i, u in enumerate(("=1+2", "@SUM(A1)"))]
    out = merge(paths, tmp_path / "汇总.xlsx", unit="=HYPERLINK(\"http://x\")", workers=1).output
    wb = load_workbook(out)
    assert [c.value for c in wb["汇总明细"][1][4:6]] == ["=1+2", "@SUM(A1)"]
    assert {c.data_type for c in wb["汇总明细"][1]} == {"s"}
    assert wb["封面"]["B3"].value == '=HYPERLINK("http://x")' and wb["封面"]["B3"].data_type == "s"
    assert read_report(out).unit == '=HYPERLINK("http://x")'


@pytest.mark.parametrize(("form_id", "suffix"), [("2021", ".xlsx"), ("2019", ".xlsx"), ("2021", ".xlsm")])
def test_next_years_template_is_written_as_openpyxl_wrote_it(tmp_path, form_id, suffix):
    from gkxl.workbook.standard import save_next_year_openpyxl, write_next_year

    form = load_form(form_id)
    last = write_report(_report(form_id, 6, "A&B 县", year=form.years[0]), tmp_path / "last.xlsx")
    write_next_year(last, tmp_path / f"new{suffix}", form_id=form_id, xlsm=suffix == ".xlsm")
    save_next_year_openpyxl(tmp_path / f"old{suffix}", form, read_report(last), suffix == ".xlsm")
    assert differences(tmp_path / f"old{suffix}", tmp_path / f"new{suffix}") == []
    assert read_report(tmp_path / f"new{suffix}").previous_year == form.years[0]


def test_an_imported_formula_is_text_and_a_date_keeps_openpyxls_cell(tmp_path):
    import datetime as dt

    report = _report("2021", 8)
    report.values["apply_granted_natural"], report.raw["apply_granted_natural"] = None, "=SUM(D8:I8)"
    found = [f.rule for f in check_file(write_report(report, tmp_path / "a.xlsx")).findings if f.cell == "D8"]
    assert found == ["V-NUMBER"]  # text as typed in the published report, not a formula to run
    report.raw["apply_granted_natural"] = dt.date(2024, 3, 1)
    write_report(report, tmp_path / "b.xlsx")
    write_report_openpyxl(report, tmp_path / "c.xlsx")
    assert differences(tmp_path / "c.xlsx", tmp_path / "b.xlsx") == []


# --- the wheel's templates: each sheet split before its footer (setup.py, zipparts.split_template) ---


def test_crc_before_undoes_the_crc_of_a_tail():
    from gkxl.workbook.zipparts import crc_before

    rng = random.Random(7)
    for _ in range(200):
        head, tail = rng.randbytes(rng.randrange(0, 300)), rng.randbytes(rng.randrange(0, 300))
        assert crc_before(zlib.crc32(head + tail), tail) == zlib.crc32(head)
    assert crc_before(zlib.crc32(b"abc"), b"c") != zlib.crc32(b"ab ")  # a wrong tail gives another CRC


def _split_templates(folder: Path) -> Path:
    from gkxl.workbook.patch import template_name
    from gkxl.workbook.zipparts import split_template

    folder.mkdir()
    for form_id in FORMS:
        for macros in (False, True):
            name = template_name(form_id, macros)
            split_template(template_path(form_id, macros), str(folder / name))
    return folder


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        assert zf.testzip() is None  # every CRC and size right
        return {n: zf.read(n) for n in zf.namelist() if n != "docProps/core.xml"}  # core.xml: the time written


def test_split_templates_have_the_same_parts_and_split_every_sheet(tmp_path):
    from gkxl.workbook.zipparts import FOOTER, read_entries

    split = _split_templates(tmp_path / "split")
    for form_id in FORMS:
        for macros in (False, True):
            source = template_path(form_id, macros)
            target = split / Path(source).name
            assert _parts(target) == _parts(Path(source))
            sheets = [e for e in read_entries(str(target)) if e.name.startswith("xl/worksheets/sheet")]
            footed = [e for e in sheets if FOOTER in e.read()]  # all but the .xlsm's hidden xlwings.conf
            assert len(footed) >= 8 and all(e.split() and e.split()[1].startswith(FOOTER) for e in footed)
            assert not any(e.split() for e in read_entries(source))  # openpyxl's own zip: no split found


@pytest.mark.parametrize("suffix", [".xlsx", ".xlsm"])
def test_a_split_template_gives_the_same_workbooks(tmp_path, monkeypatch, suffix):
    """Merge and import write, from the wheel's split templates, the parts they write from the checkout's:
    the sheets whose footer alone changes are copied as stored up to it (ZipWriter.replace_tail)."""
    import gkxl.workbook.patch as patch
    from gkxl.workbook.zipparts import ZipWriter

    paths = _inputs(tmp_path, "2021")[:3]
    plain = merge(paths, tmp_path / f"plain{suffix}", unit="某县", workers=1).output
    write_report(_report("2021", 3, "A&B <县>"), tmp_path / "plain-report.xlsx")
    monkeypatch.setattr(patch, "SHIPPED_TEMPLATES", str(_split_templates(tmp_path / "split")))
    assert template_path("2021").startswith(str(tmp_path))
    tails = []
    monkeypatch.setattr(ZipWriter, "replace_tail", lambda self, entry, *a, f=ZipWriter.replace_tail:
                        (tails.append(entry.name), f(self, entry, *a))[1])  # fmt: skip
    split = merge(paths, tmp_path / f"split{suffix}", unit="某县", workers=1).output
    assert "xl/worksheets/sheet8.xml" in tails  # the 校验 sheet: only its footer is new
    assert _parts(split) == _parts(plain)
    assert check_file(split).findings == [f.replace(path=str(split)) for f in check_file(plain).findings]
    write_report(_report("2021", 3, "A&B <县>"), tmp_path / "split-report.xlsx")
    assert _parts(tmp_path / "split-report.xlsx") == _parts(tmp_path / "plain-report.xlsx")
