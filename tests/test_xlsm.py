"""The macro-enabled template, checked with tools independent of the ones that built it: oletools decodes
the VBA project, LibreOffice opens the workbook and resolves the buttons' macros, openpyxl reads the
sheets."""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from gkxl.cli import cli
from gkxl.form.model import load_form
from gkxl.read.package import sheet_part
from gkxl.workbook.template import build_workbook
from gkxl.workbook.xlsm import (
    BUTTONS,
    CONF_SHEET,
    MACROS_DIR,
    TEMPLATE_SETTINGS,
    build_xlsm,
    macro_sources,
    sheet_buttons,
    xlwings_module,
)

WORKBOOK_DIR = Path(__file__).resolve().parent.parent / "workbook"
FORMS = ("2021", "2019")


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, Path]:
    """A fresh build of each form's .xlsm, through the CLI."""
    folder = tmp_path_factory.mktemp("xlsm")
    out = {}
    for form_id in FORMS:
        path = folder / f"gkxl-{form_id}.xlsm"
        result = CliRunner().invoke(cli, ["template", "--xlsm", "--form", form_id, "-o", str(path)])
        assert result.exit_code == 0, result.output
        out[form_id] = path
    return out


def olevba_modules(path: Path) -> dict[str, str]:
    from oletools.olevba import VBA_Parser

    parser = VBA_Parser(str(path))
    try:
        return {name.rsplit(".", 1)[0]: code for _, _, name, code in parser.extract_macros()}
    finally:
        parser.close()


def crlf(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\n", "\r\n")


@pytest.mark.parametrize("form_id", FORMS)
def test_vba_modules_decode_to_the_committed_source(built, form_id):
    modules = olevba_modules(built[form_id])
    for name, text in macro_sources().items():
        assert modules[name] == crlf(text)  # Chinese descriptions included: the code page is right
    assert modules["xlwings"] == crlf(xlwings_module())
    import xlwings

    assert f"Version: {xlwings.__version__}" in modules["xlwings"]  # the pinned xlwings' own module


def test_the_project_is_stored_in_code_page_936(built):
    from pyopenvba import ExcelFile

    with ExcelFile(built["2021"]) as book:
        assert book.vba_project().code_page == 936
    raw = zipfile.ZipFile(built["2021"]).read("xl/vbaProject.bin")
    assert raw.startswith(b"\xd0\xcf\x11\xe0")  # an OLE compound file


def _buttons(path: Path) -> dict[str, list[tuple[str, str]]]:
    """Sheet name -> (caption, macro) of each form-control button, following the sheet's legacyDrawing."""
    from openpyxl import load_workbook

    out = {}
    names = load_workbook(path, read_only=True, keep_vba=True).sheetnames
    with zipfile.ZipFile(path) as zf:
        for sheet in names:
            part = sheet_part(zf, sheet)
            xml = zf.read(part).decode()
            rid = re.search(r'<legacyDrawing r:id="([^"]+)"', xml)
            if not rid:
                continue
            folder, file = part.rsplit("/", 1)
            rels = zf.read(f"{folder}/_rels/{file}.rels").decode()
            target = re.search(rf'Id="{rid.group(1)}"[^>]*Target="([^"]+)"', rels).group(1)
            vml = zf.read("xl/" + target.removeprefix("../")).decode()
            shapes = re.findall(r"<v:shape\b.*?</v:shape>", vml, re.S)
            out[sheet] = [
                (re.search(r"<font[^>]*>([^<]+)</font>", s).group(1), re.search(r"<x:FmlaMacro>([^<]+)<", s).group(1))
                for s in shapes
                if 'ObjectType="Button"' in s
            ]
    return out


@pytest.mark.parametrize("form_id", FORMS)
def test_each_table_sheet_has_the_three_buttons_bound_to_their_macros(built, form_id):
    buttons = _buttons(built[form_id])
    form = load_form(form_id)
    for sheet in [form.cover["sheet"]] + [t.sheet for t in form.tables] + ["依申请台账", "复议诉讼台账"]:
        assert buttons[sheet] == [(b.caption, f"[0]!{b.macro}") for b in sheet_buttons(sheet)]
    assert len(buttons["依申请台账"]) == len(buttons["表三"]) + 1  # 从台账生成 only on the ledger sheets
    assert CONF_SHEET not in buttons
    subs = set(re.findall(r"^Public Sub (\w+)\(\)", "\n".join(macro_sources().values()), re.M))
    assert {b.macro for b in BUTTONS} <= subs


def test_openpyxl_reads_the_same_sheets_as_the_xlsx_template(built, form):
    from openpyxl import load_workbook

    xlsm = load_workbook(built[form.id], keep_vba=True)
    xlsx = build_workbook(form)
    assert xlsm.sheetnames == [*xlsx.sheetnames, CONF_SHEET]
    for ws in xlsx.worksheets:
        other = xlsm[ws.title]
        assert [[c.value for c in row] for row in other.iter_rows()] == [
            [c.value for c in row] for row in ws.iter_rows()
        ]
        assert sorted(map(str, other.merged_cells.ranges)) == sorted(map(str, ws.merged_cells.ranges))
        assert other.protection.sheet
    assert set(xlsm.defined_names) == set(xlsx.defined_names)
    conf = xlsm[CONF_SHEET]
    assert conf.sheet_state == "hidden"
    assert dict(conf.iter_rows(values_only=True)) == TEMPLATE_SETTINGS
    assert not any("INTERPRETER" in str(k).upper() for k in TEMPLATE_SETTINGS)  # per PC: see excel-setup


def test_gkxl_validate_reads_the_xlsm(built):
    from gkxl.check.validate import check_file

    result = check_file(built["2021"])  # a blank template: read fine, and judged an empty report
    assert result.error is None and [f.rule for f in result.findings if f.severity == "error"] == ["V-EMPTY"]


@pytest.mark.libreoffice
def test_libreoffice_opens_it_and_resolves_every_button(built, tmp_path):
    """One soffice call converts the fresh and the committed workbooks; LibreOffice imports the VBA project
    and turns each button into a control whose action is the macro of our module."""
    sources = [*built.values(), *(WORKBOOK_DIR / f"gkxl-{f}.xlsm" for f in FORMS)]
    for i, src in enumerate(sources):
        (tmp_path / f"{i}.xlsm").write_bytes(src.read_bytes())
    subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{tmp_path}/lo", "--headless", "--convert-to", "ods"]
        + ["--outdir", str(tmp_path / "out")]
        + [str(tmp_path / f"{i}.xlsm") for i in range(len(sources))],
        check=True,
        capture_output=True,
        timeout=300,
    )
    from openpyxl import load_workbook

    for i, src in enumerate(sources):
        names = load_workbook(src, read_only=True, keep_vba=True).sheetnames[:-1]  # all but xlwings.conf
        with zipfile.ZipFile(tmp_path / "out" / f"{i}.ods") as ods:
            content = ods.read("content.xml").decode()
            labels = re.findall(r'<form:button [^>]*form:label="([^"]+)"', content)
            macros = re.findall(r"vnd\.sun\.star\.script:VBAProject\.gkxl\.(\w+)\?", content)
            assert labels == [b.caption for sheet in names for b in sheet_buttons(sheet)]
            assert macros == [b.macro for sheet in names for b in sheet_buttons(sheet)]
            basic = ods.read("Basic/VBAProject/gkxl.xml").decode()
            # LibreOffice drops Attribute lines (the Chinese descriptions); the code is there.
            assert all(f"Public Sub {b.macro}()" in basic for b in BUTTONS)
            assert "gkxl.excel.validate()" in basic


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    # Creation times differ between builds; the VBA project is compared by its decoded modules.
    parts["docProps/core.xml"] = re.sub(
        rb"<dcterms:(created|modified)[^<]*</dcterms:\1>", b"", parts["docProps/core.xml"]
    )
    parts.pop("xl/vbaProject.bin")
    return parts


@pytest.mark.parametrize("form_id", FORMS)
def test_the_committed_workbook_matches_a_fresh_build(built, form_id):
    committed = WORKBOOK_DIR / f"gkxl-{form_id}.xlsm"
    assert _parts(committed) == _parts(built[form_id]), f"rebuild: gkxl template --xlsm --form {form_id}"
    assert olevba_modules(committed) == olevba_modules(built[form_id])


def test_the_build_is_reproducible(tmp_path):
    """Same parts, VBA project bytes included: the clock only reaches core.xml's timestamps."""
    form = load_form("2021")
    first, second = tmp_path / "1.xlsm", tmp_path / "2.xlsm"
    first.write_bytes(build_xlsm(form))
    second.write_bytes(build_xlsm(form))
    vba = [zipfile.ZipFile(p).read("xl/vbaProject.bin") for p in (first, second)]
    assert vba[0] == vba[1]
    assert _parts(first) == _parts(second)


def test_template_refuses_a_mismatched_extension(tmp_path):
    runner = CliRunner()
    assert runner.invoke(cli, ["template", "--xlsm", "-o", str(tmp_path / "a.xlsx")]).exit_code == 2
    assert runner.invoke(cli, ["template", "-o", str(tmp_path / "a.xlsm")]).exit_code == 2
    assert not list(tmp_path.iterdir())


def test_macros_are_kept_as_text():
    for path in MACROS_DIR.glob("*.bas"):
        data = path.read_bytes()
        assert b"\r\n" not in data
        data.decode("utf-8").encode("cp936")  # everything in it exists in the project's code page


def test_cli_runs_as_a_module(tmp_path):
    out = tmp_path / "t.xlsm"
    subprocess.run(
        [sys.executable, "-m", "gkxl", "template", "--xlsm", "-o", str(out)], check=True, capture_output=True
    )
    assert zipfile.ZipFile(out).read("[Content_Types].xml").count(b"macroEnabled.main+xml") == 1
