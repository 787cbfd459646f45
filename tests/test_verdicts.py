"""One verdict per report (errors | incomplete | unexplained | ok), the same in every command, and error
values (#REF!, #N/A, ...) as errors at their cells."""

from __future__ import annotations

import json
import random
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from gkxl.check.validate import check_file
from gkxl.check.verdict import verdict
from gkxl.cli import cli
from gkxl.csv.job import run_csv
from gkxl.csv.manifest import read_entries
from gkxl.form.model import load_form
from gkxl.merge.combine import merge
from gkxl.merge.sheets import read_sources
from gkxl.read.values import parse
from gkxl.workbook.sample import random_report, write_report
from gkxl.workbook.standard import write_template

TOWNS = ("城关镇人民政府", "石桥镇人民政府", "河口乡人民政府", "东街街道办事处")


def _report(path: Path, unit: str, seed: int, edit=None) -> Path:
    report = random_report(load_form("2021"), random.Random(seed), unit=unit, year=2024)
    if edit:
        edit(report)
    return write_report(report, path)


def _blank(report) -> None:
    report.values["active_regs_issued"] = None  # breaks no total (T2-ISSUED is a ≤)


def _money_warning(report) -> None:
    cell = next(c for c in report.form.cells if c.kind == "money")
    report.values[cell.key] = Decimal("60000")  # looks like 元: V-MONEY-UNIT


def _error(report) -> None:
    report.values["apply_granted_total"] += 1


@pytest.fixture
def four(tmp_path):
    """One report of each verdict: ok, incomplete, unexplained, errors."""
    edits = {"ok": None, "incomplete": _blank, "unexplained": _money_warning, "errors": _error}
    return {s: _report(tmp_path / f"{s}.xlsx", TOWNS[i], i, e) for i, (s, e) in enumerate(edits.items())}


TEXTS = {"ok": "通过", "incomplete": "未填完：1 处未填写", "unexplained": "待说明：1 处请核实"}


def test_each_report_gets_the_verdict_of_the_table(four):
    for status, path in four.items():
        result = check_file(path)
        assert result.status == status, (status, result.findings)
        if status in TEXTS:
            assert result.verdict == TEXTS[status]
    assert check_file(four["errors"]).verdict == "不通过：2 处必须修改"  # T3-APPLICANTS and T3-RESULTS


def test_validate_text_json_and_strict_exit_codes(four):
    runner = CliRunner()
    for status, path in four.items():
        out = runner.invoke(cli, ["validate", str(path)])
        assert f"结论：{check_file(path).verdict}" in out.output
        assert out.exit_code == (1 if status == "errors" else 0), out.output
        strict = runner.invoke(cli, ["validate", "--strict", str(path)])
        assert strict.exit_code == (0 if status == "ok" else 1), strict.output
        data = json.loads(runner.invoke(cli, ["validate", "--json", str(path)]).output)["files"][0]
        assert data["status"] == status and data["verdict"] == check_file(path).verdict


def test_an_explained_warning_passes_but_an_explained_blank_stays_incomplete(four):
    findings = check_file(four["unexplained"]).findings
    money = next(f for f in findings if f.rule == "V-MONEY-UNIT")
    settled = [replace(f, explanation="含土地出让收费，已核实") if f is money else f for f in findings]
    assert verdict(settled).status == "ok" and verdict(settled).explained == 1
    findings = check_file(four["incomplete"]).findings
    noted = [replace(f, explanation="没有发生") for f in findings]
    assert verdict(noted).status == "incomplete"


def test_a_blank_template_is_an_error(tmp_path):
    path = write_template(tmp_path / "blank.xlsx", "2021")
    result = check_file(path)
    assert result.status == "errors" and result.verdict == "不通过：1 处必须修改"
    empty = [f for f in result.findings if f.rule == "V-EMPTY"]
    assert len(empty) == 1 and empty[0].sheet == "表二" and "报告未填写" in empty[0].message
    assert CliRunner().invoke(cli, ["validate", str(path)]).exit_code == 1


def test_merge_names_incomplete_and_unexplained_inputs_and_refuses_a_blank_one(four, tmp_path):
    inputs = [four["ok"], four["incomplete"], four["unexplained"]]
    out = CliRunner().invoke(cli, ["merge", *map(str, inputs), "-o", str(tmp_path / "县.xlsx"), "-j", "1"])
    assert out.exit_code == 0, out.output
    assert f"{four['incomplete']}（{TOWNS[1]}）未填完：1 处未填写" in out.output
    assert f"{four['unexplained']}（{TOWNS[2]}）待说明：1 处请核实" in out.output
    verdicts = [s.verdict for s in read_sources(tmp_path / "县.xlsx")]
    assert verdicts == ["已汇总", "已汇总（未填完：1 处未填写）", "已汇总（待说明：1 处请核实）"]
    statuses = json.loads(
        CliRunner().invoke(cli, ["merge", *map(str, inputs), "-o", str(tmp_path / "j.xlsx"), "--json"]).output
    )
    assert [i["status"] for i in statuses["inputs"]] == ["ok", "incomplete", "unexplained"]

    blank = write_template(tmp_path / "空白.xlsx", "2021")
    wb = load_workbook(blank)
    wb["封面"]["B3"], wb["封面"]["B4"] = "西村乡人民政府", 2024
    wb.save(blank)
    result = merge([four["ok"], blank], tmp_path / "x.xlsx", allow_errors=True, workers=1)
    assert not result.merged and any("V-EMPTY" in p for p in result.problems[1])


def test_csv_manifest_records_the_verdict(four, tmp_path):
    run_csv(list(four.values()), tmp_path / "out", jobs=1)
    entries = read_entries(tmp_path / "out").values()
    by_unit = {e.unit: (e.verdict, e.verdict_text) for e in entries}
    assert by_unit[TOWNS[0]] == ("ok", "通过")
    assert by_unit[TOWNS[1]] == ("incomplete", "未填完：1 处未填写")
    assert by_unit[TOWNS[2]] == ("unexplained", "待说明：1 处请核实")
    assert by_unit[TOWNS[3]] == ("errors", "不通过：2 处必须修改")


# --- error values -------------------------------------------------------------------------------------

ERRORS = ("#REF!", "#DIV/0!", "#N/A", "#VALUE!")


def _with_error_values(path: Path, cells: dict[str, str], year: str | None = None) -> Path:
    """Error values typed into cells (openpyxl stores a '#REF!' string as an error cell, t="e")."""
    wb = load_workbook(path)
    for where, value in cells.items():
        sheet, address = where.split("!")
        wb[sheet][address] = value
        assert wb[sheet][address].data_type == "e"
    if year:
        wb["封面"]["B4"] = year
    wb.save(path)
    return path


def test_error_values_are_errors_at_their_cells_in_every_command(tmp_path):
    form = load_form("2021")
    cells = [form.cell("apply_granted_natural"), form.cell("apply_new_business"), form.cell("active_regs_valid")]
    typed = {f"{c.sheet}!{c.cell}": e for c, e in zip(cells, ERRORS, strict=False)}
    path = _with_error_values(_report(tmp_path / "坏.xlsx", TOWNS[0], 3), typed, year="#N/A")
    result = check_file(path)
    found = {(f.sheet, f.cell): f for f in result.findings if f.rule == "V-ERROR"}
    assert set(found) == {tuple(w.split("!")) for w in typed} | {("封面", "B4")}
    assert all(f.severity == "error" for f in found.values())
    assert "#REF!" in found[(cells[0].sheet, cells[0].cell)].message and "#N/A" in found[("封面", "B4")].message
    assert result.status == "errors"
    assert CliRunner().invoke(cli, ["validate", str(path)]).exit_code == 1
    good = _report(tmp_path / "好.xlsx", TOWNS[1], 4)
    refused = merge([good, path], tmp_path / "汇总.xlsx", workers=1)
    assert not refused.merged and any("V-ERROR" in p for p in refused.problems[1])
    run_csv([path], tmp_path / "csv", jobs=1)
    rows = (tmp_path / "csv" / "坏.csv").read_text(encoding="utf-8-sig").splitlines()
    assert sum(1 for r in rows if ",error,V-ERROR," in r) == len(typed)


@pytest.mark.parametrize("text", [*ERRORS, "#NAME?", "#NUM!", "#NULL!"])
def test_error_values_given_as_text_are_v_error(text):
    """The 校验 button reads the live book through xlwings, which gives error values as text."""
    assert parse(text, "count").problem.rule == "V-ERROR"
    assert parse("#12", "count").problem.rule == "V-NUMBER"  # not an error value: just not a number


def test_validate_counts_the_files_by_verdict(four, tmp_path):
    out = CliRunner().invoke(cli, ["validate", *map(str, four.values())])
    assert out.output.rstrip().endswith("共 4 个文件：通过 1，待说明 1，未填完 1，不通过 1")
