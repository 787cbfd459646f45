"""The same report in every shape the web serves it imports to identical values (issue 16).

Each real sample (the city and district 2024 PDFs, the township 2019 text) is imported once; its report is
rendered by tests/shapes.py into text with spaces, `|`, tabs or one cell per line, HTML with merged cells,
with merged cells stored as separate empty cells, with cells as blocks, Word with and without merges, and a PDF
printed by headless Chromium; every shape must import to exactly the sample's values, unit and year.
The samples' own values are checked against hand-typed expectations in tests/test_import.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from shapes import CHROMIUM, EXTRA_ROW, TEXT_SHAPES, render_html, text_rows, write_shapes

from gkxl.importer import import_report
from gkxl.importer.title import title_meta

SAMPLES = Path(__file__).parent / "fixtures" / "samples"
SHAPES = [f"text-{n}" for n in TEXT_SHAPES] + [
    "html-merged", "html-empty-cells", "html-blocks", "docx-merged", "docx-empty-cells", "pdf",
]  # fmt: skip
NAMES = ["city-2024-report.pdf", "district-2024-report.pdf", "township-2019-report.txt"]


def sample(name: str):
    result = import_report(SAMPLES / name)
    assert result.error is None, result.error
    report = result.report
    if report.unit is None:  # the township text has no title
        report.unit, report.year = "刘楼乡人民政府", 2019
    return report


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    out = {}
    for name in NAMES:
        report = sample(name)
        out[name] = (report, write_shapes(report, tmp_path_factory.mktemp(name.split("-")[0]), pdf=True))
    return out


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("name", NAMES)
def test_every_shape_imports_to_the_samples_values(rendered, name, shape):
    report, paths = rendered[name]
    if shape not in paths:
        pytest.skip("Chromium is not installed")
    result = import_report(paths[shape])
    assert result.error is None, result.error
    got = result.report
    assert (got.form.id, got.unit, got.year) == (report.form.id, report.unit, report.year)
    assert got.values == report.values
    assert not [f for f in result.findings if f.rule in ("IMPORT-UNPLACED", "IMPORT-EXTRA")]


def test_the_shapes_really_differ(rendered):
    """A test that cannot fail is a defect: the shapes must not all be the same text."""
    _, paths = rendered["city-2024-report.pdf"]
    texts = {paths[s].read_bytes() for s in SHAPES if s in paths}
    assert len(texts) == len([s for s in SHAPES if s in paths])
    assert "|" in paths["text-pipes"].read_text() and "\t" in paths["text-tabs"].read_text()
    lines = paths["text-cell-per-line"].read_text().splitlines()
    assert "447228" in lines and "1288" in lines  # numbers alone on their lines
    assert "rowspan='1' colspan='1'></td>" in paths["html-empty-cells"].read_text()
    assert "colspan='3'" not in paths["html-empty-cells"].read_text()


@pytest.mark.parametrize("shape", list(TEXT_SHAPES))
@pytest.mark.parametrize(("name", "instruction"), [("city-2024-report.pdf", "（指本年办件量，不含咨询）"),
                                                   ("township-2019-report.txt", "（指2019年事项数）")])  # fmt: skip
def test_provincial_instructions_and_extra_rows(tmp_path, shape, name, instruction):
    report = sample(name)
    text = TEXT_SHAPES[shape](text_rows(report, provincial=True))
    assert instruction in text and EXTRA_ROW in text
    path = tmp_path / f"{shape}.txt"
    path.write_text(text, encoding="utf-8")
    result = import_report(path)
    assert result.error is None, result.error
    assert result.report.values == report.values  # the extra row's 5 0 5 summed nowhere
    extra = [f for f in result.findings if f.rule == "IMPORT-EXTRA"]
    assert len(extra) == 1 and EXTRA_ROW in extra[0].message and "5、0、5" in extra[0].message
    assert extra[0].severity == "info"
    assert result.ok or name.startswith("township")  # the township's zeros leave its unit to be typed


@pytest.mark.parametrize("merged", [True, False])
def test_provincial_headers_in_html_tables(tmp_path, merged):
    report = sample("township-2019-report.txt")
    html = render_html(report, merged=merged, provincial=True)
    assert "本年增/减（增加用正数，减少用负值表示，如 -8）" in html
    path = tmp_path / "provincial.html"
    path.write_text(html, encoding="utf-8")
    result = import_report(path)
    assert result.error is None, result.error
    assert result.report.values == report.values and result.report.form.id == "2019"


def test_instruction_brackets_in_row_labels(tmp_path):
    report = sample("city-2024-report.pdf")
    rows = text_rows(report)
    for row in rows:
        if row[0] == "行政许可":
            row[0] = "行政许可（指2024年办件量，含承诺件）"
    path = tmp_path / "labels.txt"
    path.write_text(TEXT_SHAPES["spaces"](rows), encoding="utf-8")
    assert import_report(path).report.values == report.values


# ---------------------------------------------------------------- unit and year from the title

TITLES = [
    (["2019年上海市人民政府办公厅政府信息公开工作年度报告"], ("上海市人民政府办公厅", 2019)),
    (["上海市人民政府办公厅政府信息公开工作年度报告（2019年）"], ("上海市人民政府办公厅", 2019)),
    (["关于印发淮安市洪泽区人民政府2024年政府信息公开工作年度报告的通知"], ("淮安市洪泽区人民政府", 2024)),
    (["首页 > 信息公开 > 年度报告 > 淮安市人民政府2024年政府信息公开工作年度报告"], ("淮安市人民政府", 2024)),
    (["注册", "登录", "2023年", "城关镇人民政府2024年度政府信息公开工作年度报告"], ("城关镇人民政府", 2024)),
    (["网站地图注册登录城关街道办事处2022年政府信息公开工作年度报告"], ("城关街道办事处", 2022)),
    (["淮安市人民政府", "2024年政府信息公开工作年度报告"], ("淮安市人民政府", 2024)),
]


@pytest.mark.parametrize(("head", "expected"), TITLES)
def test_unit_and_year_from_titles(head, expected):
    meta = title_meta(head)
    assert (meta.unit, meta.year) == expected and meta.problem is None


def test_a_saved_web_page_with_menus_and_breadcrumbs(tmp_path):
    report = sample("district-2024-report.pdf")
    menu = "".join(f"<li>{x}</li>" for x in ["注册", "登录", "无障碍", "首页", "信息公开", "政策文件"] * 5)
    years = "".join(f"<a>{y}年</a>" for y in (2024, 2023, 2022))
    crumbs = "<div>首页 &gt; 信息公开 &gt; 年度报告</div><div>淮安市人民政府门户网站</div>"
    nav = f"<ul>{menu}</ul><div>{years}</div>{crumbs}"
    page = render_html(report).replace("<body>", f"<body>{nav}", 1)
    path = tmp_path / "page.html"
    path.write_text(page, encoding="utf-8")
    result = import_report(path)
    assert (result.report.unit, result.report.year) == ("淮安市洪泽区人民政府", 2024)
    assert result.report.values == report.values


def test_a_unit_that_is_no_government_body_is_left_blank_with_a_warning(tmp_path):
    report = sample("city-2024-report.pdf")
    rows = text_rows(report)
    rows[0] = ["某某门户网2024年政府信息公开工作年度报告"]
    path = tmp_path / "site.txt"
    path.write_text(TEXT_SHAPES["spaces"](rows), encoding="utf-8")
    result = import_report(path)
    assert (result.report.unit, result.report.year) == (None, 2024)
    warning = [f for f in result.findings if f.rule == "IMPORT-TITLE"]
    assert len(warning) == 1 and warning[0].severity == "warning" and "“某某门户网”" in warning[0].message


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed")
def test_shapes_builder_keeps_the_pdf_a_real_pdf(rendered):
    _, paths = rendered["township-2019-report.txt"]
    assert paths["pdf"].read_bytes().startswith(b"%PDF")
