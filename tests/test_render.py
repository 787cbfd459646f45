"""`gkxl render`: the official layout in HTML and DOCX, read back by structure and by labels."""

from __future__ import annotations

import hashlib
import json
import random
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from rendered import Rendered, extract, rectangles, tables_docx, tables_html

from gkxl.cli import cli
from gkxl.form.layout import table_labels
from gkxl.form.model import load_form, parse_form, split_address
from gkxl.read.reader import Report, read_report
from gkxl.read.values import number_text as format_value
from gkxl.render import render
from gkxl.render.grid import fit_widths, report_grid, value_text
from gkxl.workbook.sample import random_report

FORMATS = ["html", "docx"]
READERS = {"html": tables_html, "docx": tables_docx}


def _render(report: Report, tmp_path: Path, fmt: str, name: str = "out") -> Rendered:
    path = render(report, tmp_path / f"{name}.{fmt}")
    return READERS[fmt](path)


def _expected_rectangles(table, values) -> list[tuple[int, int, int, int, str]]:
    """Where the form's layout puts each label and value, with the sheet's empty rows and columns dropped."""
    rects = [(lb.top, lb.left, lb.bottom, lb.right, lb.text) for lb in table_labels(table) if lb.role != "title"]
    for cell in table.cells:
        row, col = split_address(cell.cell)
        rects.append((row, col, row, col + cell.span - 1, value_text(cell, values.get(cell.key))))
    rows = sorted({r for t, _, b, _, _ in rects for r in range(t, b + 1)})
    cols = sorted({c for _, lf, _, rt, _ in rects for c in range(lf, rt + 1)})
    ri, ci = {r: i for i, r in enumerate(rows)}, {c: i for i, c in enumerate(cols)}
    return sorted((ri[t], ci[lf], ri[b], ci[rt], text) for t, lf, b, rt, text in rects)


# --- structure: every label and value at its place, with its spans -------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_label_and_value_sits_at_its_place(form, fmt, tmp_path):
    report = random_report(form, random.Random(3), unit="城关镇人民政府", year=form.years[0])
    rendered = _render(report, tmp_path, fmt)
    assert [title for title, _ in rendered.tables] == [t.title for t in form.tables]
    for table, (_, matrix) in zip(form.tables, rendered.tables, strict=True):
        assert rectangles(matrix) == _expected_rectangles(table, report.values), table.id


def _spans(rendered: Rendered, table_index: int) -> dict[str, list[tuple[int, int, int, int]]]:
    out: dict[str, list] = {}
    for top, left, bottom, right, text in rectangles(rendered.tables[table_index][1]):
        out.setdefault(text, []).append((top, left, bottom - top + 1, right - left + 1))
    return out


@pytest.mark.parametrize("fmt", FORMATS)
def test_official_merges_form_2021(fmt, tmp_path):
    """Literal expectations from the statutory form (row, column, rowspan, colspan), not from the layout code."""
    rendered = _render(Report(form=load_form("2021"), values={}, unit="某镇", year=2024), tmp_path, fmt)
    active, apply, appeal = (_spans(rendered, i) for i in range(3))
    assert len(rendered.tables[0][1]) == 14 and len(rendered.tables[0][1][0]) == 4
    assert active["第二十条第（一）项"] == [(0, 0, 1, 4)]
    assert active["本年处理决定数量"] == [(5, 1, 1, 3), (8, 1, 1, 3)]
    assert active["本年收费金额（单位：万元）"] == [(12, 1, 1, 3)]
    assert (6, 1, 1, 3) in active[""]  # 行政许可's one value spans the three value columns
    matrix = rendered.tables[1][1]
    assert (len(matrix), len(matrix[0])) == (28, 10)
    corner = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
    assert apply[corner] == [(0, 0, 3, 3)]
    assert apply["申请人情况"] == [(0, 3, 1, 7)]
    assert apply["法人或其他组织"] == [(1, 4, 1, 5)]
    assert apply["自然人"] == [(1, 3, 2, 1)] and apply["总计"] == [(1, 9, 2, 1)]
    assert apply["三、本年度办理结果"] == [(5, 0, 22, 1)]
    assert apply["（二）部分公开（区分处理的，只计这一情形，不计其他情形）"] == [(6, 1, 1, 2)]
    assert apply["（三）不予公开"] == [(7, 1, 8, 1)]
    assert apply["（六）其他处理"] == [(23, 1, 3, 1)]
    assert apply["四、结转下年度继续办理"] == [(27, 0, 1, 3)]
    assert appeal["行政复议"] == [(0, 0, 1, 5)] and appeal["行政诉讼"] == [(0, 5, 1, 10)]
    assert appeal["未经复议直接起诉"] == [(1, 5, 1, 5)] and appeal["复议后起诉"] == [(1, 10, 1, 5)]
    assert appeal["总计"] == [(1, 4, 2, 1), (2, 9, 1, 1), (2, 14, 1, 1)]
    assert len(appeal[""]) == 15


@pytest.mark.parametrize("fmt", FORMATS)
def test_official_merges_form_2019(fmt, tmp_path):
    rendered = _render(Report(form=load_form("2019"), values={}), tmp_path, fmt)
    active, apply = _spans(rendered, 0), _spans(rendered, 1)
    assert active["第二十条第（九）项"] == [(15, 0, 1, 4)]
    assert active["采购总金额（单位：万元，保留4位小数）"] == [(16, 2, 1, 2)]
    assert active["本年增/减"][-1] == (13, 2, 1, 2)  # （八）: 本年增/减 over two columns
    assert len(rendered.tables[1][1]) == 26
    assert apply["（六）其他处理"] == [(23, 1, 1, 2)]  # one row in form 2019
    assert apply["三、本年度办理结果"] == [(5, 0, 20, 1)]


# --- values: exact, blank stays blank --------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_values_round_trip_by_labels(form, fmt, tmp_path):
    """Random consistent reports -> rendered -> read back by labels alone -> exactly the same values."""
    for seed in range(3):
        report = random_report(form, random.Random(seed), scale=2000)
        found: dict = {}
        for _, matrix in _render(report, tmp_path, fmt, f"r{seed}").tables:
            found.update(extract(matrix))
        assert len(found) == len(form.cells)
        for cell in form.cells:
            text = found[cell.row_path, cell.col_path]
            value = report.values[cell.key]
            assert (Decimal(text) if cell.kind == "money" else int(text)) == value, cell.key
            assert text == value_text(cell, value)


MONEY = {"2021": ("active_fees_amount", "7730.28"), "2019": ("active_procurement_amount", "0.0001")}


@pytest.mark.parametrize("fmt", FORMATS)
def test_money_exact_counts_integers_blanks_empty(form, fmt, make_workbook, tmp_path):
    key, amount = MONEY[form.id]

    def edit(report):
        report.values[key] = Decimal(amount)
        report.values["apply_new_natural"] = None
        if form.id == "2019":
            report.values["active_permits_change"] = -8

    path = make_workbook(form.id, seed=5, edit=edit)
    report = read_report(path)
    found = {}
    for _, matrix in _render(report, tmp_path, fmt).tables:
        found.update(extract(matrix))
    money = form.cell(key)
    assert found[money.row_path, money.col_path] == amount
    new = form.cell("apply_new_natural")
    assert found[new.row_path, new.col_path] == ""
    if form.id == "2019":
        change = form.cell("active_permits_change")
        assert found[change.row_path, change.col_path] == "-8"
    counts = [found[c.row_path, c.col_path] for c in form.cells if c.kind == "count" and c.key != new.key]
    assert all(t.isdigit() for t in counts)


def test_money_with_the_places_the_form_asks_for():
    """2019 采购总金额 says 保留4位小数: 29.03 prints as 29.0300; an amount without fixed places prints as typed."""
    procurement = load_form("2019").cell("active_procurement_amount")
    fees = load_form("2021").cell("active_fees_amount")
    assert procurement.places == 4 and fees.places is None
    assert value_text(procurement, Decimal("29.03")) == "29.0300" and value_text(procurement, 7) == "7.0000"
    assert value_text(procurement, None) == "" and value_text(fees, Decimal("96171.6000")) == "96171.6"


def test_format_value():
    assert format_value(None) == ""
    assert format_value(0) == "0"
    assert format_value(-8) == "-8"
    assert format_value(Decimal("7730.2800")) == "7730.28"
    assert format_value(Decimal("10.0")) == "10"
    assert format_value(Decimal("0.0001")) == "0.0001"
    assert format_value(Decimal("96171.6")) == "96171.6"
    assert format_value(Decimal("1E+2")) == "100"


# --- the page: heading, print styles, DOCX page setup ----------------------------------------------------


def test_html_is_a_standalone_printable_page(tmp_path):
    report = random_report(load_form("2021"), random.Random(1), unit="城关镇人民政府", year=2024)
    path = render(report, tmp_path / "r.html")
    text = path.read_text(encoding="utf-8")
    rendered = tables_html(path)
    assert rendered.heading == "城关镇人民政府2024年政府信息公开工作年度报告"
    assert "<title>城关镇人民政府2024年政府信息公开工作年度报告</title>" in text
    assert text.startswith("<!DOCTYPE html>") and 'lang="zh-CN"' in text and '<meta charset="utf-8">' in text
    assert "@page { size: A4" in text and "SimSun" in text and "Noto Sans CJK SC" in text
    assert "break-inside: avoid" in text and "display: table-header-group" in text
    assert "<link" not in text and "<script" not in text and "src=" not in text  # nothing external
    import lxml.html

    root = lxml.html.fromstring(text.encode())
    tables = root.xpath("//table")
    assert all(t.get("border") == "1" for t in tables)
    assert [len(t.xpath("thead/tr")) for t in tables] == [0, 3, 3]  # 表三/表四 repeat their header
    for t in tables:  # column widths fill the page
        widths = [float(c.get("style").removeprefix("width:").removesuffix("%")) for c in t.xpath(".//col")]
        assert sum(widths) == pytest.approx(100, abs=0.1)


def test_heading_without_unit_or_year(tmp_path):
    path = render(Report(form=load_form("2021"), values={}), tmp_path / "r.html")
    assert tables_html(path).heading == "政府信息公开工作年度报告"


def test_html_escapes_the_unit_name(tmp_path):
    path = render(Report(form=load_form("2021"), values={}, unit="<b>甲&乙</b>镇", year=2024), tmp_path / "r.html")
    assert "&lt;b&gt;甲&amp;乙&lt;/b&gt;镇" in path.read_text(encoding="utf-8")
    assert tables_html(path).heading == "<b>甲&乙</b>镇2024年政府信息公开工作年度报告"


def _docx_xml(path: Path) -> str:
    import zipfile

    with zipfile.ZipFile(path) as z:
        return z.read("word/document.xml").decode()


def test_docx_page_setup_merges_and_widths(tmp_path):
    import docx
    from docx.enum.section import WD_ORIENT
    from docx.shared import Cm

    report = random_report(load_form("2021"), random.Random(2), unit="城关镇人民政府", year=2024)
    path = render(report, tmp_path / "r.docx")
    assert tables_docx(path).heading == "城关镇人民政府2024年政府信息公开工作年度报告"
    doc = docx.Document(str(path))
    assert len(doc.sections) == 1
    section = doc.sections[0]
    assert section.orientation == WD_ORIENT.PORTRAIT
    assert abs(section.page_width - Cm(21)) < Cm(0.01) and abs(section.page_height - Cm(29.7)) < Cm(0.01)
    text_width = section.page_width - section.left_margin - section.right_margin
    for table in doc.tables:
        assert table.style.name == "Table Grid"  # single borders on every cell
        widths = [c.width for c in table.columns]
        assert sum(widths) <= text_width + Cm(0.05)
        assert sum(widths) >= text_width - Cm(0.05)  # fills the text block like the official form
        for tr in table._tbl.tr_lst:  # each cell's own width is the sum of the columns it spans
            col = 0
            for tc in tr.tc_lst:
                assert abs(tc.width - sum(widths[col : col + tc.grid_span])) < Cm(0.01)
                col += tc.grid_span
        assert all(r._tr.trPr.find("{*}cantSplit") is not None for r in table.rows)
    headers = [sum(1 for r in t.rows if r._tr.trPr.find("{*}tblHeader") is not None) for t in doc.tables]
    assert headers == [0, 3, 3]
    xml = _docx_xml(path)
    assert 'w:gridSpan w:val="10"' in xml  # 行政诉讼
    assert xml.count('w:vMerge w:val="restart"') >= 10
    assert 'w:eastAsia="宋体"' in xml


def _wide_form():
    """Form 2021 with a 表四 of 20 columns: too wide for a portrait page, not for a landscape one."""
    from importlib import resources

    data = json.loads(resources.files("gkxl.form").joinpath("forms/2021.json").read_text(encoding="utf-8"))
    appeal = next(t for t in data["tables"] if t["id"] == "appeal")
    from gkxl.form.model import column_letters

    extra = [
        {"key": f"x{i}", "label": ["附加", f"第{i}栏"], "col": column_letters(16 + i), "kind": "count"}
        for i in range(5)
    ]
    appeal["sections"][0]["columns"] += extra
    return parse_form(data)


def test_docx_landscape_section_only_when_needed(tmp_path):
    import docx
    from docx.enum.section import WD_ORIENT
    from docx.shared import Cm

    from gkxl.render.docx import needs_landscape, text_width_em

    assert not any(needs_landscape(t) for f in ("2021", "2019") for t in report_grid(Report(load_form(f), {})).tables)
    form = _wide_form()
    grid = report_grid(Report(form, {}))
    assert [needs_landscape(t) for t in grid.tables] == [False, False, True]
    path = render(Report(form, {}), tmp_path / "wide.docx")
    doc = docx.Document(str(path))
    assert [s.orientation for s in doc.sections] == [WD_ORIENT.PORTRAIT, WD_ORIENT.LANDSCAPE]
    landscape = doc.sections[1]
    assert landscape.page_width > landscape.page_height
    wide = doc.tables[2]
    assert len(wide.columns) == 20
    text_width = landscape.page_width - landscape.left_margin - landscape.right_margin
    assert sum(c.width for c in wide.columns) == pytest.approx(text_width, abs=Cm(0.05))
    assert text_width_em(True) > text_width_em(False)


def test_a_table_cut_across_pages_repeats_its_header_and_group_labels():
    from gkxl.render.grid import split

    grid = report_grid(random_report(load_form("2021"), random.Random(1))).tables[1]  # 表三
    body = grid.n_rows - grid.header_rows
    parts = split(grid, [1.0] * grid.n_rows, grid.header_rows + 10, grid.header_rows + 10)
    assert [p.n_rows - p.header_rows for p in parts] == [10] * (body // 10) + ([body % 10] if body % 10 else [])
    header = {(c.row, c.col, c.text) for c in grid.cells if c.row < grid.header_rows}
    group = "三、本年度办理结果"
    for part in parts:
        assert {(c.row, c.col, c.text) for c in part.cells if c.row < part.header_rows} == header
        assert sum(c.rowspan * c.colspan for c in part.cells) == part.n_rows * part.n_cols  # no holes
    with_group = [i for i, p in enumerate(parts) if any(c.text == group for c in p.cells)]
    assert len(with_group) >= 2  # the group spans a page break: its label is on both pages
    values = [c.text for p in parts for c in p.cells if c.role == "value"]
    assert values == [c.text for c in grid.cells if c.role == "value"]  # every value once, in order
    assert split(grid, [1.0] * grid.n_rows, 100, 100) == [grid]


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.tuples(st.floats(1, 20), st.floats(0.5, 5)), min_size=1, max_size=16),
    st.floats(10, 200),
)
def test_fit_widths_shares_the_page(columns, total):
    ideal = tuple(i for i, _ in columns)
    minimum = tuple(m for _, m in columns)
    widths = fit_widths(ideal, minimum, total)
    assert all(w >= m - 1e-9 for w, m in zip(widths, minimum, strict=True))
    if sum(minimum) <= total:
        assert sum(widths) == pytest.approx(total)
    else:
        assert widths == list(minimum)


# --- the command -------------------------------------------------------------------------------------------


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("fmt", FORMATS)
def test_cli_renders_a_clean_workbook(fmt, make_workbook, tmp_path):
    path = make_workbook("2021", seed=4, unit="城关镇人民政府", year=2024)
    before = _sha(path)
    out = tmp_path / "out" / f"城关镇.{fmt}"
    out.parent.mkdir()
    result = CliRunner().invoke(cli, ["render", str(path), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "已输出" in result.output and "校验结论：通过" in result.output
    assert "未填写" not in result.output
    assert _sha(path) == before  # the input is never modified
    rendered = READERS[fmt](out)
    assert rendered.heading == "城关镇人民政府2024年政府信息公开工作年度报告"
    assert [p.name for p in out.parent.iterdir()] == [out.name]  # no temporary file left behind


def test_cli_warns_about_blank_cells_and_still_renders(make_workbook, tmp_path):
    def edit(report):
        report.values["active_regs_issued"] = None  # a blank that breaks no total

    path = make_workbook("2021", seed=4, edit=edit)
    out = tmp_path / "r.html"
    result = CliRunner().invoke(cli, ["render", str(path), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "有 1 个单元格未填写，表中留空" in result.output
    assert "校验结论：未填完：1 处未填写" in result.output
    cell = load_form("2021").cell("active_regs_issued")
    found = {k: v for _, m in tables_html(out).tables for k, v in extract(m).items()}
    assert found[cell.row_path, cell.col_path] == ""


def test_cli_reports_errors_renders_and_exits_1(make_workbook, tmp_path):
    def edit(report):
        report.values["apply_granted_total"] += 1
        report.values["apply_partial_natural"] = None
        report.raw["apply_partial_natural"] = "3件"

    path = make_workbook("2021", seed=4, edit=edit)
    out = tmp_path / "r.docx"
    result = CliRunner().invoke(cli, ["render", str(path), "-o", str(out)])
    assert result.exit_code == 1, result.output
    assert "[T3-APPLICANTS]" in result.output and "[V-NUMBER]" in result.output
    assert "有 1 个单元格内容无效（见下），表中留空" in result.output and "未填写，表中留空" not in result.output
    assert "校验结论：不通过" in result.output
    found = {k: v for _, m in tables_docx(out).tables for k, v in extract(m).items()}
    cell = load_form("2021").cell("apply_partial_natural")
    assert found[cell.row_path, cell.col_path] == ""  # invalid text is not published


@pytest.mark.parametrize("fmt", FORMATS)
def test_cli_banner_on_a_workbook_with_errors_unless_no_banner(fmt, make_workbook, tmp_path):
    import docx
    import lxml.html

    def edit(report):
        report.values["apply_granted_total"] += 1

    def banner(path: Path) -> list[str]:
        if fmt == "html":
            return [p.text_content() for p in lxml.html.fromstring(path.read_bytes()).xpath("//p[@class='banner']")]
        return [p.text for p in docx.Document(str(path)).paragraphs if p.text.startswith("校验未通过")]

    path = make_workbook("2021", seed=4, edit=edit)
    shown, hidden = tmp_path / f"shown.{fmt}", tmp_path / f"hidden.{fmt}"
    assert CliRunner().invoke(cli, ["render", str(path), "-o", str(shown)]).exit_code == 1
    assert CliRunner().invoke(cli, ["render", str(path), "-o", str(hidden), "--no-banner"]).exit_code == 1
    assert banner(shown) == ["校验未通过：2 处必须修改。本表数字有误，请改正后重新生成，勿作正式发布。"]
    assert banner(hidden) == []
    assert READERS[fmt](shown).heading == READERS[fmt](hidden).heading  # the heading stays the heading
    clean = make_workbook("2021", seed=4)
    assert CliRunner().invoke(cli, ["render", str(clean), "-o", str(hidden)]).exit_code == 0
    assert banner(hidden) == []


def test_cli_blank_template_renders_empty_tables(tmp_path):
    from gkxl.workbook.standard import write_template

    path = write_template(tmp_path / "blank.xlsx", "2019")
    out = tmp_path / "blank.html"
    result = CliRunner().invoke(cli, ["render", str(path), "-o", str(out)])
    assert result.exit_code == 1, result.output  # a blank report is an error (V-EMPTY), yet it renders
    assert "有 198 个单元格未填写" in result.output and "[V-EMPTY]" in result.output
    found = {k: v for _, m in tables_html(out).tables for k, v in extract(m).items()}
    assert len(found) == 198 and set(found.values()) == {""}


@pytest.mark.parametrize("name", ["r.pdf", "r.xlsx", "r"])
def test_cli_refuses_other_formats(name, make_workbook, tmp_path):
    path = make_workbook("2021")
    result = CliRunner().invoke(cli, ["render", str(path), "-o", str(tmp_path / name)])
    assert result.exit_code == 2
    assert "不支持的输出格式" in result.output and ".html 或 .docx" in result.output
    assert not (tmp_path / name).exists()


def test_cli_unreadable_workbook(tmp_path):
    bad = tmp_path / "坏文件.xlsx"
    bad.write_bytes(b"not a zip")
    out = tmp_path / "r.html"
    result = CliRunner().invoke(cli, ["render", str(bad), "-o", str(out)])
    assert result.exit_code == 2
    assert "坏文件.xlsx" in result.output and "Traceback" not in result.output
    assert not out.exists()


def test_failed_write_leaves_the_old_output(make_workbook, tmp_path, monkeypatch):
    import gkxl.render.html as html_writer

    out = tmp_path / "r.html"
    out.write_text("old", encoding="utf-8")

    def broken(grid, path):
        path.write_text("half", encoding="utf-8")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(html_writer, "write_html", broken)
    result = CliRunner().invoke(cli, ["render", str(make_workbook("2021")), "-o", str(out)])
    assert result.exit_code == 2
    assert "无法写入" in result.output
    assert out.read_text(encoding="utf-8") == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2021-0.xlsx", "r.html"]


def test_cli_help_lists_render():
    result = CliRunner().invoke(cli, ["--help"])
    assert "render" in result.output
    result = CliRunner().invoke(cli, ["render", "--help"])
    assert result.exit_code == 0 and "gkxl render" in result.output


# --- LibreOffice: the documents open and print -----------------------------------------------------------


def _pdf_text(path: Path) -> tuple[int, str]:
    import pypdfium2

    pdf = pypdfium2.PdfDocument(str(path))
    try:
        return len(pdf), "".join(page.get_textpage().get_text_range() for page in pdf)
    finally:
        pdf.close()


@pytest.mark.libreoffice
def test_libreoffice_converts_html_and_docx_to_pdf(tmp_path):
    report = random_report(load_form("2021"), random.Random(7), unit="城关镇人民政府", year=2024)
    render(report, tmp_path / "in" / "report.docx")
    render(report, tmp_path / "in" / "report-web.html")
    profile = f"-env:UserInstallation=file://{tmp_path / 'lo'}"
    convert = ["--convert-to", "pdf", "--outdir", str(tmp_path / "pdf")]
    # HTML needs Writer's HTML filter (the default Writer/Web import drops the page heading).
    for args in (["report.docx"], ["--infilter=HTML (StarWriter)", "report-web.html"]):
        command = ["soffice", profile, "--headless", *args[:-1], *convert, args[-1]]
        subprocess.run(command, cwd=tmp_path / "in", check=True, capture_output=True, timeout=240)
    for name in ("report.pdf", "report-web.pdf"):
        pages, text = _pdf_text(tmp_path / "pdf" / name)
        squashed = "".join(text.split())
        assert 1 <= pages <= 4, name
        assert "城关镇人民政府2024年政府信息公开工作年度报告" in squashed, name
        for label in (
            "二、主动公开政府信息情况",
            "四、结转下年度继续办理",
            "（七）总计",
            "未经复议直接起诉",
            "第二十条第（八）项",
        ):
            assert label in squashed, (name, label)
        assert format_value(report.values["apply_closed_total_total"]) in text
        assert format_value(report.values["active_fees_amount"]) in text


# --- render -> import: the importer reads our tables back ------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_render_then_import_gives_the_same_report(form, fmt, tmp_path):
    from gkxl.importer import import_report

    for seed in range(2):
        year = form.years[0] + seed
        report = random_report(form, random.Random(seed), unit="城关镇人民政府", year=year, scale=500)
        path = render(report, tmp_path / f"{form.id}-{seed}.{fmt}")
        result = import_report(path)
        assert result.error is None, result.error
        back = result.report
        assert (back.form.id, back.unit, back.year) == (form.id, "城关镇人民政府", year)
        assert back.values == report.values


@pytest.mark.parametrize("fmt", FORMATS)
def test_render_blank_then_import_is_all_not_filled(fmt, tmp_path):
    from gkxl.importer import import_report

    form = load_form("2021")
    path = render(Report(form=form, values={}, unit="某镇人民政府", year=2024), tmp_path / f"blank.{fmt}")
    result = import_report(path)
    assert result.error is None, result.error
    assert result.report.form.id == "2021"
    assert all(result.report.values[c.key] is None for c in form.cells)
