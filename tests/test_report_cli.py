"""`gkxl report` and `gkxl check-report` on real files: the example workbooks, DOCX and HTML written and read back
by the importer, the published 2024 PDFs, LibreOffice and Chromium rendering."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from gkxl.cli import cli
from gkxl.importer.source import read_source
from gkxl.read.reader import read_report
from gkxl.report.assess import check_report
from gkxl.report.checks import check_source

ROOT = Path(__file__).parent.parent
FIXTURES = Path(__file__).parent / "fixtures"
SAMPLES = FIXTURES / "samples"
TEXT = FIXTURES / "report" / "正文.md"
EXAMPLES = sorted((ROOT / "examples").glob("*.xlsx")) + sorted((ROOT / "examples" / "form-2019").glob("*.xlsx"))
SOFFICE = shutil.which("soffice")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_soffice = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed")
needs_poppler = pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler (pdftoppm) is not installed")
HEADINGS = [
    "一、总体情况",
    "二、主动公开政府信息情况",
    "三、收到和处理政府信息公开申请情况",
    "四、政府信息公开行政复议、行政诉讼情况",
    "五、存在的主要问题及改进情况",
    "六、其他需要报告的事项",
]


def _run(*args: str):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def _write(workbook: Path, out: Path, *extra) -> Path:
    result = _run("report", workbook, "-o", out, "--text", TEXT, *extra)
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> dict[tuple[str, str], Path]:
    """The report of every example workbook, as DOCX and as HTML."""
    out = tmp_path_factory.mktemp("reports")
    return {(wb.stem, fmt): _write(wb, out / f"{wb.stem}.{fmt}") for wb in EXAMPLES for fmt in ("docx", "html")}


@pytest.mark.parametrize("fmt", ["docx", "html"])
@pytest.mark.parametrize("workbook", EXAMPLES, ids=lambda p: p.stem)
def test_every_example_report_checks_clean_against_its_workbook(written, workbook, fmt):
    path = written[workbook.stem, fmt]
    result = _run("check-report", path, "--workbook", workbook, "--json")
    assert result.exit_code == 0, result.output
    [checked] = json.loads(result.output)["files"]
    assert checked["findings"] == []
    report = read_report(workbook)
    assert (checked["unit"], checked["year"], checked["form"]) == (report.unit, report.year, report.form.id)


def _edit_docx(path: Path, target: Path, old: str, new: str) -> None:
    import docx

    document = docx.Document(str(path))
    hits = [p for p in document.paragraphs if old in p.text]
    assert len(hits) == 1, old
    for run in hits[0].runs:
        run.text = run.text.replace(old, new)
    document.save(str(target))


def test_one_changed_figure_in_the_docx_prose_is_exactly_one_r_figure(written, tmp_path):
    workbook = ROOT / "examples" / "2024-chengguan.xlsx"
    report = read_report(workbook)
    total = report.values["apply_new_total"]
    changed = tmp_path / "改过.docx"
    phrase = "新收政府信息公开申请{}件"
    _edit_docx(written[workbook.stem, "docx"], changed, phrase.format(total), phrase.format(total + 1))
    result = _run("check-report", changed, "--json")
    assert result.exit_code == 1
    findings = json.loads(result.output)["files"][0]["findings"]
    assert [(f["rule"], f["sheet"], f["cell"], f["reported"], f["expected"]) for f in findings] == [
        ("R-FIGURE", "表三", "J6", total + 1, total)
    ]
    assert f"新收政府信息公开申请{total + 1}件" in findings[0]["message"]


def test_last_years_text_copied_is_r_repeat(written, tmp_path):
    this_year = ROOT / "examples" / "2024-dongjie.xlsx"
    last_year = written["2024-chengguan", "docx"]  # the same clerk's text, other figures
    result = _run("check-report", written[this_year.stem, "html"], "--previous", last_year)
    assert result.exit_code == 0, result.output  # a warning
    assert "[R-REPEAT]" in result.output and "100% 的文字与上年报告相同" in result.output
    result = _run("report", this_year, "-o", tmp_path / "东街.docx", "--text", TEXT, "--previous", last_year)
    assert "[R-REPEAT]" in result.output


def test_the_published_2024_reports_have_no_figure_contradictions():
    city = check_report(SAMPLES / "city-2024-report.pdf")
    district = check_report(SAMPLES / "district-2024-report.pdf")
    assert [f.rule for f in city.findings + district.findings if f.rule == "R-FIGURE"] == []
    assert (city.unit, city.year, district.unit) == ("淮安市人民政府", 2024, "淮安市洪泽区人民政府")
    # not vacuous: the city's text states its 复议 and 诉讼 figures in phrasings the table knows
    from gkxl.report.assess import read_report_text
    from gkxl.report.figures import claims

    text = read_report_text(SAMPLES / "city-2024-report.pdf")
    stated = claims(read_report(ROOT / "examples" / "2024-chengguan.xlsx").form, text.part("overview").text)
    assert len(stated) >= 10
    assert [h.spec.heading for h in text.headings] == HEADINGS


def test_real_leftovers_and_structure():
    template = check_report(SAMPLES / "official-2021-format-template.docx")
    assert [f.rule for f in template.findings] == ["R-LEFTOVER"] * 3
    township = check_report(SAMPLES / "township-2019-report.txt")
    messages = [f.message for f in township.findings if f.rule == "R-STRUCTURE"]
    assert messages[0] == "缺少“一、总体情况”（第 1 行为“一、工作概述”）"
    assert any("“七、附件”不属于其中" in m for m in messages)


def test_check_source_is_the_same_text_check_on_an_already_read_source():
    path = SAMPLES / "city-2024-report.pdf"
    from gkxl.importer import import_report

    tables = import_report(path).report
    assert check_source(read_source(path), path, tables) == check_report(path).findings == []
    previous = read_source(SAMPLES / "city-2024-report.pdf")
    [repeat] = check_source(read_source(path), path, tables, previous=previous)
    assert repeat.rule == "R-REPEAT"


def test_placeholders_without_text_and_exit_codes(tmp_path):
    workbook = ROOT / "examples" / "2024-hekou.xlsx"
    result = _run("report", workbook, "-o", tmp_path / "河口.html")
    assert result.exit_code == 1
    assert result.output.count("[R-LEFTOVER]") == 3 and "有 3 处【待填写】" in result.output
    html = (tmp_path / "河口.html").read_text(encoding="utf-8")
    assert html.count('<mark class="placeholder">【待填写') == 3
    assert _run("report", workbook, "-o", tmp_path / "x.pdf").exit_code == 2
    bad = _run("report", workbook, "-o", tmp_path / "y.docx", "--text", tmp_path / "无此文件.md")
    assert bad.exit_code == 2 and "正文无法读取" in bad.output and not (tmp_path / "y.docx").exists()
    missing = _run("check-report", tmp_path / "无此报告.docx")
    assert missing.exit_code == 2 and "文件不存在" in missing.output
    errors = _run("report", ROOT / "examples" / "with-errors" / "2024-shiqiao.xlsx", "-o", tmp_path / "s.docx")
    assert errors.exit_code == 1 and "工作簿校验结论：不通过" in errors.output


def test_length_limit_and_a_folder_of_reports(written, tmp_path):
    folder = tmp_path / "各单位"
    folder.mkdir()
    for key in (("2024-chengguan", "docx"), ("2024-hekou", "html")):
        shutil.copy(written[key], folder / written[key].name)
    result = _run("check-report", folder, "--max-chars", "100")
    assert result.exit_code == 0
    assert result.output.count("[R-LENGTH]") == 2 and "共 2 份报告" in result.output


# --- rendering ------------------------------------------------------------------------------------------


def _pdf_text(pdf: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout


@needs_soffice
@needs_poppler
@pytest.mark.libreoffice
def test_docx_opens_in_libreoffice_and_renders_to_a4_pages(written, tmp_path):
    docx = written["2024-chengguan", "docx"]
    profile = tmp_path / "profile"
    command = [SOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "pdf"]
    subprocess.run([*command, "--outdir", str(tmp_path), str(docx)], check=True, capture_output=True, timeout=180)
    pdf = tmp_path / f"{docx.stem}.pdf"
    info = subprocess.run(["pdfinfo", "-f", "1", "-l", "99", str(pdf)], capture_output=True, text=True).stdout
    sizes = [line for line in info.splitlines() if line.startswith("Page") and "size:" in line]
    assert len(sizes) >= 3 and all("(A4)" in line for line in sizes), sizes  # landscape pages are A4 too
    text = "".join(_pdf_text(pdf).split())
    positions = [text.find(h) for h in HEADINGS]
    assert -1 not in positions and positions == sorted(positions), positions
    assert "城关镇人民政府2024年政府信息公开工作年度报告" in text
    assert "本年度新收政府信息公开申请151件" in text
    subprocess.run(["pdftoppm", "-r", "40", "-png", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")], check=True)
    png = next(tmp_path.glob("page*.png"))
    assert png.stat().st_size > 5000


@needs_chromium
@needs_poppler
def test_html_prints_in_chromium_with_every_part(written, tmp_path):
    html = written["2024-dongjie", "html"]
    pdf = tmp_path / "page.pdf"
    command = [
        CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={tmp_path / 'chrome'}",
        "--no-pdf-header-footer", f"--print-to-pdf={pdf}", html.as_uri(),
    ]  # fmt: skip
    subprocess.run(command, check=True, capture_output=True, timeout=120)
    text = "".join(_pdf_text(pdf).split())
    positions = [text.find(h) for h in HEADINGS]
    assert -1 not in positions and positions == sorted(positions), positions
    assert "东街街道办事处2024年政府信息公开工作年度报告" in text


def test_tables_missing_or_different_from_the_workbook(written, tmp_path):
    prose_only = tmp_path / "只有文字.txt"
    lines = [HEADINGS[0], "我镇的工作。", *HEADINGS[1:5], "政策解读形式单一，将增加图解。", HEADINGS[5], "没有。"]
    prose_only.write_text("\n".join(lines), encoding="utf-8")
    result = check_report(prose_only)
    assert [f.rule for f in result.findings] == ["R-TABLES"] and "表格无法读取" in result.findings[0].message
    other = read_report(ROOT / "examples" / "2024-dongjie.xlsx")
    result = check_report(written["2024-chengguan", "docx"], workbook=other)
    tables = [f for f in result.findings if f.rule == "R-TABLES"]
    assert len(tables) == 21 and tables[-1].message.startswith("……另有")
    first = tables[0]
    printed = read_report(ROOT / "examples" / "2024-chengguan.xlsx").values[first.key]
    assert (first.reported, first.expected) == (printed, other.values[first.key]) and first.cell


def test_prose_from_word_and_from_gbk_text(tmp_path):
    import docx

    prose = [
        "本报告依据条例编制。",
        HEADINGS[0],
        "（一）主动公开情况。及时公开各类政府信息，做好政策解读工作。",
        HEADINGS[4],
        "政策解读形式单一，将增加图解和视频解读。",
        HEADINGS[5],
        "本年度未收取信息处理费。",
    ]
    document = docx.Document()
    for text in prose:
        document.add_paragraph(text)
    document.save(str(tmp_path / "正文.docx"))
    (tmp_path / "正文.txt").write_bytes("\n\n".join(prose).encode("gb18030"))
    workbook = ROOT / "examples" / "2024-dongjie.xlsx"
    for name in ("正文.docx", "正文.txt"):
        out = tmp_path / f"{name}.docx"
        result = _run("report", workbook, "-o", out, "--text", tmp_path / name)
        assert result.exit_code == 0, result.output
        written = [p.text for p in docx.Document(str(out)).paragraphs if p.text]
        assert written[1] == "本报告依据条例编制。" and "本年度未收取信息处理费。" in written
        assert written.index("（一）主动公开情况。及时公开各类政府信息，做好政策解读工作。") > written.index(
            HEADINGS[0]
        )
