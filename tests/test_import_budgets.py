"""Hostile and odd inputs to `gkxl import` (issue 18 items 5 and 12): each is built here, refused fast with one
Chinese message (or imported, for UTF-16 and unusual digits), and the other files of a batch go on."""

from __future__ import annotations

import json
import shutil
import struct
import time
import zlib
from pathlib import Path

import pytest
from click.testing import CliRunner

from gkxl.cli import cli
from gkxl.errors import ReadError
from gkxl.importer import import_report
from gkxl.importer.budget import MAX_PAGES

SAMPLES = Path(__file__).parent / "fixtures" / "samples"
CATALOG = b"<< /Type /Catalog /Pages 2 0 R >>"
FAST = 5.0  # seconds; each refusal takes well under one on an idle machine


def pdf_bytes(objects: list[bytes]) -> bytes:
    """A PDF with the given objects (1 is the catalog) and a correct xref table."""
    parts, offsets, size = [b"%PDF-1.4\n"], [], 9
    for i, body in enumerate(objects, 1):
        offsets.append(size)
        parts.append(f"{i} 0 obj\n".encode() + body + b"\nendobj\n")
        size += len(parts[-1])
    out, xref = b"".join(parts), size
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return out


def zeros_deflate(mib: int, raw: bool = False) -> bytes:
    """A deflate stream of `mib` MiB of zeros, built from one flushed block repeated (no GiB is compressed)."""
    c = zlib.compressobj(9, zlib.DEFLATED, -15 if raw else 15)
    chunk = bytes(1 << 20)
    head = c.compress(chunk) + c.flush(zlib.Z_FULL_FLUSH)
    block = c.compress(chunk) + c.flush(zlib.Z_FULL_FLUSH)
    return head + block * (mib - 2) + c.compress(chunk) + c.flush()


def refused(path: Path) -> str:
    start = time.perf_counter()
    result = import_report(path)
    elapsed = time.perf_counter() - start
    assert isinstance(result.error, ReadError), result.error
    assert elapsed < FAST, f"{path.name} took {elapsed:.1f} s"
    return result.error.message


def test_self_referencing_pdf(tmp_path):
    path = tmp_path / "loop.pdf"
    pages = b"<< /Type /Pages /Kids [2 0 R] /Count 1 /Parent 2 0 R >>"  # its own kid and its own parent
    path.write_bytes(pdf_bytes([CATALOG, pages]))
    assert len(path.read_bytes()) < 400
    assert "PDF" in refused(path)


def test_20k_page_pdf(tmp_path):
    n = 20_000
    kids = " ".join(f"{i + 3} 0 R" for i in range(n))
    pages = [b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"] * n
    path = tmp_path / "pages.pdf"
    path.write_bytes(pdf_bytes([CATALOG, f"<< /Type /Pages /Kids [{kids}] /Count {n} >>".encode(), *pages]))
    message = refused(path)
    assert "页数过多" in message and f"{n} 页" in message and str(MAX_PAGES) in message


def test_pdf_stream_inflating_to_2_gib(tmp_path):
    data = zeros_deflate(2048)
    assert len(data) < 4 << 20
    content = f"<< /Length {len(data)} /Filter /FlateDecode >>\nstream\n".encode() + data + b"\nendstream"
    path = tmp_path / "bomb.pdf"
    path.write_bytes(pdf_bytes([
        CATALOG, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>", content,
    ]))  # fmt: skip
    assert "解压后超过" in refused(path)


def test_pdf_stream_compressed_twice(tmp_path):
    """[/FlateDecode /FlateDecode]: 600 MiB of zeros in about a kilobyte (the ratios multiply)."""
    inner = zeros_deflate(600)
    outer = zlib.compress(inner, 9)
    assert len(outer) < 4096
    content = f"<< /Length {len(outer)} /Filter [/FlateDecode /FlateDecode] >>\nstream\n".encode()
    path = tmp_path / "twice.pdf"
    path.write_bytes(pdf_bytes([
        CATALOG, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>", content + outer + b"\nendstream",
    ]))  # fmt: skip
    assert "解压后超过" in refused(path)


def _zip_entry(name: str, data: bytes, size: int, crc: int, offset: int) -> tuple[bytes, bytes]:
    """(local header + data, central directory record) of one deflated zip entry, sizes as given."""
    n = name.encode()
    local = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0, crc, len(data), size, len(n), 0) + n + data
    central = struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0, crc, len(data), size, len(n),
                          0, 0, 0, 0, 0, offset) + n  # fmt: skip
    return local, central


def test_docx_part_inflating_to_2_gib(tmp_path):
    import zipfile

    good = tmp_path / "good.docx"
    shutil.copy(SAMPLES / "official-2021-format-template.docx", good)
    entries = []
    with zipfile.ZipFile(good) as z:
        for info in z.infolist():
            raw = z.read(info)
            c = zlib.compressobj(6, zlib.DEFLATED, -15)
            entries.append((info.filename, c.compress(raw) + c.flush(), len(raw), zlib.crc32(raw)))
    entries.append(("word/media/image1.png", zeros_deflate(2048, raw=True), 2 << 30, 0))
    body, directory = b"", b""
    for name, data, size, crc in entries:
        local, central = _zip_entry(name, data, size, crc, len(body))
        body += local
        directory += central
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries), len(directory), len(body), 0)
    path = tmp_path / "bomb.docx"
    path.write_bytes(body + directory + end)
    assert "解压后超过" in refused(path)


def test_10_mb_html(tmp_path):
    path = tmp_path / "big.html"
    path.write_bytes(b"<html><body><p>" + "全年主动公开信息。".encode() * ((10 << 20) // 27) + b"</p></body></html>")
    assert path.stat().st_size >= 10 << 20
    assert "文件过大" in refused(path)


def test_html_nested_too_deep(tmp_path):
    path = tmp_path / "deep.html"
    path.write_text("<html><body>" + "<div>" * 100_000 + "规章 1 0 1" + "</div>" * 100_000 + "</body></html>")
    assert "嵌套过深" in refused(path)


def test_html_with_60k_table_rows(tmp_path):
    rows = "".join(f"<tr><td>行政许可</td><td>{i}</td></tr>" for i in range(60_000))
    path = tmp_path / "rows.html"
    path.write_text(f"<html><body><table>{rows}</table></body></html>", encoding="utf-8")
    assert "表格行数过多" in refused(path)


def test_text_line_of_300k_numbers(tmp_path):
    path = tmp_path / "numbers.txt"
    path.write_text("淮安市人民政府2024年政府信息公开工作年度报告\n规章 " + " 0" * 300_000 + "\n", encoding="utf-8")
    assert path.stat().st_size > 600_000
    message = refused(path)
    assert "第 2 行过长" in message


def test_reading_is_linear_in_the_lines(tmp_path):
    """Lines with numbers after the tables each cost one comparison with the form's labels, no more."""
    text = (SAMPLES / "city-2024-report.pdftotext.txt").read_text(encoding="utf-8")
    times = {}
    for n in (500, 2000):
        path = tmp_path / f"{n}.txt"
        path.write_text(text + "\n".join(f"全年第 {i} 次检查发现问题 {i}" for i in range(n)), encoding="utf-8")
        start = time.perf_counter()
        import_report(path)
        times[n] = time.perf_counter() - start
    assert times[2000] < 8 * times[500] + 0.5, times  # 4x the lines: about 4x the time, never 16x


def test_not_a_regular_file(tmp_path):
    import os

    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    assert "不是普通文件" in refused(fifo)


# ---------------------------------------------------------------- encodings and digits (issue 18 item 12)


def test_utf16_text_with_a_bom_imports(tmp_path):
    path = tmp_path / "utf16.txt"
    text = (SAMPLES / "city-2024-report.pdftotext.txt").read_text(encoding="utf-8")
    path.write_bytes(text.encode("utf-16"))  # with its BOM
    assert path.read_bytes()[:2] in (b"\xff\xfe", b"\xfe\xff")
    expected = import_report(SAMPLES / "city-2024-report.pdftotext.txt").report
    result = import_report(path)
    assert result.error is None, result.error
    assert result.report.values == expected.values and result.report.unit == "淮安市人民政府"


def test_big5_text_gets_an_encoding_message(tmp_path):
    path = tmp_path / "big5.txt"
    text = "淮安市人民政府2024年政府資訊公開工作年度報告\n二、主動公開政府資訊情況\n規章 1 0 11\n"
    path.write_bytes(text.encode("big5"))
    message = refused(path)
    assert "Big5" in message and "找不到" not in message


@pytest.mark.parametrize("digits", ["٠١٢٣٤٥٦٧٨٩", "०१२३४५६७८९", "０１２３４５６７８９"])
def test_other_scripts_digits_are_read_with_the_normalisation_note(tmp_path, digits):
    source = SAMPLES / "city-2024-report.pdftotext.txt"
    text = source.read_text(encoding="utf-8")
    row = next(line for line in text.splitlines() if line.strip().startswith("行政许可"))
    number = row.split()[-1]
    assert number == "447228"
    path = tmp_path / "digits.txt"
    path.write_text(text.replace(row, row.replace(number, number.translate(str.maketrans("0123456789", digits)))))
    result = import_report(path)
    assert result.error is None, result.error
    assert result.report.values["active_permits_decisions"] == 447228
    notes = [f for f in result.findings if f.rule == "V-NORMALISED"]
    assert [n.key for n in notes] == ["active_permits_decisions"] and "447228" in notes[0].message


def test_a_batch_goes_on_past_hostile_files(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a-loop.pdf").write_bytes(pdf_bytes([CATALOG, b"<< /Type /Pages /Kids [2 0 R] /Count 1 >>"]))
    (folder / "b-long.txt").write_text("x" * 30_000, encoding="utf-8")
    shutil.copy(SAMPLES / "city-2024-report.pdftotext.txt", folder / "c-city.txt")
    before = sorted(p.name for p in tmp_path.rglob("*"))
    out = tmp_path / "out"
    run = CliRunner().invoke(cli, ["import", str(folder), "-o", str(out), "--json"])
    assert run.exit_code == 2, run.output
    files = {Path(f["path"]).name: f for f in json.loads(run.output)["files"]}
    assert files["c-city.txt"]["ok"] and Path(files["c-city.txt"]["output"]).exists()
    assert "PDF" in files["a-loop.pdf"]["error"] and "过长" in files["b-long.txt"]["error"]
    after = sorted(p.name for p in tmp_path.rglob("*") if out not in p.parents and p != out)
    assert after == before  # nothing outside the output folder changed
