"""Hostile workbooks (issue 18): each is built here from a real workbook with one part rewritten, and every
command must answer with one Chinese message or finding and the documented exit code, go on with the other
files, and change nothing outside its output.

Commands run as real processes where a failure would abort or hang the interpreter (a far cell makes
python-calamine allocate its whole rectangle and abort; a pipe blocks a plain open()).
"""

from __future__ import annotations

import hashlib
import os
import random
import shutil
from pathlib import Path

import pytest
from hostile import add_cell, gkxl, good, rewrite, set_cover_number, set_cover_text, sheet_xml, snapshot

from gkxl.read.reader import read_report

FAR = ["XFD1048576", "XFD100000", "A1048576"]


@pytest.fixture
def folder(tmp_path) -> Path:
    out = tmp_path / "各乡镇"
    out.mkdir()
    good(out, "东街乡")
    return out


# ------------------------------------------------------------------- 1. a far cell never reaches python-calamine


@pytest.mark.parametrize("address", FAR)
def test_far_cell_is_refused_by_validate_csv_and_merge(address, folder, tmp_path):
    far = rewrite(good(tmp_path, "西街乡"), folder / "西街乡.xlsx", sheet_xml(2), lambda x: add_cell(x, address))
    before = snapshot(folder)
    said = gkxl("validate", folder)
    assert said.returncode == 2, said
    assert f"{far}\n  ✗ 工作表“表二”的单元格 {address} 有内容，远在表格范围" in said.stdout
    assert "东街乡人民政府 2024年" in said.stdout  # the good file is still checked

    out = tmp_path / "导出"
    said = gkxl("csv", "-j", "1", folder, "-o", out)
    assert said.returncode == 1, said
    assert f"FAILED {far}：工作表“表二”的单元格 {address}" in said.stderr
    assert {p.name for p in out.iterdir()} == {"东街乡.csv", "all.csv", ".gkxl-manifest.json"}  # no lock left

    said = gkxl("merge", folder, "-o", tmp_path / "汇总.xlsx")
    assert said.returncode == 1 and "远在表格范围" in said.stdout + said.stderr, said
    assert not (tmp_path / "汇总.xlsx").exists()
    assert snapshot(folder) == before


def test_far_formatting_without_content_is_accepted(tmp_path):
    """A styled empty cell far out (formatting a whole row does that) is not content: calamine skips it."""
    src = good(tmp_path)
    styled = rewrite(src, tmp_path / "格式.xlsx", sheet_xml(2), lambda x: add_cell(x, "XFD1048576", "", 's="1"'))
    assert read_report(styled).values == read_report(src).values


def test_far_cell_in_a_summarys_sources_sheet(tmp_path):
    """The 来源 sheet of a summary is read too (to guard against double counting): bounded as well."""
    inputs = tmp_path / "in"
    inputs.mkdir()
    good(inputs, "东街乡")
    good(inputs, "西街乡", seed=8)
    summary = tmp_path / "县汇总.xlsx"
    assert gkxl("merge", inputs, "-o", summary, "--unit", "某县").returncode == 0
    from gkxl.read.package import load_package

    part = load_package(summary).sheet_parts()["来源"]
    far = rewrite(summary, tmp_path / "远.xlsx", part, lambda x: add_cell(x, "XFD1048576"))
    said = gkxl("merge", far, good(tmp_path, "北街乡", seed=9), "-o", tmp_path / "市.xlsx")
    assert said.returncode == 1 and "“来源”的单元格 XFD1048576" in said.stdout, said


# ------------------------------------------------------------------- 6. not a file, too big, read once


def _not_files(tmp_path: Path) -> dict[str, Path]:
    fifo = tmp_path / "管道.xlsx"
    os.mkfifo(fifo)
    zero = tmp_path / "零.xlsx"
    zero.symlink_to("/dev/zero")
    big = tmp_path / "大.xlsx"
    with big.open("wb") as fh:  # sparse: 40 MB without writing them
        fh.write(b"PK\x03\x04")
        fh.truncate(40 * 1024 * 1024)
    return {"管道": fifo, "零": zero, "大": big}


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs a FIFO")
def test_pipes_devices_and_huge_files_are_refused_before_reading(folder, tmp_path):
    bad = _not_files(tmp_path)
    messages = {"管道": "不是普通文件", "零": "不是普通文件", "大": "文件过大（40 MB）"}
    before = snapshot(folder)
    said = gkxl("validate", *bad.values(), folder, timeout=60)  # a blocking read would hang here
    assert said.returncode == 2, said
    for name, path in bad.items():
        assert f"{path}\n  ✗ {messages[name]}" in said.stdout, said.stdout
    assert "东街乡人民政府 2024年" in said.stdout

    out = tmp_path / "导出"
    said = gkxl("csv", *bad.values(), folder, "-o", out, timeout=60)
    assert said.returncode == 1, said
    for name, path in bad.items():
        assert f"FAILED {path}：{messages[name]}" in said.stderr
    assert (out / "东街乡.csv").exists() and not (out / ".gkxl-csv.lock").exists()

    said = gkxl("merge", *bad.values(), folder, "-o", tmp_path / "汇总.xlsx", timeout=60)
    assert said.returncode == 1 and all(m in said.stdout for m in messages.values()), said
    assert snapshot(folder) == before


def test_a_file_replaced_mid_run_gets_the_hash_of_what_was_read(tmp_path, monkeypatch):
    """csv looks at an input (stat, and a hash when it was touched) to decide whether it changed, then converts
    it: if it is replaced in between, the CSV's values and its source_sha256 both come from the bytes read."""
    from gkxl.csv import job

    (tmp_path / "in").mkdir()
    src = good(tmp_path / "in", "东街乡")
    other = good(tmp_path, "替换", unit="替换后的单位", seed=99)
    real = job.CsvJob._plan

    def plan_then_replace(self, key, path, name):
        plan = real(self, key, path, name)
        shutil.copy(other, path)  # the clerk saves a new version right after the job looked
        return plan

    monkeypatch.setattr(job.CsvJob, "_plan", plan_then_replace)
    out = tmp_path / "导出"
    job.run_csv([src], out, jobs=1)
    rows = (out / "东街乡.csv").read_text(encoding="utf-8-sig").splitlines()
    assert rows[1].startswith("替换后的单位,")
    assert rows[1].endswith(hashlib.sha256(other.read_bytes()).hexdigest())


def test_merge_and_report_hash_the_bytes_read(tmp_path):
    from gkxl.merge.inputs import check_input

    path = good(tmp_path)
    assert check_input(path).sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert read_report(path, digest=True).sha256 == check_input(path).sha256
    assert read_report(path).sha256 == ""  # validate does not pay for a hash it does not print


# ------------------------------------------------------------------- 4, 12. cover texts: bounded, printable


def test_a_huge_unit_name_is_an_error_never_copied_into_rows(folder, tmp_path):
    rng = random.Random(0)  # varied text: a repeated one would be refused as a zip bomb
    name = "".join(chr(rng.randrange(0x4E00, 0x5A00)) for _ in range(2_100_000))
    huge = rewrite(good(tmp_path, "大"), folder / "大.xlsx", sheet_xml(1), lambda x: set_cover_text(x, "B3", name))
    said = gkxl("validate", huge, "--json")
    assert said.returncode == 1, said.stderr
    assert "内容过长（2100000 个字符，最多 200 个），请只填写单位名称" in said.stdout
    assert len(said.stdout) < 200_000
    out = tmp_path / "导出"
    said = gkxl("csv", folder, "-o", out)
    assert said.returncode == 1 and "ERRORS" in said.stderr, said.stderr
    assert (out / "大.csv").stat().st_size < 100_000 and (out / "all.csv").stat().st_size < 200_000
    assert (out / "大.csv").read_text(encoding="utf-8-sig").splitlines()[1].startswith(",2024,2021,")


def test_escape_sequences_in_a_unit_are_an_error_and_never_printed(folder, tmp_path):
    raw = "城关镇\x1b]0;owned\x07\x1b[31m人民政府"
    esc = rewrite(good(tmp_path, "控"), folder / "控.xlsx", sheet_xml(1), lambda x: set_cover_text(x, "B3", raw))
    said = gkxl("validate", esc)  # gkxl() asserts no ESC reaches the terminal
    assert said.returncode == 1
    assert "控.xlsx  城关镇]0;owned[31m人民政府 2024年" in said.stdout
    assert "含有控制字符（不可见的特殊字符），请删除后重新输入  [META-UNIT]" in said.stdout
    said = gkxl("merge", folder, "-o", tmp_path / "汇总.xlsx", "--allow-errors", "--unit", "某县")
    assert said.returncode == 0 and "按 --allow-errors 仍已汇总" in said.stdout, said  # the cleaned name is used
    from gkxl.merge.sheets import read_sources

    units = {s.unit for s in read_sources(tmp_path / "汇总.xlsx")}
    assert units == {"东街乡人民政府", "城关镇]0;owned[31m人民政府"}


# ------------------------------------------------------------------- 9. tracebacks that are now messages


@pytest.mark.parametrize("value", ["NaN", "INF", "-inf", "1e308"])
@pytest.mark.parametrize("cell", ["B5", "B6"])
def test_nan_or_inf_as_form_or_version(cell, value, tmp_path):
    bad = rewrite(good(tmp_path), tmp_path / "坏.xlsx", sheet_xml(1), lambda x: set_cover_number(x, cell, value))
    what = "无法识别表式" if cell == "B5" else "模板版本"
    for args in (["validate", bad], ["render", bad, "-o", tmp_path / "表.html"],
                 ["template", "--previous", bad, "-o", tmp_path / "下年.xlsx"]):  # fmt: skip
        said = gkxl(*args)
        assert said.returncode == 2 and what in said.stdout + said.stderr, (args, said)
    said = gkxl("merge", bad, good(tmp_path, "西街乡", seed=3), "-o", tmp_path / "汇总.xlsx")
    assert said.returncode == 1 and what in said.stdout, said
    assert not (tmp_path / "汇总.xlsx").exists() and not (tmp_path / "表.html").exists()


def test_a_dtd_in_workbook_xml_is_refused(folder, tmp_path):
    dtd = b'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    bad = rewrite(good(tmp_path, "毒"), folder / "毒.xlsx", "xl/workbook.xml",
                  lambda x: dtd + x.split(b"?>", 1)[-1])  # fmt: skip
    said = gkxl("validate", folder)
    assert said.returncode == 2
    message = "工作簿的 xl/workbook.xml 含有文档类型定义（DTD），不是 Excel 保存的文件，已拒绝读取"
    assert f"{bad}\n  ✗ {message}" in said.stdout
    assert "东街乡人民政府 2024年" in said.stdout
    assert "root:" not in said.stdout


def _drop_part(src: Path, dst: Path, part: str) -> Path:
    import zipfile

    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            if info.filename != part:
                zout.writestr(info, zin.read(info.filename))
    return dst


def _bad_crc(src: Path, dst: Path, part: str) -> Path:
    """`src` with the checksum of `part` wrong (in its local header and the central directory)."""
    import zipfile

    data = bytearray(src.read_bytes())
    with zipfile.ZipFile(src) as zf:
        info = zf.getinfo(part)
    data[info.header_offset + 14] ^= 0xFF
    at = data.find(b"PK\x01\x02")
    while at >= 0:
        name_length = int.from_bytes(data[at + 28 : at + 30], "little")
        if data[at + 46 : at + 46 + name_length] == part.encode():
            data[at + 16] ^= 0xFF
        at = data.find(b"PK\x01\x02", at + 4)
    dst.write_bytes(bytes(data))
    return dst


def _merged_input(src: Path, dst: Path) -> Path:
    from openpyxl import load_workbook

    wb = load_workbook(src)
    wb["表二"]["B6"] = None
    wb["表二"].merge_cells("B6:C6")  # an input cell (C6) hidden under a merge: blank, so a finding there
    wb.save(dst)
    return dst


ODD = {
    "no_content_types": lambda src, dst: _drop_part(src, dst, "[Content_Types].xml"),
    "no_styles": lambda src, dst: _drop_part(src, dst, "xl/styles.xml"),
    "bad_crc": lambda src, dst: _bad_crc(src, dst, "xl/styles.xml"),
    "merged_input": _merged_input,
    "nan": lambda src, dst: rewrite(src, dst, sheet_xml(2), lambda x: set_cover_number(x, "B6", "NaN")),
}


@pytest.mark.parametrize("kind", ODD)
def test_annotate_on_odd_files_that_validate_reads(kind, folder, tmp_path):
    odd = ODD[kind](good(tmp_path, "怪"), folder / "怪.xlsx")
    out = tmp_path / "标注"
    said = gkxl("validate", folder, "--annotate", out)
    assert said.returncode in (0, 1, 2), said
    assert f"{odd}  怪人民政府 2024年 表式2021" in said.stdout  # read and checked
    assert (out / "东街乡.校验.xlsx").exists()  # the other file is annotated
    if kind == "merged_input":  # the mark goes on the merge's top-left cell
        assert (out / "怪.校验.xlsx").exists()
    else:
        assert "文件结构不完整或不标准，无法写出标注副本" in said.stdout and not (out / "怪.校验.xlsx").exists()


def test_excel_setup_on_broken_relationships(tmp_path):
    template = tmp_path / "模板.xlsm"
    assert gkxl("template", "--xlsm", "-o", template).returncode == 0
    broken = rewrite(template, tmp_path / "坏.xlsm", "xl/_rels/workbook.xml.rels", lambda x: b"<Relationships oops")
    said = gkxl("excel-setup", "--workbook", broken, "-o", tmp_path / "本机.xlsm")
    assert said.returncode == 2 and f"{broken}：工作簿中没有“xlwings.conf”工作表" in said.stderr, said
    assert not (tmp_path / "本机.xlsm").exists()


def test_a_date_in_a_count_cell_under_json(tmp_path):
    import datetime
    import json

    from openpyxl import load_workbook

    path = good(tmp_path)
    wb = load_workbook(path)
    wb["表二"]["B6"] = datetime.datetime(2024, 3, 1)
    wb.save(path)
    said = gkxl("validate", path, "--json")
    assert said.returncode == 1
    finding = next(f for f in json.loads(said.stdout)["files"][0]["findings"] if f["cell"] == "B6")
    assert finding["reported"] == "2024-03-01" and finding["rule"] == "V-NUMBER"
    assert "日期或时间 不是数字" in finding["message"]


def test_merge_unit_option_must_be_a_name(folder, tmp_path):
    for unit in ("县" * 201, "某县\x1b[31m"):
        said = gkxl("merge", folder, "-o", tmp_path / "汇总.xlsx", "--unit", unit)
        assert said.returncode == 2 and "--unit 须为单位名称：最多 200 个字符，不含控制字符" in said.stderr
    assert not (tmp_path / "汇总.xlsx").exists()


@pytest.mark.skipif(not hasattr(os, "setrlimit") and os.name != "posix", reason="needs RLIMIT_FSIZE")
def test_merge_on_a_full_disk_says_so_once(folder, tmp_path):
    """A file size limit (RLIMIT_FSIZE) stands in for a full disk: the write fails midway the same way."""
    import resource
    import subprocess
    import sys

    good(folder, "西街乡", seed=2)
    out = tmp_path / "汇总.xlsx"

    def small_files() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (20_000, 20_000))

    done = subprocess.run([sys.executable, "-m", "gkxl", "merge", str(folder), "-o", str(out)],
                          capture_output=True, text=True, preexec_fn=small_files, timeout=120)  # fmt: skip
    assert done.returncode == 2, done
    assert done.stderr.startswith(f"错误：{out}：无法写") and done.stderr.count("\n") == 1, done.stderr
    assert "（文件超出大小限制）" in done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["各乡镇"]


def test_control_characters_and_long_text_in_a_number_cell(tmp_path):
    import json

    def edit(xml: bytes) -> bytes:
        xml = set_cover_text(xml, "B6", "1\x1b[2J2")
        return set_cover_text(xml, "C6", "9" * 100_000)

    bad = rewrite(good(tmp_path), tmp_path / "坏.xlsx", sheet_xml(2), edit)
    said = gkxl("validate", bad)  # gkxl() asserts no ESC reaches the terminal
    assert said.returncode == 1
    assert "“1�[2J2” 不是数字" in said.stdout
    assert "…（共 100000 个字符）" in said.stdout and len(said.stdout) < 10_000
    findings = json.loads(gkxl("validate", bad, "--json").stdout)["files"][0]["findings"]
    assert {f["cell"]: f["reported"] for f in findings if f["cell"] in ("B6", "C6")} == {
        "B6": "1�[2J2", "C6": "9" * 60 + "…（共 100000 个字符）"}  # fmt: skip


RELS = "xl/_rels/workbook.xml.rels"
SHEET2 = b'Target="/xl/worksheets/sheet2.xml"'


def _retarget(target: bytes):
    def edit(xml: bytes) -> bytes:
        assert SHEET2 in xml
        return xml.replace(SHEET2, b'Target="' + target + b'"')

    return edit


def _duplicate_id(xml: bytes) -> bytes:
    """A second relationship rId2 (to a harmless sheet): a reader taking the first sees the far cell."""
    return xml.replace(b"</Relationships>", b'<Relationship Id="rId2" Target="/xl/worksheets/sheet3.xml" '
                       b'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"/>'
                       b"</Relationships>")  # fmt: skip


@pytest.mark.parametrize(
    "edit,message",
    [
        (_retarget(b"/XL/WORKSHEETS/SHEET2.XML"), "工作表“表二”的单元格 XFD1048576 有内容"),  # calamine ignores case
        (_retarget(b"worksheets/../worksheets/sheet2.xml"), "工作表“表二”的单元格 XFD1048576 有内容"),
        (_retarget(b"../../../../etc/passwd"), "（找不到工作表“表二”的数据）"),
        (_duplicate_id, "中有重复的关系 rId2"),
    ],
    ids=["case", "dots", "outside", "duplicate"],
)
def test_a_far_cell_behind_odd_relationships(edit, message, tmp_path):
    """The sheet the checks look at is the one python-calamine reads, however the relationship is spelled."""
    far = rewrite(good(tmp_path), tmp_path / "远.xlsx", sheet_xml(2), lambda x: add_cell(x, "XFD1048576"))
    odd = rewrite(far, tmp_path / "怪.xlsx", RELS, edit)
    said = gkxl("validate", odd)
    assert said.returncode == 2 and message in said.stdout, said


@pytest.mark.parametrize(
    "cells",
    [
        '<row r="1048576"><c t="n"><v>1</v></c></row><row><c r="XFD2"><v>1</v></c></row>',
        '<row r="50000"><c t="n"><v>1</v></c></row>',
        "<row>" + "<c><v>1</v></c>" * 200 + "</row>",  # the 200th cell of a row, each after the one before
    ],
    ids=["row-address", "far-row", "wide-row"],
)
def test_far_cells_without_addresses(cells, tmp_path):
    """Cells may leave out their address (they follow the one before): followed one by one, they are found."""
    far = rewrite(good(tmp_path), tmp_path / "远.xlsx", sheet_xml(2),
                  lambda x: x.replace(b"</sheetData>", cells.encode() + b"</sheetData>"))  # fmt: skip
    said = gkxl("validate", far)
    assert said.returncode == 2 and "有内容，远在表格范围（前 17 行、前 4 列）之外" in said.stdout, said


def test_unaddressed_cells_near_the_table_are_read(tmp_path):
    src = good(tmp_path)
    near = rewrite(src, tmp_path / "近.xlsx", sheet_xml(2),
                   lambda x: x.replace(b"</sheetData>", b"<row><c><v>1</v></c></row></sheetData>"))  # fmt: skip
    assert read_report(near).values == read_report(src).values
