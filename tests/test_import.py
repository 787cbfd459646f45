"""`gkxl import`: published reports (text, HTML, Word, PDF) -> standard workbooks.

The real samples in tests/fixtures/samples/ are public reports. Their expected values below were read by a
person from the PDFs (pdftotext -layout) and the text file, and are written out here, not derived from the
importer. Synthetic reports are rendered from random consistent reports with the test's own small renderers.
"""

from __future__ import annotations

import json
import random
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from shapes import render_docx, table_grid

from gkxl.check.validate import check_file
from gkxl.cli import cli
from gkxl.form.model import load_form
from gkxl.importer import ImportRefused, import_report
from gkxl.importer.match import match_lines
from gkxl.importer.source import read_source
from gkxl.read.reader import read_report
from gkxl.workbook.sample import random_report

SAMPLES = Path(__file__).parent / "fixtures" / "samples"
APPLY_COLUMNS = 7

# ---------------------------------------------------------------- expected values of the real samples

CITY_2024 = {
    "active": {
        "regs": (1, 0, 11),
        "norms": (8, 26, 66),
        "permits": (447228,),
        "penalties": (3985758,),
        "coercion": (88283,),
        "fees": (Decimal("96171.6"),),
    },
    "apply": {
        "new": (3001, 53, 0, 0, 61, 4, 3119),
        "carried_in": (34, 0, 0, 0, 0, 0, 34),
        "granted": (1288, 21, 0, 0, 50, 3, 1362),
        "partial": (447, 7, 0, 0, 0, 0, 454),
        "withheld_secret": (2, 0, 0, 0, 0, 0, 2),
        "withheld_prohibited": (30, 1, 0, 0, 0, 0, 31),
        "withheld_security": (5, 0, 0, 0, 0, 0, 5),
        "withheld_third_party": (6, 0, 0, 0, 0, 0, 6),
        "withheld_internal": (7, 1, 0, 0, 0, 0, 8),
        "withheld_process": (12, 0, 0, 0, 0, 0, 12),
        "withheld_enforcement": (9, 0, 0, 0, 0, 0, 9),
        "withheld_query": (105, 0, 0, 0, 0, 0, 105),
        "unable_not_held": (746, 12, 0, 0, 10, 1, 769),
        "unable_needs_creation": (11, 0, 0, 0, 0, 0, 11),
        "unable_unclear": (1, 0, 0, 0, 0, 0, 1),
        "declined_petition": (56, 6, 0, 0, 0, 0, 62),
        "declined_repeated": (25, 0, 0, 0, 0, 0, 25),
        "declined_publication": (0, 0, 0, 0, 0, 0, 0),
        "declined_vexatious": (0, 0, 0, 0, 0, 0, 0),
        "declined_confirmation": (1, 0, 0, 0, 0, 0, 1),
        "other_no_correction": (67, 3, 0, 0, 1, 0, 71),
        "other_unpaid": (6, 0, 0, 0, 0, 0, 6),
        "other_misc": (108, 2, 0, 0, 0, 0, 110),
        "closed_total": (2932, 53, 0, 0, 61, 4, 3050),
        "carried_out": (103, 0, 0, 0, 0, 0, 103),
    },
    "appeal": {None: (72, 64, 178, 37, 351, 13, 4, 8, 1, 26, 12, 1, 1, 6, 20)},
}

ZERO7 = (0,) * APPLY_COLUMNS
DISTRICT_2024 = {  # the hybrid: 表三 has a single （六）其他处理 row of zeros
    "active": {
        "regs": (0, 0, 0),
        "norms": (3, 0, 8),
        "permits": (9487,),
        "penalties": (2776,),
        "coercion": (84,),
        "fees": (Decimal("7545"),),
    },
    "apply": {
        "new": (95, 0, 0, 0, 0, 0, 95),
        "carried_in": ZERO7,
        "granted": (50, 0, 0, 0, 0, 0, 50),
        "partial": (9, 0, 0, 0, 0, 0, 9),
        "withheld_secret": ZERO7,
        "withheld_prohibited": ZERO7,  # printed with the typo "2.其他法律行政止公开"
        "withheld_security": (1, 0, 0, 0, 0, 0, 1),
        "withheld_third_party": ZERO7,
        "withheld_internal": ZERO7,
        "withheld_process": (1, 0, 0, 0, 0, 0, 1),
        "withheld_enforcement": (1, 0, 0, 0, 0, 0, 1),
        "withheld_query": ZERO7,
        "unable_not_held": (31, 0, 0, 0, 0, 0, 31),
        "unable_needs_creation": (1, 0, 0, 0, 0, 0, 1),
        "unable_unclear": ZERO7,
        "declined_petition": (1, 0, 0, 0, 0, 0, 1),
        "declined_repeated": ZERO7,
        "declined_publication": ZERO7,
        "declined_vexatious": ZERO7,
        "declined_confirmation": ZERO7,
        "other_no_correction": (None,) * APPLY_COLUMNS,
        "other_unpaid": (None,) * APPLY_COLUMNS,
        "other_misc": ZERO7,
        "closed_total": (95, 0, 0, 0, 0, 0, 95),
        "carried_out": ZERO7,
    },
    "appeal": {None: (1, 1, 0, 0, 2, 1, 0, 0, 0, 1, 2, 0, 1, 0, 3)},
}


def expected_values(form_id: str, rows: dict) -> dict:
    """{cell key: value} from {table: {row key: values in the form's column order}}."""
    form = load_form(form_id)
    out = {}
    for table_id, table_rows in rows.items():
        table = form.table(table_id)
        for row_key, values in table_rows.items():
            cells = [c for c in table.cells if c.row_key == row_key]
            assert len(cells) == len(values), (table_id, row_key)
            out.update({c.key: v for c, v in zip(cells, values, strict=False)})
    assert set(out) == {c.key for c in form.cells}, "the expectation must cover every cell"
    return out


def imported(path: Path, **kw):
    result = import_report(path, **kw)
    assert result.error is None, result.error
    return result


# ---------------------------------------------------------------- the real samples


def test_city_pdf_imports_exactly_its_tables():
    result = imported(SAMPLES / "city-2024-report.pdf")
    report = result.report
    assert (report.form.id, report.unit, report.year) == ("2021", "淮安市人民政府", 2024)
    assert report.values == expected_values("2021", CITY_2024)
    assert isinstance(report.values["active_fees_amount"], Decimal)
    assert not result.match.groups
    assert result.ok and not result.findings


def test_district_pdf_is_the_hybrid_imported_as_2021_with_a_warning():
    result = imported(SAMPLES / "district-2024-report.pdf")
    report = result.report
    assert (report.form.id, report.unit, report.year) == ("2021", "淮安市洪泽区人民政府", 2024)
    assert report.values == expected_values("2021", DISTRICT_2024)
    hybrid = [f for f in result.findings if f.rule == "IMPORT-HYBRID"]
    assert len(hybrid) == 1 and hybrid[0].severity == "warning" and hybrid[0].sheet == "表三"
    assert "（六）其他处理" in hybrid[0].message and "3.其他" in hybrid[0].message
    assert result.ok  # its totals add up


@pytest.mark.parametrize("name", ["city-2024-report.pdf", "district-2024-report.pdf"])
def test_pdf_text_reading_gives_the_same_values_as_its_tables(name):
    """The fallback (text lines, labels broken over lines and pages) must agree with the table cells."""
    source = read_source(SAMPLES / name)
    reading, lines = source.fallback()
    match = match_lines(lines, load_form("2021"), reading)
    assert match.errors == []
    values = {c.key: t.number for p in match.placed for c, t in zip(p.target.cells, p.tokens, strict=False)}
    expected = expected_values("2021", CITY_2024 if name.startswith("city") else DISTRICT_2024)
    assert {k: Decimal(v) for k, v in values.items() if v is not None} == {
        k: Decimal(v) for k, v in expected.items() if v is not None
    }


def test_text_extracted_from_the_city_pdf_by_pdftotext_imports_the_same():
    report = imported(SAMPLES / "city-2024-report.pdftotext.txt").report
    assert (report.unit, report.year) == ("淮安市人民政府", 2024)
    assert report.values == expected_values("2021", CITY_2024)


def test_township_text_2019_is_all_zeros():
    result = imported(SAMPLES / "township-2019-report.txt")
    form = load_form("2019")
    assert result.report.form.id == "2019"
    assert result.report.values == {c.key: 0 for c in form.cells}
    assert result.report.unit is None and result.report.year is None
    assert {f.rule for f in result.findings if f.severity != "info"} == {"META-UNIT", "META-YEAR"}


def test_unit_and_year_given_for_a_report_without_a_title(tmp_path):
    out = tmp_path / "out"
    args = ["import", str(SAMPLES / "township-2019-report.txt"), "-o", str(out), "--json"]
    run = CliRunner().invoke(cli, [*args, "--unit", "刘楼乡人民政府", "--year", "2019"])
    assert run.exit_code == 0, run.output
    file = json.loads(run.output)["files"][0]
    assert (file["unit"], file["year"], file["ok"]) == ("刘楼乡人民政府", 2019, True)
    assert not [f for f in file["findings"] if f["rule"].startswith("META")]
    report = read_report(out / "township-2019-report.xlsx")
    assert (report.unit, report.year) == ("刘楼乡人民政府", 2019)


def test_word_template_with_blank_tables_is_all_not_filled():
    result = imported(SAMPLES / "official-2021-format-template.docx")
    form = load_form("2021")
    assert result.report.form.id == "2021"
    assert result.report.values == {c.key: None for c in form.cells}
    blanks = {f.key for f in result.findings if f.rule == "V-BLANK"}
    assert blanks == {c.key for c in form.cells}


# ---------------------------------------------------------------- synthetic reports: a tiny text renderer


def _text(value) -> str:
    return "" if value is None else str(value)


def render_text(report, label=lambda text: text, cell=_text, title=True) -> str:
    """A report as text copied from a web page: headers on their own lines, rows as 'label value value …'."""
    form = report.form
    lines = (
        [f"{report.unit}{report.year}年政府信息公开工作年度报告", "一、总体情况", "全年工作情况如下。"] if title else []
    )
    for table in form.tables:
        lines.append(table.title)
        for section in table.sections:
            if section.caption:
                lines.append(label(section.caption))
            lines.append(" ".join([section.corner or ""] + [" ".join(c.label) for c in section.columns]).strip())
            for row in section.rows:
                values = [cell(report.values.get(table.cell(row.key, c.key).key)) for c in section.columns]
                lines.append(" ".join([*(label(p) for p in row.label), *values]).strip())
    lines += ["五、存在的主要问题及改进情况", "2025 年将继续改进。"]
    return "\n".join(lines) + "\n"


def sample_report(form_id: str, seed: int = 1):
    return random_report(
        load_form(form_id), random.Random(seed), unit="城关镇人民政府", year=2024 if form_id == "2021" else 2020
    )


@pytest.mark.parametrize("form_id", ["2021", "2019"])
def test_text_report_round_trip_for_both_forms(tmp_path, form_id):
    report = sample_report(form_id)
    path = tmp_path / "report.txt"
    path.write_text(render_text(report), encoding="utf-8")
    result = imported(path)
    assert result.report.form.id == form_id
    assert (result.report.unit, result.report.year) == ("城关镇人民政府", report.year)
    assert result.report.values == report.values


VARIANTS = [
    ("1.", "1、"),  # enumeration with 、
    ("2.", "2．"),  # full-width full stop
    ("（", "("),  # half-width brackets
    ("）", ")"),
    ("、行政机关", "，行政机关"),  # comma instead of 、 in （六）1 and 2
    ("商业企业", "商业 企业"),  # spaces inside labels
    ("第二十条第", "第二十条 第"),
    ("其他法律行政法规禁止公开", "其他法律行政止公开"),  # a typo seen in a real report
    ("本机关不掌握相关政府信息", "本机关不掌握相关的政府信息"),
    ("“三安全一稳定”", '"三安全一稳定"'),
]


def test_label_variants_are_matched(tmp_path):
    report = sample_report("2021", seed=3)

    def variant(text: str) -> str:
        for old, new in VARIANTS:
            text = text.replace(old, new)
        return text

    path = tmp_path / "variants.txt"
    text = render_text(report, label=variant)
    assert "2.其他法律行政止公开" not in text and "2．其他法律行政止公开" in text
    path.write_text(text, encoding="utf-8")
    assert imported(path).report.values == report.values


def test_gb18030_text_is_read(tmp_path):
    report = sample_report("2019", seed=4)
    path = tmp_path / "gbk.txt"
    path.write_bytes(render_text(report).encode("gb18030"))
    result = imported(path)
    assert result.report.unit == "城关镇人民政府"
    assert result.report.values == report.values


def test_labels_split_by_a_page_break_are_rejoined(tmp_path):
    report = sample_report("2021", seed=5)
    text = render_text(report)
    values = " ".join(
        str(report.values[f"apply_unable_needs_creation_{c}"]) for c in load_form("2021").table("apply").col_keys
    )
    row = f"三、本年度办理结果 （四）无法提供 2.没有现成信息需要另行制作 {values}"
    assert row in text
    # As pdftotext leaves it: the group label split by the page break, the leaf label around the numbers.
    broken = f"（四）无\n\n- 4 -\n\f法提供 2.没有现成信息需要另\n{values}\n行制作"
    text = text.replace(row, broken)
    confirmation = "三、本年度办理结果 （五）不予处理 5.要求行政机关确认或重新出具已获取信息"
    assert confirmation + " " in text
    text = text.replace(confirmation + " ", "5.要求行政机关确认或重新出\f\n具已获取信息 ")
    path = tmp_path / "pages.txt"
    path.write_text(text, encoding="utf-8")
    assert imported(path).report.values == report.values


def test_blank_and_placeholder_cells_are_not_filled_and_reported(tmp_path):
    report = sample_report("2021", seed=6)
    shown = {"apply_new_research": "/", "apply_new_welfare": "-", "apply_new_legal": "—"}

    text = render_text(report)
    new_values = [str(report.values[f"apply_new_{c}"]) for c in load_form("2021").table("apply").col_keys]
    printed = list(new_values)
    for i, key in enumerate(("natural", "business", "research", "welfare", "legal", "other", "total")):
        printed[i] = shown.get(f"apply_new_{key}", printed[i])
    row = "一、本年新收政府信息公开申请数量 "
    assert row + " ".join(new_values) in text
    text = text.replace(row + " ".join(new_values), row + " ".join(printed))
    path = tmp_path / "blanks.txt"
    path.write_text(text, encoding="utf-8")
    result = imported(path)
    for key in shown:
        assert result.report.values[key] is None
    blank = {f.key for f in result.findings if f.rule == "V-BLANK"}
    assert set(shown) <= blank
    notes = {f.key: f.message for f in result.findings if f.rule == "IMPORT-BLANK"}
    assert set(notes) == set(shown) and "“/”" in notes["apply_new_research"]


def test_units_and_thousands_separators(tmp_path):
    report = sample_report("2019", seed=7)
    report.values["active_procurement_amount"] = Decimal(251000)
    report.values["active_permits_decisions"] = 1234567

    def cell(value):
        if value == Decimal(251000):
            return "251000元"
        return "1,234,567" if value == 1234567 else _text(value)

    path = tmp_path / "units.txt"
    path.write_text(render_text(report, cell=cell), encoding="utf-8")
    result = imported(path)
    assert result.report.values["active_procurement_amount"] == Decimal(251000)  # kept, not converted
    assert result.report.values["active_permits_decisions"] == 1234567
    unit = [f for f in result.findings if f.rule == "IMPORT-UNIT"]
    assert len(unit) == 1 and unit[0].severity == "warning" and unit[0].key == "active_procurement_amount"
    assert "元" in unit[0].message and "万元" in unit[0].message and "未换算" in unit[0].message


# ---------------------------------------------------------------- refusals: say exactly what is missing


def refusal(path: Path) -> str:
    result = import_report(path)
    assert isinstance(result.error, ImportRefused), result.error
    assert result.report is None
    return result.error.message


def test_missing_table_is_refused(tmp_path):
    report = sample_report("2021", seed=8)
    text = render_text(report)
    text = text[: text.index("四、政府信息公开行政复议、行政诉讼情况")]
    path = tmp_path / "no-table4.txt"
    path.write_text(text, encoding="utf-8")
    message = refusal(path)
    assert "找不到表四（四、政府信息公开行政复议、行政诉讼情况）" in message


def test_missing_row_is_named(tmp_path):
    report = sample_report("2021", seed=9)
    lines = [
        line
        for line in render_text(report).splitlines()
        if not line.startswith("三、本年度办理结果 （五）不予处理 2.重复申请")
    ]
    path = tmp_path / "no-row.txt"
    path.write_text("\n".join(lines), encoding="utf-8")
    message = refusal(path)
    assert "表三 缺少 1 行" in message and "“三、本年度办理结果 （五）不予处理 2.重复申请”" in message


def test_a_number_too_few_is_not_placed_by_position(tmp_path):
    report = sample_report("2021", seed=10)
    text = render_text(report)
    row = "四、结转下年度继续办理 " + " ".join(
        str(report.values[f"apply_carried_out_{c}"]) for c in load_form("2021").table("apply").col_keys
    )
    assert row in text
    path = tmp_path / "short.txt"
    path.write_text(text.replace(row, row.rsplit(" ", 1)[0]), encoding="utf-8")
    message = refusal(path)
    assert "表三 “四、结转下年度继续办理”" in message and "有 6 个数，应为 7 个" in message
    assert "自然人、商业企业、科研机构、社会公益组织、法律服务机构、其他、总计" in message
    assert "缺少" not in message  # the row was found; only its count is wrong


def test_an_ambiguous_label_is_refused(tmp_path):
    report = sample_report("2021", seed=11)
    text = render_text(report)
    assert "\n行政处罚 " in text
    text = text.replace("\n行政处罚 ", "\n行政处罚强制 ")
    path = tmp_path / "ambiguous.txt"
    path.write_text(text, encoding="utf-8")
    message = refusal(path)
    assert "“行政处罚强制" in message and "无法确定是哪一行" in message
    assert "行政处罚" in message and "行政强制" in message


def test_a_row_printed_twice_with_different_numbers_is_refused(tmp_path):
    report = sample_report("2021", seed=12)
    text = render_text(report).replace("\n规章 ", "\n规章 7 7 7\n规章 ", 1)
    path = tmp_path / "twice.txt"
    path.write_text(text, encoding="utf-8")
    assert "“第二十条第（一）项 规章” 出现了不止一行" in refusal(path)


def test_no_tables_at_all(tmp_path):
    path = tmp_path / "prose.txt"
    path.write_text(
        "某某镇人民政府2024年政府信息公开工作年度报告\n一、总体情况\n全年主动公开信息 120 条。\n", encoding="utf-8"
    )
    message = refusal(path)
    for sheet in ("表二", "表三", "表四"):
        assert f"找不到{sheet}" in message


# ---------------------------------------------------------------- HTML and Word layouts of the standard tables


def render_html(report) -> str:
    parts = ["<html><head><meta charset='utf-8'><title>年报</title></head><body>"]
    parts.append(f"<h1>{report.unit}{report.year}年政府信息公开工作年度报告</h1><p>一、总体情况</p>")
    for table in report.form.tables:
        parts.append(f"<h2>{table.title}</h2><table border='1'>")
        grid = table_grid(table, report)
        for row in sorted({r for r, _ in grid}):
            parts.append("<tr>")
            for (r, _c), (text, rowspan, colspan) in sorted(grid.items()):
                if r == row:
                    parts.append(f"<td rowspan='{rowspan}' colspan='{colspan}'>{text}</td>")
            parts.append("</tr>")
        parts.append("</table>")
    return "".join(parts) + "<p>五、存在的主要问题及改进情况</p></body></html>"


@pytest.mark.parametrize("form_id", ["2021", "2019"])
def test_html_tables_in_the_standard_layout(tmp_path, form_id):
    report = sample_report(form_id, seed=20)
    path = tmp_path / "report.html"
    path.write_text(render_html(report), encoding="utf-8")
    result = imported(path)
    assert result.report.form.id == form_id and result.report.unit == "城关镇人民政府"
    assert result.report.values == report.values


def test_table_row_split_by_a_page_break(tmp_path):
    """A PDF/Word table row broken over two pages: the label starts on a row of empty cells."""
    report = sample_report("2021", seed=23)
    html = render_html(report)
    leaf = "5.要求行政机关确认或重新出具已获取信息"
    assert f">{leaf}</td>" in html
    empty = "<td rowspan='1' colspan='1'></td>" * APPLY_COLUMNS
    html = html.replace(f">{leaf}</td>", f">5.要求行政机关确认或重新出</td>{empty}</tr><tr><td>具已获取信息</td>")
    path = tmp_path / "split.html"
    path.write_text(html, encoding="utf-8")
    assert imported(path).report.values == report.values


def test_html_in_gbk_with_declared_charset(tmp_path):
    report = sample_report("2021", seed=21)
    html = render_html(report).replace("charset='utf-8'", "charset='gbk'")
    path = tmp_path / "gbk.html"
    path.write_bytes(html.encode("gbk"))
    assert imported(path).report.values == report.values


@pytest.mark.parametrize("form_id", ["2021", "2019"])
def test_word_tables_in_the_standard_layout(tmp_path, form_id):
    report = sample_report(form_id, seed=22)
    path = tmp_path / "report.docx"
    render_docx(report, path)
    result = imported(path)
    assert result.report.form.id == form_id and result.report.year == report.year
    assert result.report.values == report.values


# ---------------------------------------------------------------- the command


def test_cli_imports_a_folder_and_writes_workbooks_that_validate_the_same(tmp_path):
    reports = tmp_path / "reports"
    reports.mkdir()
    for name in ("city-2024-report.pdf", "district-2024-report.pdf", "township-2019-report.txt"):
        shutil.copy(SAMPLES / name, reports / name)
    out = tmp_path / "out"
    run = CliRunner().invoke(cli, ["import", str(reports), "-o", str(out), "--json"])
    assert run.exit_code == 0, run.output
    files = {Path(f["path"]).name: f for f in json.loads(run.output)["files"]}
    assert files["district-2024-report.pdf"]["hybrid"] is True
    assert files["city-2024-report.pdf"]["form"] == "2021" and files["township-2019-report.txt"]["form"] == "2019"
    for name, entry in files.items():
        workbook = Path(entry["output"])
        assert workbook == out / f"{Path(name).stem}.xlsx" and workbook.exists()
        checked = check_file(workbook)
        imported_findings = [f for f in entry["findings"] if not f["rule"].startswith("IMPORT-")]
        assert [(f.rule, f.cell) for f in checked.findings] == [(f["rule"], f["cell"]) for f in imported_findings]
    city = read_report(out / "city-2024-report.xlsx")
    assert city.values == expected_values("2021", CITY_2024)
    assert (city.unit, city.year) == ("淮安市人民政府", 2024)


def test_cli_refuses_without_writing_and_exits_1(tmp_path):
    path = tmp_path / "prose.txt"
    path.write_text("一、总体情况\n全年主动公开信息 120 条。\n", encoding="utf-8")
    out = tmp_path / "out"
    run = CliRunner().invoke(cli, ["import", str(path), "-o", str(out)])
    assert run.exit_code == 1
    assert "找不到表二" in run.output and "未写出工作簿" in run.output
    assert not out.exists() or not any(out.iterdir())


def test_cli_unreadable_file_exits_2(tmp_path):
    bad = tmp_path / "report.pdf"
    bad.write_bytes(b"not a pdf")
    run = CliRunner().invoke(cli, ["import", str(bad), "-o", str(tmp_path / "out"), "--json"])
    assert run.exit_code == 2
    entry = json.loads(run.output)["files"][0]
    assert entry["ok"] is False and "PDF" in entry["error"]


def test_cli_explain_shows_labels_and_cells(tmp_path):
    run = CliRunner().invoke(
        cli, ["import", str(SAMPLES / "district-2024-report.pdf"), "-o", str(tmp_path), "--explain"]
    )
    assert run.exit_code == 0, run.output
    assert "2.其他法律行政止公开" in run.output
    line = next(x for x in run.output.splitlines() if "其他法律行政止公开" in x)
    assert "2.其他法律行政法规禁止公开" in line and "D11=0" in line
    assert any("（六）其他处理" in x and "D28=0" in x for x in run.output.splitlines())
    assert "IMPORT-HYBRID" in run.output


def test_same_named_reports_from_two_folders_get_two_workbooks(tmp_path):
    for folder in ("甲", "乙"):
        (tmp_path / folder).mkdir()
        shutil.copy(SAMPLES / "township-2019-report.txt", tmp_path / folder / "年报.txt")
    out = tmp_path / "out"
    run = CliRunner().invoke(cli, ["import", str(tmp_path / "甲"), str(tmp_path / "乙"), "-o", str(out), "--json"])
    outputs = [f["output"] for f in json.loads(run.output)["files"]]
    assert outputs == [str(out / "年报.xlsx"), str(out / "年报-2.xlsx")]
    assert sorted(p.name for p in out.iterdir()) == ["年报-2.xlsx", "年报.xlsx"]


def test_unit_and_year_options_win_over_the_title_with_a_note(tmp_path):
    args = ["import", str(SAMPLES / "city-2024-report.pdftotext.txt"), "-o", str(tmp_path), "--json"]
    run = CliRunner().invoke(cli, [*args, "--unit", "淮安市人民政府办公室", "--year", "2023"])
    file = json.loads(run.output)["files"][0]
    assert (file["unit"], file["year"]) == ("淮安市人民政府办公室", 2023)
    notes = [f["message"] for f in file["findings"] if f["rule"] == "IMPORT-TITLE"]
    assert any("--unit" in n and "淮安市人民政府办公室" in n and "“淮安市人民政府”" in n for n in notes), notes
    assert any("--year" in n and "2023" in n and "2024" in n for n in notes), notes
    report = read_report(tmp_path / "city-2024-report.pdftotext.xlsx")
    assert (report.unit, report.year) == ("淮安市人民政府办公室", 2023)
