"""Building hostile inputs for the tests/test_hostile*.py files: real workbooks, one part rewritten."""

from __future__ import annotations

import random
import re
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

from gkxl.form.model import load_form
from gkxl.workbook.sample import random_report, write_report

ROOT = Path(__file__).resolve().parent.parent
# What a user must never see: a traceback, an English error, a raw escape sequence.
ENGLISH = re.compile(r"Traceback|Error:|Usage:|Invalid value|No such file|Is a directory|Errno|Permission denied")


def good(folder: Path, name: str = "东街乡", unit: str | None = None, seed: int = 7, year: int = 2024) -> Path:
    report = random_report(load_form("2021"), random.Random(seed), unit=unit or f"{name}人民政府", year=year)
    return write_report(report, folder / f"{name}.xlsx")


def rewrite(src: Path, dst: Path, part: str, edit: Callable[[bytes], bytes]) -> Path:
    """A copy of `src` with one zip part edited (every other part byte for byte as it was)."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            zout.writestr(info, edit(data) if info.filename == part else data)
    return dst


def sheet_xml(name: int) -> str:
    """The part of the n-th sheet in a workbook written by gkxl (封面 1, 表二 2, …)."""
    return f"xl/worksheets/sheet{name}.xml"


def add_cell(xml: bytes, address: str, inner: str = "<v>1</v>", attrs: str = 't="n"') -> bytes:
    row = re.sub(r"\D", "", address)
    cell = f'<row r="{row}"><c r="{address}" {attrs}>{inner}</c></row>'
    return xml.replace(b"</sheetData>", f"{cell}</sheetData>".encode())


def set_cover_text(xml: bytes, address: str, raw_xml_value: str) -> bytes:
    """Replace the cover cell `address` with an inline string holding `raw_xml_value` (already escaped)."""
    cell = re.compile(rf'<c r="{address}"[^>]*?(?:/>|>.*?</c>)'.encode(), re.S)
    new = f'<c r="{address}" t="inlineStr"><is><t>{raw_xml_value}</t></is></c>'.encode()
    assert cell.search(xml), address
    return cell.sub(new, xml, count=1)


def set_cover_number(xml: bytes, address: str, number: str) -> bytes:
    cell = re.compile(rf'<c r="{address}"[^>]*?(?:/>|>.*?</c>)'.encode(), re.S)
    assert cell.search(xml), address
    return cell.sub(f'<c r="{address}" t="n"><v>{number}</v></c>'.encode(), xml, count=1)


def snapshot(*folders: Path) -> dict[str, tuple[bytes, int]]:
    """Every file under `folders`: content and modification time, to show nothing outside the output changed."""
    out = {}
    for folder in folders:
        for p in sorted(folder.rglob("*")):
            if p.is_file() and not p.is_symlink():
                out[str(p)] = (p.read_bytes(), p.stat().st_mtime_ns)
    return out


def gkxl(*args: object, timeout: float = 120, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """A real `gkxl` process (a far cell or a pipe must not kill or hang the test run itself)."""
    done = subprocess.run(
        [sys.executable, "-m", "gkxl", *map(str, args)],
        cwd=cwd or ROOT,
        capture_output=True,
        timeout=timeout,
        text=True,
        encoding="utf-8",
    )
    said = done.stdout + done.stderr
    assert not ENGLISH.search(said), said
    assert "\x1b" not in said, said
    return done
