"""The status workbook and page: what a person opens, prints and looks at."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from gkxl.cli import cli
from tests.season_county import ALIAS_UNIT, last_year, make_inbox, write_roster

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
SOFFICE = shutil.which("soffice")
DOCS = Path(__file__).resolve().parents[1] / "docs"


@pytest.fixture(scope="module")
def county(tmp_path_factory):
    root = tmp_path_factory.mktemp("county-outputs")
    make_inbox(root / "收件箱")
    write_roster(root / "名册.xlsx")
    last_year(root / "2023年")
    return root


def status(county: Path, output: Path, *extra: str):
    args = ["status", str(county / "收件箱"), "--roster", str(county / "名册.xlsx"), "-o", str(output), *extra]
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 1, result.output
    assert f"已写出报送情况：{output}" in result.output
    return result


def test_status_workbook(county, tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "报送情况.xlsx"
    status(county, out)
    wb = load_workbook(out)
    assert wb.sheetnames == ["报送情况", "催报"]
    ws = wb["报送情况"]
    assert [c.value for c in ws[2]][:5] == ["序号", "单位代码", "单位名称", "单位类型", "状态"]
    assert ws.auto_filter.ref == "A2:K34"  # 30 units + 2 名册外
    assert ws.print_title_rows == "$1:$2" and int(ws.page_setup.paperSize) == 9 and ws.page_setup.fitToWidth == 1
    rows = {r[2].value: r for r in ws.iter_rows(min_row=3)}
    assert rows["西顺河镇人民政府"][4].value == "不通过" and rows["西顺河镇人民政府"][7].value == 2
    assert rows["西顺河镇人民政府"][4].fill.fgColor.rgb == "FFFF8F8F"
    assert rows["城关镇人民政府"][4].fill.fgColor.rgb == "FFC6EFCE"
    assert rows[ALIAS_UNIT[0]][5].value == "洪泽区年报.xlsx"
    chase = wb["催报"]
    assert chase.print_title_rows == "$1:$2" and chase.auto_filter.ref.startswith("A2:F")
    lines = {r[1].value: r for r in chase.iter_rows(min_row=3)}
    assert len(lines) == 12  # 7 missing, 2 errors, 1 incomplete, 1 unexplained, 1 conflict
    wrong = lines["县公安局"]
    assert (wrong[3].value, wrong[4].value) == ("联系人13", "0517-8000013")
    assert "必须修改：表三 一、本年新收政府信息公开申请数量·总计" in wrong[5].value
    assert lines["县商务局"][5].value == "尚未报送"
    assert "城关镇人民政府" not in lines


@pytest.mark.libreoffice
@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
def test_status_workbook_prints_on_a4(county, tmp_path):
    out = tmp_path / "报送情况.xlsx"
    status(county, out)
    profile = tmp_path / "lo-profile"
    command = [SOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "pdf",
               "--outdir", str(tmp_path), str(out)]  # fmt: skip
    subprocess.run(command, check=True, capture_output=True, timeout=180)
    import pypdfium2

    pdf = pypdfium2.PdfDocument(tmp_path / "报送情况.pdf")
    assert len(pdf) == 2  # one page per sheet
    width, height = pdf[0].get_size()
    assert round(width) == 842 and round(height) == 595  # A4 landscape, in points
    text = pdf[0].get_textpage().get_text_range()
    assert "高新技术产业开发区管理委员会" in text and "SHA-256" in text  # the last row and column are on the page
    assert "县统计局" in pdf[1].get_textpage().get_text_range()


def test_status_page_is_standalone(county, tmp_path):
    out = tmp_path / "报送情况.html"
    status(county, out, "--previous", str(county / "2023年"))
    html = out.read_text(encoding="utf-8")
    assert "<script" not in html and "http://" not in html.replace("http://www.w3.org/2000/svg", "")
    assert "https://" not in html and "<link" not in html
    assert html.count('<svg class="chart"') == 3  # the three units with a report last year, one by alias
    assert 'aria-label="洪泽区人民政府 本年与上年"' in html
    assert '<div class="count" style="background:#F4B6B6"><b>7</b>未报送</div>' in html


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed")
def test_status_page_screenshot(county, tmp_path):
    """Render the page in headless Chromium; with GKXL_DOCS=1 the picture replaces docs/status-page.png."""
    from PIL import Image

    out = tmp_path / "报送情况.html"
    status(county, out, "--previous", str(county / "2023年"))
    png = tmp_path / "status-page.png"
    command = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars",
               f"--user-data-dir={tmp_path / 'chromium'}", "--window-size=1200,900", f"--screenshot={png}",
               out.as_uri()]  # fmt: skip
    subprocess.run(command, check=True, capture_output=True, timeout=120)
    image = Image.open(png).convert("RGB")
    assert image.size == (1200, 900)
    colours = {image.getpixel((x, y)) for x in range(0, 1200, 8) for y in range(60, 200, 4)}
    assert (0xF4, 0xB6, 0xB6) in colours and (0xC6, 0xEF, 0xCE) in colours  # the bar of counts is drawn
    blue = {image.getpixel((x, y)) for x in range(900, 1200, 2) for y in range(200, 900, 2)}
    assert (0x3B, 0x7D, 0xD8) in blue  # this year's bars of the charts
    if os.environ.get("GKXL_DOCS") == "1":
        shutil.copyfile(png, DOCS / "status-page.png")


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed")
def test_status_page_prints_on_a4_with_the_header_repeated(county, tmp_path):
    import pypdfium2

    out = tmp_path / "报送情况.html"
    status(county, out, "--previous", str(county / "2023年"))
    pdf_path = tmp_path / "page.pdf"
    command = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run", "--no-pdf-header-footer",
               f"--user-data-dir={tmp_path / 'chromium'}", f"--print-to-pdf={pdf_path}", out.as_uri()]  # fmt: skip
    subprocess.run(command, check=True, capture_output=True, timeout=120)
    pdf = pypdfium2.PdfDocument(pdf_path)
    assert len(pdf) >= 2
    for page in pdf:
        width, height = page.get_size()
        assert round(width) == 842 and round(height) == 595  # A4 landscape
    texts = [page.get_textpage().get_text_range() for page in pdf]
    assert all("需要处理的问题" in text for text in texts[:-1])  # the table header on every page of the table
    assert "需要处理的问题" in texts[-1] or texts[-1].lstrip().startswith("名册外的文件")
    assert "高新技术产业开发区管理委员会" in texts[-1] or "名册外的文件" in texts[-1]
