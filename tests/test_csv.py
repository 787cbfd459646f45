"""`gkxl csv`: the CSV shapes, the values, and the behaviour of a nightly job (incremental, atomic, locked)."""

from __future__ import annotations

import csv
import json
import os
import random
import re
import shutil
import socket
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from gkxl.cli import cli
from gkxl.csv.export import COLUMNS, neutralise
from gkxl.csv.lock import LOCK_NAME
from gkxl.csv.manifest import MANIFEST_NAME, read_entries
from gkxl.csv.names import assign_names
from gkxl.form.layout import table_extent
from gkxl.form.model import load_form
from gkxl.read.values import number_text as format_value
from gkxl.workbook.sample import random_report, write_report

FIXTURES = Path(__file__).parent / "fixtures"
ROOT = Path(__file__).parent.parent
STAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d (\S+) ")


def run(*args: str):
    return CliRunner().invoke(cli, ["csv", *map(str, args)])


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def words(output: str) -> list[str]:
    """The status word of every log line."""
    return [m.group(1) for line in output.splitlines() if (m := STAMP.match(line))]


def snapshot(folder: Path) -> dict[str, tuple[int, int, int]]:
    return {p.name: (p.stat().st_mtime_ns, p.stat().st_ino, p.stat().st_size) for p in folder.iterdir()}


def build_golden(form_id: str, path: Path) -> Path:
    """The fixed workbook of a golden test (regenerate with GKXL_REGEN=1; then review the CSV diff by eye)."""
    report = random_report(load_form(form_id), random.Random(7), unit="城关镇人民政府", year=2024)
    cells = report.form.cells
    if form_id == "2019":
        report.unit, report.year = "@刘楼乡人民政府", 2020  # '@…' must come out neutralised
        report.values["active_permits_change"] = -8  # a signed count stays a number
    report.values[cells[3].key] = None  # a blank: V-BLANK warning, empty value
    report.values[cells[50].key], report.raw[cells[50].key] = None, "3件"  # text: V-NUMBER error
    money = next(c for c in cells if c.kind == "money")
    report.values[money.key] = Decimal("12.3456")
    return write_report(report, path)


@pytest.mark.parametrize("form_id", ["2021", "2019"])
def test_golden_long_csv(form_id, tmp_path, monkeypatch):
    workbook = FIXTURES / f"csv-{form_id}.xlsx"
    if os.environ.get("GKXL_REGEN"):
        build_golden(form_id, workbook)
    shutil.copy(workbook, tmp_path / workbook.name)
    monkeypatch.chdir(tmp_path)  # source_file is the path as given: keep it short and fixed
    result = run(workbook.name, "-o", "out")
    assert result.exit_code == 1, result.output  # the fixture has a hard error (3件), converted and flagged
    made = (tmp_path / "out" / f"csv-{form_id}.csv").read_bytes()
    golden = FIXTURES / f"csv-{form_id}.csv"
    if os.environ.get("GKXL_REGEN"):
        golden.write_bytes(made)
    assert made == golden.read_bytes()


def test_golden_rows_say_what_they_should():
    """Spot checks on the golden files themselves, so a wrong regeneration cannot pass unnoticed."""
    rows = read_csv(FIXTURES / "csv-2019.csv")
    assert list(rows[0]) == list(COLUMNS)
    assert len(rows) == len(load_form("2019").cells)
    change = next(r for r in rows if r["key"] == "active_permits_change")
    assert change["value"] == "-8" and change["unit"] == "'@刘楼乡人民政府"
    assert {r["file_status"] for r in rows} == {"error"}
    bad = next(r for r in rows if r["rules"] == "V-NUMBER")
    assert bad["value"] == "" and bad["status"] == "error"
    money = next(r for r in rows if r["kind"] == "money")
    assert money["value"] == "12.3456"
    rows = read_csv(FIXTURES / "csv-2021.csv")
    first = rows[0]
    assert (first["sheet"], first["cell"], first["row_label"], first["col_label"]) == (
        "表二",
        "B5",
        "第二十条第（一）项 / 规章",
        "本年制发件数",
    )
    assert rows[3]["value"] == "" and rows[3]["rules"] == "V-BLANK" and rows[3]["status"] == "warning"
    assert all(r["source_file"] == "csv-2021.xlsx" for r in rows)


def test_every_cell_equals_the_workbook(form, make_workbook, tmp_path):
    def edit(report):
        report.values[report.form.cells[10].key] = None
        money = [c for c in report.form.cells if c.kind == "money"]
        report.values[money[0].key] = Decimal("7730.28")
        signed = [c for c in report.form.cells if c.kind == "signed_count"]
        if signed:
            report.values[signed[0].key] = -8

    path = make_workbook(form.id, seed=3, scale=5000, edit=edit)
    assert run(path, "-o", tmp_path / "out").exit_code in (0, 1)
    rows = read_csv(tmp_path / "out" / f"{path.stem}.csv")
    assert [r["key"] for r in rows] == [c.key for c in form.cells]

    from openpyxl import load_workbook

    wb = load_workbook(path, data_only=True)
    for cell, row in zip(form.cells, rows, strict=True):
        raw = wb[cell.sheet][cell.cell].value
        assert (row["sheet"], row["cell"]) == (cell.sheet, cell.cell)
        if raw is None:
            assert row["value"] == ""
        elif cell.kind == "money":
            assert Decimal(row["value"]) == Decimal(str(raw)), cell.key
        else:
            assert row["value"] == str(int(raw)) and int(raw) == raw, cell.key
    signed = [r for r in rows if r["kind"] == "signed_count"]
    assert not signed or signed[0]["value"] == "-8"
    assert next(r for r in rows if r["kind"] == "money")["value"] == "7730.28"


def test_all_csv_holds_every_unit_and_drops_removed_inputs(make_workbook, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for i, unit in enumerate(["城关镇人民政府", "东街街道办事处", "河口乡人民政府"]):
        shutil.move(make_workbook("2021", seed=i, unit=unit), folder / f"u{i}.xlsx")
    out = tmp_path / "out"
    assert run(folder, "-o", out).exit_code == 0
    rows = read_csv(out / "all.csv")
    assert len(rows) == 3 * 200
    assert [r["unit"] for r in rows[::200]] == ["城关镇人民政府", "东街街道办事处", "河口乡人民政府"]
    for i in range(3):
        assert rows[i * 200 : (i + 1) * 200] == read_csv(out / f"u{i}.csv")

    (folder / "u1.xlsx").unlink()
    result = run(folder, "-o", out)
    assert result.exit_code == 0 and "REMOVED" in words(result.output)
    assert not (out / "u1.csv").exists()
    assert {r["unit"] for r in read_csv(out / "all.csv")} == {"城关镇人民政府", "河口乡人民政府"}


def test_unchanged_rerun_writes_nothing(make_workbook, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(3):
        shutil.move(make_workbook("2021", seed=i), folder / f"u{i}.xlsx")
    out = tmp_path / "out"
    assert run(folder, "-o", out, "--wide").exit_code == 0
    before = snapshot(out)
    assert {"all.csv", MANIFEST_NAME, "u0.csv", "u0.表三.csv"} <= set(before)

    result = run(folder, "-o", out, "--wide")
    assert result.exit_code == 0
    assert words(result.output) == ["UNCHANGED"] * 3 + ["DONE"]
    assert snapshot(out) == before  # not even the manifest or all.csv: same mtime, same inode

    # Touched but not changed: the hash decides, no CSV is rewritten.
    os.utime(folder / "u1.xlsx", ns=(1, 10**18))
    assert words(run(folder, "-o", out, "--wide").output).count("UNCHANGED") == 3
    after = snapshot(out)
    assert {k for k in before if before[k] != after[k]} == {MANIFEST_NAME}

    # One changed input: its files, all.csv and the manifest are written, nothing else.
    shutil.copy(make_workbook("2021", seed=9, unit="新单位"), folder / "u2.xlsx")
    result = run(folder, "-o", out, "--wide")
    assert words(result.output) == ["UNCHANGED", "UNCHANGED", "OK", "DONE"]
    changed = {k for k, v in snapshot(out).items() if after.get(k) != v}
    assert changed == {"u2.csv", "u2.表二.csv", "u2.表三.csv", "u2.表四.csv", "all.csv", MANIFEST_NAME}


def test_a_deleted_output_is_made_again(make_workbook, tmp_path):
    path = make_workbook("2021")
    out = tmp_path / "out"
    run(path, "-o", out)
    (out / f"{path.stem}.csv").unlink()
    assert words(run(path, "-o", out).output)[0] == "OK"
    assert (out / f"{path.stem}.csv").exists()


def test_interrupted_write_leaves_no_truncated_csv(make_workbook, tmp_path, monkeypatch):
    import gkxl.csv.files

    good, other = make_workbook("2021", seed=1), make_workbook("2019", seed=2)
    out = tmp_path / "out"
    assert run(good, other, "-o", out).exit_code == 0
    complete = (out / f"{good.stem}.csv").read_bytes()
    shutil.copy(make_workbook("2021", seed=5, name="new.xlsx"), good)  # changed: to be converted again

    real_write = gkxl.csv.files._write_to

    def dies_half_way(fd, data, path):
        os.write(fd, data[:1000])
        raise KeyboardInterrupt  # the job is killed in the middle of writing

    monkeypatch.setattr(gkxl.csv.files, "_write_to", dies_half_way)
    run(good, other, "-o", out)
    assert (out / f"{good.stem}.csv").read_bytes() == complete  # the old file, whole
    assert not list(out.glob(".*tmp")) and not (out / LOCK_NAME).exists()

    def disk_full(fd, data, path):
        if not path.name.startswith(f".{good.stem}.csv"):
            return real_write(fd, data, path)  # only this workbook's CSV meets the full disk
        os.write(fd, data[:1000])
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(gkxl.csv.files, "_write_to", disk_full)
    result = run(good, other, "-o", out)
    assert result.exit_code == 1 and "FAILED" in words(result.output)
    assert not (out / f"{good.stem}.csv").exists()  # failed: no rows rather than stale or partial ones
    assert not list(out.glob(".*tmp"))

    monkeypatch.setattr(gkxl.csv.files, "_write_to", real_write)
    assert run(good, other, "-o", out).exit_code == 0
    assert len(read_csv(out / f"{good.stem}.csv")) == 200


def test_a_killed_run_leaves_temp_files_that_the_next_run_removes(make_workbook, tmp_path):
    path = make_workbook("2021")
    out = tmp_path / "out"
    out.mkdir()
    (out / f".{path.stem}.csv.abc123.tmp").write_text("half a fi")
    assert run(path, "-o", out).exit_code == 0
    assert not list(out.glob(".*tmp"))


def test_second_run_while_one_runs_exits_2(make_workbook, tmp_path):
    path = make_workbook("2021")
    out = tmp_path / "out"
    out.mkdir()
    (out / LOCK_NAME).write_text(f"{os.getpid()} {socket.gethostname()}\n")  # a live process holds it
    result = run(path, "-o", out, "--json")
    assert result.exit_code == 2
    assert "正在" in result.output and str(os.getpid()) in result.output
    assert json.loads(result.stdout)["exit_code"] == 2 and words(result.stderr) == ["NOTRUN"]
    assert sorted(p.name for p in out.iterdir()) == [LOCK_NAME]  # nothing written, lock left alone


def test_stale_lock_is_taken_over(make_workbook, tmp_path):
    path = make_workbook("2021")
    out = tmp_path / "out"
    out.mkdir()
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    (out / LOCK_NAME).write_text(f"{dead.pid} {socket.gethostname()}\n")
    result = run(path, "-o", out)
    assert result.exit_code == 0
    assert words(result.output)[0] == "LOCK" and f"进程 {dead.pid} 已不存在" in result.output
    assert not (out / LOCK_NAME).exists() and (out / f"{path.stem}.csv").exists()


def test_bad_inputs_are_reported_and_the_rest_converted(make_workbook, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.move(make_workbook("2021"), folder / "good.xlsx")
    good = (folder / "good.xlsx").read_bytes()
    (folder / "corrupt.xlsx").write_bytes(good[: len(good) // 2])
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504 + "EncryptionInfo".encode("utf-16-le")
    (folder / "encrypted.xlsx").write_bytes(ole + b"\0" * 1024)
    (folder / "notes.xlsx").write_text("这不是工作簿", encoding="utf-8")
    out = tmp_path / "out"
    result = run(folder, "-o", out, "--json")
    assert result.exit_code == 1
    log = result.output
    assert "已加密" in log and "截断" in log and "不是 Excel 工作簿" in log
    summary = json.loads(result.stdout)
    states = {Path(f["path"]).name: f["status"] for f in summary["files"]}
    assert states == {"corrupt.xlsx": "FAILED", "encrypted.xlsx": "FAILED", "good.xlsx": "OK", "notes.xlsx": "FAILED"}
    assert sorted(p.name for p in out.glob("*.csv")) == ["all.csv", "good.csv"]
    assert len(read_csv(out / "all.csv")) == 200

    # Nothing changed: still exit 1 (the broken files are still there), still nothing written.
    before = snapshot(out)
    result = run(folder, "-o", out)
    assert result.exit_code == 1 and "上次无法读取" in result.output
    assert snapshot(out) == before


def test_workbook_with_errors_is_converted_and_flagged(tmp_path):
    path = ROOT / "examples" / "with-errors" / "2024-shiqiao.xlsx"
    result = run(path, "-o", tmp_path / "out")
    assert result.exit_code == 1 and words(result.output)[0] == "ERRORS"
    rows = read_csv(tmp_path / "out" / "2024-shiqiao.csv")
    assert {r["file_status"] for r in rows} == {"error"}
    flagged = {r["cell"]: r for r in rows if r["status"] == "error"}
    assert flagged["J8"]["rules"] == "T3-APPLICANTS" and flagged["D9"]["rules"] == "V-NUMBER"
    assert [e.status for e in read_entries(tmp_path / "out").values()] == ["errors"]


def test_formula_injection_is_neutralised_in_text_only(make_workbook, tmp_path):
    def edit(report):
        report.values["active_permits_change"] = -8

    from openpyxl import load_workbook

    path = make_workbook("2019", edit=edit)
    wb = load_workbook(path)
    unit = load_form("2019").meta_cell("unit")
    wb[unit.sheet][unit.cell].value = '=HYPERLINK("http://x","点我")'
    wb[unit.sheet][unit.cell].data_type = "s"  # text, as a clerk's '= entry is stored; not a formula
    wb.save(path)
    run(path, "-o", tmp_path / "out")
    rows = read_csv(tmp_path / "out" / f"{path.stem}.csv")
    assert rows[0]["unit"] == '\'=HYPERLINK("http://x","点我")'
    assert next(r for r in rows if r["key"] == "active_permits_change")["value"] == "-8"
    for text in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"):
        assert neutralise(text) == "'" + text
    assert neutralise("城关镇") == "城关镇" and neutralise("") == ""


def test_values_are_exact():
    assert format_value(None) == "" and format_value(0) == "0" and format_value(-8) == "-8"
    assert format_value(Decimal("7730.28")) == "7730.28" and format_value(Decimal("100")) == "100"
    assert format_value(Decimal("0.0001")) == "0.0001"


def test_bom_on_by_default_and_off_on_request(make_workbook, tmp_path):
    path = make_workbook("2021")
    out = tmp_path / "out"
    run(path, "-o", out, "--wide")
    for name in ("all.csv", f"{path.stem}.csv", f"{path.stem}.表二.csv"):
        assert (out / name).read_bytes().startswith(b"\xef\xbb\xbf")
    result = run(path, "-o", out, "--wide", "--no-bom")  # a different setting converts everything again
    assert words(result.output)[0] == "OK"
    for name in ("all.csv", f"{path.stem}.csv", f"{path.stem}.表二.csv"):
        data = (out / name).read_bytes()
        assert not data.startswith(b"\xef\xbb\xbf") and data.decode("utf-8")
    assert (out / "all.csv").read_bytes().startswith(b"unit,year,form,")


def test_json_summary(make_workbook, tmp_path):
    path = make_workbook("2021", unit="城关镇人民政府", year=2024)
    result = CliRunner().invoke(cli, ["csv", str(path), "-o", str(tmp_path / "out"), "--json"])
    data = json.loads(result.stdout)  # the log lines go to stderr, the JSON alone to stdout
    assert data["exit_code"] == 0 and data["all"] == "all.csv" and data["all_written"]
    (entry,) = data["files"]
    assert entry["status"] == "OK" and entry["output"] == f"{path.stem}.csv"
    assert (entry["unit"], entry["year"], entry["form"], entry["rows"]) == ("城关镇人民政府", 2024, "2021", 200)
    assert "OK" in words(result.stderr)


def test_wide_mirrors_the_printed_form(form, make_workbook, tmp_path):
    from python_calamine import CalamineWorkbook

    path = make_workbook(form.id, seed=4)
    run(path, "-o", tmp_path / "out", "--wide")
    book = CalamineWorkbook.from_path(str(path))
    for table in form.tables:
        last_row, last_col = table_extent(table)
        with (tmp_path / "out" / f"{path.stem}.{table.sheet}.csv").open(encoding="utf-8-sig", newline="") as fh:
            grid = list(csv.reader(fh))
        sheet = book.get_sheet_by_name(table.sheet).to_python(skip_empty_area=False)
        assert len(grid) == last_row and {len(r) for r in grid} == {last_col}
        for r in range(last_row):
            for c in range(last_col):
                cell = sheet[r][c] if r < len(sheet) and c < len(sheet[r]) else ""
                expected = str(Decimal(str(cell)).normalize()) if isinstance(cell, float) else cell
                expected = str(int(cell)) if isinstance(cell, float) and cell.is_integer() else expected
                assert grid[r][c] == expected, (table.sheet, r + 1, c + 1)


def test_same_stem_in_two_folders_is_not_overwritten(make_workbook, tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir(), b.mkdir()
    shutil.move(make_workbook("2021", seed=1, unit="甲"), a / "城关镇.xlsx")
    shutil.move(make_workbook("2021", seed=2, unit="乙"), b / "城关镇.xlsx")
    out = tmp_path / "out"
    assert run(a, b, "-o", out).exit_code == 0
    assert read_csv(out / "城关镇.csv")[0]["unit"] == "甲"
    assert read_csv(out / "城关镇-2.csv")[0]["unit"] == "乙"
    assert len(read_csv(out / "all.csv")) == 400
    # The names stay with their inputs: removing a/ does not rename b's file.
    shutil.rmtree(a)
    assert run(b, "-o", out).exit_code == 0
    assert not (out / "城关镇.csv").exists() and read_csv(out / "城关镇-2.csv")[0]["unit"] == "乙"


def test_output_names():
    names = assign_names({"/a/x": "x", "/b/x": "X", "/c/all": "all", "/d/x.表二": "x.表二"}, {})
    assert names == {"/a/x": "x", "/b/x": "X-2", "/c/all": "all-2", "/d/x.表二": "x_表二-2"}
    assert assign_names({"/a/x": "x", "/b/x": "x"}, {"/b/x": "x"}) == {"/b/x": "x", "/a/x": "x-2"}


def test_missing_input_changes_nothing(make_workbook, tmp_path):
    path = make_workbook("2021")
    out = tmp_path / "out"
    run(path.parent, "-o", out)
    before = snapshot(out)
    result = run(tmp_path / "unmounted-share", "-o", out)
    assert result.exit_code == 2 and "输入不存在" in result.output
    assert snapshot(out) == before


def test_log_file_gets_timestamped_lines(make_workbook, tmp_path):
    path = make_workbook("2021")
    log = tmp_path / "job.log"
    run(path, "-o", tmp_path / "out", "--log", log)
    run(path, "-o", tmp_path / "out", "--log", log)
    lines = log.read_text(encoding="utf-8").splitlines()
    assert [STAMP.match(line).group(1) for line in lines] == ["OK", "DONE", "UNCHANGED", "DONE"]
    assert str(path) in lines[0] and "200 行" in lines[0]


def test_real_process_exit_codes_and_utf8(make_workbook, tmp_path):
    path = make_workbook("2021", unit="城关镇人民政府")
    env = {**os.environ, "PYTHONIOENCODING": "ascii"}  # a console that is not UTF-8 (as on Windows)
    command = [sys.executable, "-m", "gkxl", "csv", str(path), "-o", str(tmp_path / "out")]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, env=env)
    assert done.returncode == 0
    assert "城关镇人民政府" in done.stderr.decode("utf-8")


def test_only_one_run_takes_over_a_stale_lock(make_workbook, tmp_path):
    """Two runs that both find a dead run's lock: the one that finds another taking it over backs off."""
    path = make_workbook("2021")
    out = tmp_path / "out"
    out.mkdir()
    (out / LOCK_NAME).write_text("999999999 " + socket.gethostname(), encoding="utf-8")  # a dead pid
    (out / f"{LOCK_NAME}.takeover").write_text(f"{os.getpid()} {socket.gethostname()}", encoding="utf-8")
    result = run(path, "-o", out)
    assert result.exit_code == 2 and "刚刚开始写这个输出文件夹" in result.output
    (out / f"{LOCK_NAME}.takeover").unlink()  # the other run finished taking over (and died, say)
    assert run(path, "-o", out).exit_code == 0
    assert not (out / LOCK_NAME).exists() and not (out / f"{LOCK_NAME}.takeover").exists()


def test_plain_arguments_run_without_click(make_workbook, tmp_path):
    """A nightly `gkxl csv` with plain arguments is parsed without Click (as validate is); help, usage errors and
    what Click's path types refuse go to the Click command, which says it in Chinese."""
    from gkxl.cli.csv_run import parse
    from gkxl.cli.fast import dispatch

    out = tmp_path / "out"
    assert parse(["in", "-o", str(out), "--no-bom", "--wide", "-j", "2", "--log=x.log", "--json"]) == {
        "inputs": [Path("in")], "outdir": out, "bom": False, "wide": True, "log_file": Path("x.log"), "jobs": 2,
        "as_json": True,
    }  # fmt: skip
    assert parse(["-o", str(out), "--", "-a.xlsx"])["inputs"] == [Path("-a.xlsx")]
    file = tmp_path / "f.txt"
    file.write_text("")
    for args in (["in"], ["-o", str(out)], ["in", "-o", str(out), "-h"], ["in", "-o", str(out), "-j", "0"],
                 ["in", "-o"], ["in", "-o", str(file)], ["in", "-xo", str(out)]):  # fmt: skip
        assert parse(args) is None, args
    assert dispatch(["csv", "in", "-o", str(out)]) is not None and dispatch(["csv", "--help"]) is None

    path = make_workbook("2021")
    code = "import sys; from gkxl.cli import run; code = run(sys.argv[1:]); print('click' in sys.modules, code)"
    for _ in range(2):  # a first run and an unchanged one
        done = subprocess.run([sys.executable, "-c", code, "csv", str(path), "-o", str(out)], capture_output=True,
                              text=True, encoding="utf-8", check=True)  # fmt: skip
        assert done.stdout.split() == ["False", "0"], done.stderr
    assert "UNCHANGED" in done.stderr and "DONE" in done.stderr
