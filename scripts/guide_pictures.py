"""Render the clerk guide's pictures: a filled 表三 with one total not updated, as LibreOffice shows it
(docs/broken-total.png), and the top of the same workbook's 校验 sheet (docs/checks-sheet.png).

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


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs"))
