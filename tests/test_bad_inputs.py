"""Bad input never gives a traceback: every command, every kind of broken file.

Each command is driven through click's CliRunner with real broken files (a missing path, a folder, an empty
file, text named .xlsx, a truncated workbook, a password-encrypted one made by msoffcrypto-tool, a workbook
of another program, a template with a renamed sheet). Each must exit 1 or 2 as documented, with a Chinese
message naming the file, write nothing under the output's final name when it refuses, leave the input as it
was, and, in a batch, still process the good file.
"""

from __future__ import annotations

import json
import random
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from gkxl.cli import cli
from gkxl.form.model import load_form
from gkxl.workbook.sample import random_report, write_report

SAMPLES = Path(__file__).parent / "fixtures" / "samples"
BAD_WORKBOOKS = ["missing", "folder", "empty", "text", "truncated", "encrypted", "other_program", "renamed_sheet"]
# What a user must never see: a traceback, click's English usage errors, an English OS error.
ENGLISH = re.compile(r"Traceback|Error:|Usage:|Invalid value|No such file|Is a directory|Errno|Permission denied")
CJK = re.compile(r"[\u4e00-\u9fff]")


def _good(folder: Path) -> Path:
    report = random_report(load_form("2021"), random.Random(7), unit="东街乡人民政府", year=2024)
    return write_report(report, folder / "东街乡.xlsx")


def _make_bad(kind: str, folder: Path, good: Path) -> Path:
    path = folder / f"坏-{kind}.xlsx"
    if kind == "missing":
        return path
    if kind == "folder":
        path.mkdir()
    elif kind == "empty":
        path.write_bytes(b"")
    elif kind == "text":
        path.write_text("单位,年度\n城关镇,2024\n", encoding="utf-8")
    elif kind == "truncated":
        data = good.read_bytes()
        path.write_bytes(data[: len(data) * 2 // 3])
    elif kind == "encrypted":
        import msoffcrypto

        with good.open("rb") as plain, path.open("wb") as out:
            msoffcrypto.OfficeFile(plain).encrypt("pw", out)
    elif kind == "other_program":
        from openpyxl import Workbook

        Workbook().save(path)
    elif kind == "renamed_sheet":
        from openpyxl import load_workbook

        wb = load_workbook(good)
        wb["表三"].title = "表3"
        wb.save(path)
    return path


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> dict[str, Path]:
    """The good workbook and every bad one, made once; tests only read them."""
    folder = tmp_path_factory.mktemp("inputs")
    good = _good(folder)
    return {"good": good, **{kind: _make_bad(kind, folder, good) for kind in BAD_WORKBOOKS}}


def _snapshot(path: Path) -> bytes | None:
    return path.read_bytes() if path.is_file() else None


def run(args: list, inputs: list[Path]):
    before = [_snapshot(p) for p in inputs]
    result = CliRunner().invoke(cli, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert not ENGLISH.search(result.output), result.output
    assert [_snapshot(p) for p in inputs] == before, "an input file was modified"
    return result


def assert_names_in_chinese(output: str, path: Path) -> None:
    """The file is named, and the line naming it (or the next, where the message is printed under a title)
    says what is wrong in Chinese."""
    lines = output.splitlines()
    hits = [i for i, line in enumerate(lines) if str(path) in line]
    assert hits, f"{path} not named in:\n{output}"
    said = " ".join(lines[hits[0] : hits[0] + 2]).replace(str(path), "")
    assert CJK.search(said), output


# ------------------------------------------------------------------- single-input commands: refuse, write nothing

SINGLE = {
    "validate": lambda bad, out: ["validate", bad],
    "validate --annotate": lambda bad, out: ["validate", bad, "--annotate", out / "标注.xlsx"],
    "render": lambda bad, out: ["render", bad, "-o", out / "表格.html"],
    "template --previous": lambda bad, out: ["template", "--previous", bad, "-o", out / "下年.xlsx"],
    "excel-setup --workbook": lambda bad, out: ["excel-setup", "--workbook", bad, "-o", out / "本机.xlsm"],
}


@pytest.mark.parametrize("kind", BAD_WORKBOOKS)
@pytest.mark.parametrize("command", SINGLE)
def test_single_input_refused_with_a_chinese_message(command, kind, inputs, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    bad = inputs[kind]
    result = run(SINGLE[command](bad, out), [bad])
    assert result.exit_code == 2, result.output  # documented: 2 = could not run / unreadable input
    assert_names_in_chinese(result.output, bad)
    assert list(out.iterdir()) == [], "an output was written for a refused input"


# ------------------------------------------------------------------- batches: the good file is still processed


@pytest.mark.parametrize("kind", BAD_WORKBOOKS)
def test_validate_batch_checks_the_good_file(kind, inputs):
    bad, good = inputs[kind], inputs["good"]
    result = run(["validate", bad, good], [bad, good])
    assert result.exit_code == 2, result.output
    assert_names_in_chinese(result.output, bad)
    assert re.search(rf"{re.escape(str(good))}\s+东街乡人民政府 2024年", result.output)
    assert "结论：通过" in result.output.split(str(good))[-1]


@pytest.mark.parametrize("kind", BAD_WORKBOOKS)
def test_annotate_batch_writes_only_the_good_copy(kind, inputs, tmp_path):
    bad, good = inputs[kind], inputs["good"]
    out = tmp_path / "标注"
    result = run(["validate", bad, good, "--annotate", out], [bad, good])
    assert result.exit_code == 2, result.output
    assert_names_in_chinese(result.output, bad)
    assert sorted(p.name for p in out.iterdir()) == ["东街乡.校验.xlsx"]


@pytest.mark.parametrize("kind", BAD_WORKBOOKS)
def test_merge_refuses_and_names_the_bad_file(kind, inputs, tmp_path):
    """Documented: one unreadable input refuses the whole merge (exit 1) and nothing is written;
    the good input is still read and validated (its unit is known in the JSON)."""
    bad, good = inputs[kind], inputs["good"]
    out = tmp_path / "汇总.xlsx"
    result = run(["merge", bad, good, "-o", out], [bad, good])
    assert result.exit_code == 1, result.output
    assert_names_in_chinese(result.output, bad)
    assert f"没有写出 {out}" in result.output
    as_json = run(["merge", bad, good, "-o", out, "--json"], [bad, good])
    assert as_json.exit_code == 1
    by_path = {i["path"]: i for i in json.loads(as_json.stdout)["inputs"]}
    assert by_path[str(good)]["unit"] == "东街乡人民政府" and not by_path[str(good)]["error"]
    assert CJK.search(by_path[str(bad)]["error"])
    assert not out.exists() and list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("kind", BAD_WORKBOOKS)
def test_csv_batch(kind, inputs, tmp_path):
    bad, good = inputs[kind], inputs["good"]
    outdir = tmp_path / "导出"
    result = run(["csv", bad, good, "-o", outdir], [bad, good])
    assert_names_in_chinese(result.output, bad)
    assert not (outdir / f"{bad.stem}.csv").exists()
    if kind in ("missing", "folder"):
        # Documented: a missing input (or an empty folder: an unmounted share) means the job does not run at
        # all, so the CSVs of that input's files are not taken for removed ones. Nothing in OUTDIR is touched.
        assert result.exit_code == 2 and "NOTRUN" in result.output
        assert not outdir.exists()
    else:
        assert result.exit_code == 1 and re.search(rf"FAILED {re.escape(str(bad))}：", result.output)
        assert (outdir / "东街乡.csv").is_file() and (outdir / "all.csv").is_file()
        all_rows = (outdir / "all.csv").read_text(encoding="utf-8-sig")
        assert "东街乡人民政府" in all_rows and bad.name not in all_rows


def test_csv_empty_folder_leaves_earlier_exports_alone(inputs, tmp_path):
    """An input folder that is suddenly empty (a share not mounted) must not remove last night's CSVs."""
    share, other = tmp_path / "共享", tmp_path / "其他"
    share.mkdir(), other.mkdir()
    shutil.copy(inputs["good"], share / "城关镇.xlsx")
    shutil.copy(inputs["good"], other / "东街乡.xlsx")
    outdir = tmp_path / "导出"
    assert run(["csv", share, other, "-o", outdir], []).exit_code == 0
    before = {p.name: p.read_bytes() for p in outdir.iterdir()}
    (share / "城关镇.xlsx").unlink()
    result = run(["csv", share, other, "-o", outdir], [])
    assert result.exit_code == 2 and "NOTRUN" in result.output
    assert_names_in_chinese(result.output, share)
    assert {p.name: p.read_bytes() for p in outdir.iterdir()} == before


def test_validate_folder_without_workbooks_in_a_batch(inputs, tmp_path):
    """A folder given by mistake (a typo, the wrong one) is named, not silently dropped from the batch."""
    empty = tmp_path / "石桥镇"
    empty.mkdir()
    (empty / "说明.docx").write_bytes(b"x")
    good = inputs["good"]
    result = run(["validate", empty, good], [good])
    assert result.exit_code == 2
    assert_names_in_chinese(result.output, empty)
    assert "没有找到工作簿" in result.output and "东街乡人民政府" in result.output


def test_previous_missing_is_named_in_chinese(inputs, tmp_path):
    missing = tmp_path / "城关镇-2023.xlsx"
    result = run(["validate", inputs["good"], "--previous", missing], [inputs["good"]])
    assert result.exit_code == 2
    assert_names_in_chinese(result.output, missing)


# ------------------------------------------------------------------- import: published reports


def _make_bad_report(kind: str, folder: Path, good_workbook: Path) -> Path:
    path = (
        folder
        / {
            "missing": "不存在.txt",
            "folder": "年报.txt",
            "empty_txt": "空白.txt",
            "empty_pdf": "空白.pdf",
            "docx_not_zip": "损坏.docx",
            "unknown_encoding": "乱码.txt",
            "html_without_tables": "网页.html",
            "workbook": "工作簿.xlsx",
        }[kind]
    )
    if kind == "folder":
        path.mkdir()
    elif kind in ("empty_txt", "empty_pdf"):
        path.write_bytes(b"")
    elif kind == "docx_not_zip":
        path.write_text("这不是 Word 文档", encoding="utf-8")
    elif kind == "unknown_encoding":
        # Bytes no encoding reads: 0xFF starts no UTF-8, GB18030 or Big5 character (UTF-16 with a BOM imports).
        path.write_bytes("城关镇人民政府".encode() + b"\xff\xff\xff")
    elif kind == "html_without_tables":
        path.write_text("<html><body><p>本页面正在维护</p></body></html>", encoding="utf-8")
    elif kind == "workbook":
        shutil.copy(good_workbook, path)
    return path


# 2: could not be read; 1: read, but refused (its tables cannot be found).
IMPORT_EXIT = {
    "missing": 2,
    "folder": 2,
    "empty_txt": 2,
    "empty_pdf": 2,
    "docx_not_zip": 2,
    "unknown_encoding": 2,
    "html_without_tables": 1,
    "workbook": 2,
}


@pytest.mark.parametrize("kind", IMPORT_EXIT)
def test_import_bad_report(kind, inputs, tmp_path):
    bad = _make_bad_report(kind, tmp_path, inputs["good"])
    good = tmp_path / "刘楼乡.txt"
    shutil.copy(SAMPLES / "township-2019-report.txt", good)
    outdir = tmp_path / "导入"
    alone = run(["import", bad, "-o", outdir], [bad])
    assert alone.exit_code == IMPORT_EXIT[kind], alone.output
    assert_names_in_chinese(alone.output, bad)
    assert not outdir.exists() or list(outdir.iterdir()) == []
    batch = run(["import", bad, good, "-o", outdir], [bad, good])
    assert batch.exit_code == IMPORT_EXIT[kind], batch.output
    assert sorted(p.name for p in outdir.iterdir()) == ["刘楼乡.xlsx"]
    assert f"已写入 {outdir / '刘楼乡.xlsx'}" in batch.output


@pytest.mark.parametrize("command", ["validate", "render", "import"])
def test_a_file_without_read_permission(command, inputs, tmp_path, monkeypatch):
    """The OS's reason comes in Chinese, not as 'Permission denied' (chmod cannot stop root, so the OS
    refusal is simulated at Path.open and os.open, which every reader goes through)."""
    import errno
    import os

    locked = tmp_path / ("锁定.txt" if command == "import" else "锁定.xlsx")
    shutil.copy(SAMPLES / "township-2019-report.txt" if command == "import" else inputs["good"], locked)
    real_open = Path.open

    def open_(self, *args, **kwargs):
        if self == locked:
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)

    real_os_open = os.open

    def os_open(path, *args, **kwargs):
        if Path(path) == locked:
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_os_open(path, *args, **kwargs)

    monkeypatch.setattr(Path, "open", open_)
    monkeypatch.setattr(os, "open", os_open)
    args = {
        "validate": ["validate", locked],
        "render": ["render", locked, "-o", tmp_path / "表格.html"],
        "import": ["import", locked, "-o", tmp_path / "导入"],
    }[command]
    result = run(args, [])
    assert result.exit_code == 2, result.output
    assert_names_in_chinese(result.output, locked)
    assert "没有访问权限" in result.output


# ------------------------------------------------------------------- an output that is an existing folder

OUTPUT_IS_A_FOLDER = {
    "template": lambda good, out: ["template", "-o", out],
    "template --xlsm": lambda good, out: ["template", "--xlsm", "-o", out],
    "render": lambda good, out: ["render", good, "-o", out],
    "merge": lambda good, out: ["merge", good, "-o", out],
    "excel-setup --workbook": lambda good, out: ["excel-setup", "--workbook", good, "-o", out],
}


@pytest.mark.parametrize("command", OUTPUT_IS_A_FOLDER)
def test_output_that_is_an_existing_folder(command, inputs, tmp_path):
    suffix = {"render": ".html", "template --xlsm": ".xlsm", "excel-setup --workbook": ".xlsm"}.get(command, ".xlsx")
    out = tmp_path / f"输出{suffix}"
    out.mkdir()
    macro_template = Path(__file__).parents[1] / "workbook" / "gkxl-2021.xlsm"
    good = macro_template if command == "excel-setup --workbook" else inputs["good"]
    result = run(OUTPUT_IS_A_FOLDER[command](good, out), [good])
    assert result.exit_code == 2, result.output
    assert "文件夹" in result.output and str(out) in result.output
    assert list(out.iterdir()) == []
