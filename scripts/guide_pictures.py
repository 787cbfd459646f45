"""Render the clerk guide's pictures: a filled 表三 with one total not updated, as LibreOffice shows it
(docs/broken-total.png), the top of the same workbook's 校验 sheet (docs/checks-sheet.png), and a filled
依申请台账 with the COUNTIFS block beside it (docs/ledger-sheet.png).

Run once from the repository root (needs LibreOffice, poppler-utils and Pillow):
    python scripts/guide_pictures.py [docs/]
Pages are picked from the PDF by their title. The red cells are the conditional formats and formulas every
template carries (gkxl.workbook.checks_sheet), not marks added for the picture.
"""

from __future__ import annotations

import random
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this checkout's gkxl, not an installed one

from gkxl.form.model import load_form
from gkxl.workbook.checks_sheet import TITLE
from gkxl.workbook.sample import fill_workbook, random_report
from gkxl.workbook.template import build_workbook

BROKEN = "apply_closed_total_natural"  # （七）总计·自然人, raised by 1 as if a late case was not added to a part
DPI = 150
MARGIN = 12  # pixels of white kept around the table
FOOTER = DPI * 7 // 10  # the bottom 0.7 inch of a page: its footer (unit, sheet, page number)
CHECKS_HEIGHT = 0.45  # the share of the 校验 page shown: the verdict and the first rules


def _workbook(path: Path) -> None:
    report = random_report(load_form("2021"), random.Random(4), unit="石桥镇人民政府", year=2024, scale=4)
    report.values[BROKEN] += 1
    wb = build_workbook(report.form)
    fill_workbook(wb, report)
    wb.save(path)


# 编号, 收到日期, 申请人类型, 申请内容, 办理结果 (the key of its 表三 row), 办结日期
LEDGER_ROWS = [
    ("2023-031", (2023, 12, 18), "自然人", "某小区规划许可文件", "granted", (2024, 1, 9)),
    ("2024-001", (2024, 1, 15), "自然人", "2023年低保发放名单", "granted", (2024, 2, 2)),
    ("2024-002", (2024, 2, 20), "商业企业", "某地块土地征收批复", "partial", (2024, 3, 12)),
    ("2024-003", (2024, 3, 4), "自然人", "某信访事项处理情况", "declined_petition", (2024, 3, 20)),
    ("2024-004", (2024, 4, 8), "法律服务机构", "某行政处罚决定书", "withheld_third_party", (2024, 4, 30)),
    ("2024-005", (2024, 5, 16), "自然人", "镇政府会议纪要", "withheld_process", (2024, 6, 5)),
    ("2024-006", (2024, 7, 1), "社会公益组织", "河道整治资金使用情况", "granted", (2024, 7, 19)),
    ("2024-007", (2024, 9, 9), "自然人", "某村宅基地审批资料", "unable_not_held", (2024, 9, 27)),
    ("2024-008", (2024, 12, 23), "科研机构", "近五年人口统计数据", None, None),
]


def _ledger_workbook(path: Path) -> None:
    """A 2024 ledger (one application carried over from 2023, one still open), 表三 filled from it."""
    import datetime as dt

    from gkxl.ledger.count import tally
    from gkxl.ledger.rows import Ledger, ledger_from_grids
    from gkxl.ledger.spec import APPLY_HEADERS, APPLY_SHEET, apply_spec
    from gkxl.workbook.ledger_sheets import fill_from_ledger

    form = load_form("2021")
    wb = build_workbook(form)
    wb["封面"]["B3"], wb["封面"]["B4"] = "石桥镇人民政府", 2024
    ws = wb[APPLY_SHEET]
    label = {key: text for text, key in apply_spec(form).results}
    for r, (number, got, who, what, result, done) in enumerate(LEDGER_ROWS, 2):
        values = (number, dt.date(*got), who, what, label.get(result), dt.date(*done) if done else None)
        for c, value in enumerate(values, 1):
            ws.cell(r, c, value).number_format = "yyyy-mm-dd" if APPLY_HEADERS[c - 1].endswith("日期") else "@"
    grid = [[c.value for c in row] for row in ws.iter_rows(max_col=len(APPLY_HEADERS))]
    ledger: Ledger = ledger_from_grids(form, {APPLY_SHEET: grid})
    fill_from_ledger(wb, form, tally(form, ledger, 2024))
    ws.print_area = f"A1:P{len(form.table('apply').row_keys) + 2}"  # the picture shows the formula block too
    wb.save(path)


def _page(pdf: Path, title: str) -> int:
    """The first page of `pdf` whose text holds `title`."""
    for page in range(1, 50):
        text = subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), str(pdf), "-"], capture_output=True)
        if text.returncode:
            break
        if title in text.stdout.decode("utf-8", "replace").replace(" ", ""):
            return page
    raise SystemExit(f"{title} not found in {pdf}")


def _picture(pdf: Path, title: str, out: Path, height: float = 1.0) -> None:
    """The page titled `title`, its white margins cut (Pillow), its top `height` share kept."""
    from PIL import Image, ImageChops

    page = str(_page(pdf, title))
    stem = pdf.with_name(f"page-{page}")
    subprocess.run(["pdftoppm", "-png", "-r", str(DPI), "-f", page, "-l", page, "-singlefile", pdf, stem], check=True)
    image = Image.open(stem.with_suffix(".png")).convert("RGB")
    image = image.crop((0, 0, image.width, image.height - FOOTER))  # the page footer is not part of the picture
    left, top, right, bottom = ImageChops.difference(image, Image.new("RGB", image.size, "white")).getbbox()
    bottom = top + int((bottom - top) * height)
    image.crop((left - MARGIN, top - MARGIN, right + MARGIN, bottom + MARGIN)).save(out, optimize=True)
    print(out)


def main(outdir: Path) -> None:
    outdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        _workbook(tmp / "broken.xlsx")
        profile = f"-env:UserInstallation={(tmp / 'profile').as_uri()}"
        soffice = [shutil.which("soffice") or "soffice", profile, "--headless", "--convert-to", "pdf"]
        subprocess.run([*soffice, "--outdir", str(tmp), str(tmp / "broken.xlsx")], check=True, capture_output=True)
        pdf = tmp / "broken.pdf"
        _picture(pdf, load_form("2021").table("apply").title, outdir / "broken-total.png")
        _picture(pdf, TITLE, outdir / "checks-sheet.png", CHECKS_HEIGHT)
        _ledger_workbook(tmp / "ledger.xlsx")
        subprocess.run([*soffice, "--outdir", str(tmp), str(tmp / "ledger.xlsx")], check=True, capture_output=True)
        _picture(tmp / "ledger.pdf", "申请人类型", outdir / "ledger-sheet.png")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs"))
