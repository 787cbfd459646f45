"""What a person sees and prints: every output kind printed to PDF (LibreOffice for workbooks and DOCX,
headless Chromium for HTML), its pages counted by the sheet named in each page's footer, and the first
page's image checked (not blank, nothing running off the right edge).

One LibreOffice call converts every workbook and document (it is the slow part), with its own profile.
"""

from __future__ import annotations

import json
import random
import re
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest

from gkxl.check.validate import check_file
from gkxl.form.model import load_form, parse_form
from gkxl.merge.combine import merge
from gkxl.read.reader import RESULTS_SHEET
from gkxl.render import banner_text, render
from gkxl.workbook.annotate import annotate
from gkxl.workbook.sample import random_report, write_report

SOFFICE, CHROMIUM, PDFTOPPM = shutil.which("soffice"), shutil.which("chromium"), shutil.which("pdftoppm")
pytestmark = pytest.mark.skipif(
    not (SOFFICE and PDFTOPPM), reason="LibreOffice (soffice) and poppler-utils (pdftoppm) are needed"
)
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed")
EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
WORKBOOKS = EXAMPLES.parent / "workbook"
ERRORS_EXAMPLE = EXAMPLES / "with-errors" / "2024-shiqiao.xlsx"
SUMMARY_UNITS = 30


def tall_form():
    """Form 2021 with 40 more rows in 表三: too tall for one page, so its group label must be repeated."""
    from importlib import resources

    data = json.loads(resources.files("gkxl.form").joinpath("forms/2021.json").read_text(encoding="utf-8"))
    apply = next(t for t in data["tables"] if t["id"] == "apply")
    rows = apply["sections"][0]["rows"]
    last = max(r["row"] for r in rows)
    rows += [{"key": f"extra{i}", "label": ["五、附加", f"{i}.附加第{i}项"], "row": last + i} for i in range(1, 41)]
    return parse_form(data)


@pytest.fixture(scope="module")
def printed(tmp_path_factory) -> dict[str, Path]:
    """name -> PDF of every output kind."""
    tmp = tmp_path_factory.mktemp("looks")
    inputs: dict[str, Path] = {}
    for name, source in (("filled", "2024-chengguan.xlsx"), ("old", "form-2019/2020-liulou.xlsx")):
        inputs[name] = shutil.copy(EXAMPLES / source, tmp / f"{name}.xlsx")
    for form_id, suffix in (("2021", ".xlsx"), ("2019", ".xlsm")):  # the committed templates, as handed out
        name = f"blank-{form_id}{suffix}"
        inputs[name] = shutil.copy(WORKBOOKS / f"gkxl-{form_id}{suffix}", tmp / name)
    errors = shutil.copy(ERRORS_EXAMPLE, tmp / "errors.xlsx")
    inputs["annotated"] = annotate(errors, check_file(errors).findings, tmp / "annotated.xlsx")
    towns = [
        write_report(
            random_report(load_form("2021"), random.Random(i), unit=f"第{i + 1}号乡镇人民政府", year=2024, scale=4),
            tmp / "towns" / f"{i:02}.xlsx",
        )
        for i in range(SUMMARY_UNITS)
    ]
    inputs["summary"] = merge(towns, tmp / "summary.xlsx", unit="某县人民政府", workers=1).output
    for amount in ("5", "96171.6"):
        report = random_report(load_form("2021"), random.Random(1), unit="某镇", year=2024)
        report.values["active_fees_amount"] = Decimal(amount)
        inputs[f"fees-{amount}"] = write_report(report, tmp / f"fees-{amount}.xlsx")
    result = check_file(errors)
    inputs["errors-docx"] = render(result.report, tmp / "errors-docx.docx", banner_text(result))
    inputs["old-docx"] = render(check_file(inputs["old"]).report, tmp / "old-docx.docx")
    tall = random_report(tall_form(), random.Random(2), unit="某镇", year=2024)
    inputs["tall-docx"] = render(tall, tmp / "tall-docx.docx")
    profile = f"-env:UserInstallation={(tmp / 'profile').as_uri()}"
    convert = [SOFFICE, profile, "--headless", "--convert-to", "pdf", "--outdir", str(tmp / "pdf")]
    subprocess.run([*convert, *map(str, inputs.values())], check=True, capture_output=True, timeout=600)
    out = {name: tmp / "pdf" / f"{path.stem}.pdf" for name, path in inputs.items()}
    assert len({p.name for p in out.values()}) == len(out)  # one PDF per input
    if CHROMIUM:
        out["errors-html"] = _chromium(render(result.report, tmp / "errors.html", banner_text(result)), tmp)
        out["plain-html"] = _chromium(render(result.report, tmp / "plain.html"), tmp)
        out["tall-html"] = _chromium(render(tall, tmp / "tall.html"), tmp)
    return out


def _chromium(html: Path, tmp: Path) -> Path:
    pdf = html.with_suffix(".pdf")
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={tmp / 'chromium'}",
             "--no-pdf-header-footer", f"--print-to-pdf={pdf}"]  # fmt: skip
    subprocess.run([CHROMIUM, *flags, html.as_uri()], check=True, capture_output=True, timeout=120)
    return pdf


def page_texts(pdf: Path, layout: bool = True) -> list[str]:
    """Each page's text; `layout=False`: in reading order with no whitespace, so a label wrapped in its
    cell reads whole."""
    args = ["pdftotext", *(["-layout"] if layout else []), str(pdf), "-"]
    pages = subprocess.run(args, capture_output=True, check=True).stdout.decode().split("\f")[:-1]
    return pages if layout else [re.sub(r"\s+", "", t) for t in pages]


def footer_sheets(pdf: Path) -> list[str | None]:
    """The sheet each page prints, from its footer ('unit  sheet  第 n 页，共 m 页'); None without one."""
    out = []
    for text in page_texts(pdf):
        lines = [line for line in text.splitlines() if line.strip()]
        match = re.fullmatch(r"\s*(\S+)\s+(\S+)\s+第 \d+ 页，共 \d+ 页\s*", lines[-1]) if lines else None
        out.append(match.group(2) if match else None)
    return out


def first_page(pdf: Path, dpi: int = 50):
    from PIL import Image

    stem = pdf.with_name(f"{pdf.stem}-page")
    subprocess.run([PDFTOPPM, "-png", "-r", str(dpi), "-f", "1", "-l", "1", "-singlefile", str(pdf), str(stem)],
                   check=True)  # fmt: skip
    return Image.open(stem.with_suffix(".png")).convert("L")


def assert_looks_printed(pdf: Path) -> None:
    """Page 1 holds something, and nothing runs into the right margin (a cut-off column or message would)."""
    image = first_page(pdf)
    width, height = image.size
    dark = [x for x in range(width) for y in range(0, height, 2) if image.getpixel((x, y)) < 128]
    assert len(dark) > 200, f"{pdf.name}: page 1 is blank"
    assert max(dark) < width * 0.96, f"{pdf.name}: content reaches the right edge"


# --- workbooks ---------------------------------------------------------------------------------------------


def test_filled_workbook_one_page_per_sheet(printed):
    sheets = footer_sheets(printed["filled"])
    for sheet in ("封面", "表二", "表三", "表四", "上年数据"):
        assert sheets.count(sheet) == 1, (sheet, sheets)
    assert_looks_printed(printed["filled"])
    texts = page_texts(printed["filled"])
    appeal = texts[sheets.index("表四")]
    assert "城关镇人民政府" in appeal and "表四" in appeal and re.search(r"第 \d+ 页，共 \d+ 页", appeal)


@pytest.mark.parametrize("name", ["blank-2021.xlsx", "blank-2019.xlsm"])
def test_blank_templates_one_page_per_form_sheet(printed, name):
    sheets = footer_sheets(printed[name])
    form_sheets = ["封面", "表二", "表三", "表四", "上年数据"]
    assert [s for s in sheets if s in form_sheets] == form_sheets  # one page each; the buttons do not print
    assert {s for s in sheets if s} - set(form_sheets) <= {"依申请台账", "复议诉讼台账", "校验"}  # each with its footer
    texts = page_texts(printed[name])
    assert all(name in texts[sheets.index(s)] for s in ("表二", "表三"))  # the file name, until a unit is filled
    assert_looks_printed(printed[name])


def test_2019_header_is_not_cut(printed):
    sheets = footer_sheets(printed["old"])
    active = page_texts(printed["old"])[sheets.index("表二")]
    assert "保留4位" in active and "小数）" in active  # the second line of the header shows
    assert re.search(r"政府集中采购\s+\d+\s+\d+\.\d{4}\b", active)  # 保留4位小数, as the form asks


def test_money_shows_as_typed(printed):
    """0.#### in the template, with the trailing dot of a whole amount dropped by a conditional format."""
    for amount in ("5", "96171.6"):
        sheets = footer_sheets(printed[f"fees-{amount}"])
        active = page_texts(printed[f"fees-{amount}"])[sheets.index("表二")]
        assert re.search(r"行政事业性收费\s+(\S+)", active).group(1) == amount


def test_results_sheet_of_the_error_example_on_one_page(printed):
    sheets = footer_sheets(printed["annotated"])
    assert sheets.count(RESULTS_SHEET) == 1
    page = page_texts(printed["annotated"])[sheets.index(RESULTS_SHEET)]
    assert "石桥镇人民政府" in page and "T4-REVIEW" in page
    assert "请只填写阿拉伯数字" in page or "不是数字" in page  # the long message wraps, it is not cut


def test_summary_detail_sheet_on_at_most_8_pages(printed):
    sheets = footer_sheets(printed["summary"])
    assert 1 <= sheets.count("汇总明细") <= 8, sheets
    assert sheets.count("来源") == 1
    detail = [t for t, s in zip(page_texts(printed["summary"]), sheets, strict=True) if s == "汇总明细"]
    assert all("行标签" in t and "合计" in t for t in detail)  # the header row repeats on every page
    assert f"第{SUMMARY_UNITS}号乡" in detail[0] and "某县人民政府" in detail[0]
    cover = page_texts(printed["summary"], layout=False)[0]
    assert "黄色单元格为填报项" not in cover and f"本表为汇总表：由{SUMMARY_UNITS}份报告汇总" in cover
    assert_looks_printed(printed["summary"])


# --- rendered tables -------------------------------------------------------------------------------------


def test_docx_banner_and_pages(printed):
    texts = page_texts(printed["errors-docx"])
    assert "校验未通过" in texts[0] and "处必须修改" in texts[0]
    assert "校验未通过" not in "".join(page_texts(printed["old-docx"]))
    assert re.search(r"政府集中采购\s+\d+\s+\d+\.\d{4}\b", page_texts(printed["old-docx"])[0])
    for name in ("errors-docx", "old-docx"):
        assert len(texts) == 2, name  # 表二 on page 1; 表三 and 表四 whole on page 2
        assert_looks_printed(printed[name])
    assert "三、收到和处理政府信息公开申请情况" in texts[1] and "四、结转下年度继续办理" in texts[1]


def test_docx_table_taller_than_a_page_repeats_header_and_group_label(printed):
    texts = page_texts(printed["tall-docx"], layout=False)
    continued = [t for t in texts if "（续）" in t]
    assert continued, "the tall 表三 was not cut"
    for text in continued:
        assert "申请人情况" in text and "五、附加" in text  # the column header and the group label
    assert "40.附加第40项" in texts[-1] and "四、政府信息公开行政复议" in texts[-1]


@needs_chromium
def test_html_banner_unless_asked_not_to(printed):
    assert "校验未通过" in page_texts(printed["errors-html"])[0]
    assert "校验未通过" not in "".join(page_texts(printed["plain-html"]))
    assert_looks_printed(printed["errors-html"])


@needs_chromium
def test_html_table_taller_than_a_page_repeats_its_group_label(printed):
    texts = page_texts(printed["tall-html"], layout=False)
    pages = [t for t in texts if "附加第" in t]
    assert len(pages) >= 2
    assert all("五、附加" in t and "申请人情况" in t for t in pages)
    assert any("（续）" in t for t in pages)
