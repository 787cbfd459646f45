"""Year over year: 上年结转 against last year's 结转下年度, 现行有效件数 carried forward, and 说明."""

import json
import random

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from gkxl.cli import cli
from gkxl.form.model import load_form
from gkxl.read.reader import Report, read_report
from gkxl.workbook.sample import random_report, write_report

PARTS = ["natural", "business", "research", "welfare", "legal", "other"]


def _follow(this: Report, last: Report) -> Report:
    """Make `this` continue `last` (carry-over and documents in force) and stay consistent."""
    v, lv = this.values, last.values
    for c in PARTS:
        v[f"apply_carried_in_{c}"] = lv[f"apply_carried_out_{c}"]
        out = v[f"apply_new_{c}"] + v[f"apply_carried_in_{c}"] - v[f"apply_closed_total_{c}"]
        if out < 0:
            v[f"apply_new_{c}"] -= out
            out = 0
        v[f"apply_carried_out_{c}"] = out
    for row in ("new", "carried_in", "carried_out"):
        v[f"apply_{row}_total"] = sum(v[f"apply_{row}_{c}"] for c in PARTS)
    if this.form.id == "2021" and last.form.id == "2021":
        for row in ("regs", "norms"):
            v[f"active_{row}_repealed"] = 0
            v[f"active_{row}_valid"] = lv[f"active_{row}_valid"] + v[f"active_{row}_issued"]
    return this


@pytest.fixture
def pair(tmp_path):
    """pair(last_form, last_year, this_form, edit=None) -> (last path, this path)."""

    def make(last_form="2021", last_year=2023, this_form="2021", edit=None, this_unit="城关镇人民政府"):
        last = random_report(load_form(last_form), random.Random(1), unit="城关镇人民政府", year=last_year)
        this = random_report(load_form(this_form), random.Random(2), unit=this_unit, year=last_year + 1)
        _follow(this, last)
        if edit:
            edit(this)
        return (
            write_report(last, tmp_path / f"last-{last_year}.xlsx"),
            write_report(this, tmp_path / f"this-{last_year + 1}.xlsx"),
        )

    return make


def validate(*args):
    result = CliRunner().invoke(cli, ["validate", "--json", *map(str, args)])
    return result.exit_code, json.loads(result.output)["files"] if result.output.startswith("{") else result.output


PLAUSIBILITY = {"Y-GROWTH", "Y-DROP"}  # random figures are not plausible from one year to the next


def _cross(files):
    return [f for f in files[0]["findings"] if f["rule"].startswith("Y-") and f["rule"] not in PLAUSIBILITY]


@pytest.mark.parametrize("last_form, last_year", [("2021", 2023), ("2019", 2020)])
def test_consecutive_reports_pass(pair, last_form, last_year):
    last, this = pair(last_form, last_year)
    code, files = validate(this, "--previous", last)
    assert code == 0 and _cross(files) == []


def _bump_carried_in(report):
    v = report.values
    v["apply_carried_in_legal"] += 1
    v["apply_carried_in_total"] += 1
    v["apply_new_legal"] -= 1  # keep this year's own sums right: only the cross-year rule breaks
    v["apply_new_total"] -= 1
    if v["apply_new_legal"] < 0:
        v["apply_new_legal"] += 2
        v["apply_new_total"] += 2
        v["apply_carried_out_legal"] += 2
        v["apply_carried_out_total"] += 2


@pytest.mark.parametrize("last_form, last_year", [("2021", 2023), ("2019", 2020)])
def test_carry_over_mismatch_names_both_files_and_cells(pair, last_form, last_year):
    last, this = pair(last_form, last_year, edit=_bump_carried_in)
    code, files = validate(this, "--previous", last)
    assert code == 0  # warnings only
    found = _cross(files)
    assert {(f["rule"], f["cell"], f["severity"]) for f in found} == {
        ("Y-CARRY", "H7", "warning"),
        ("Y-CARRY", "J7", "warning"),
    }
    legal = next(f for f in found if f["cell"] == "H7")
    last_cell = "H30" if last_form == "2021" else "H28"  # 2019's 表三 is two rows shorter
    assert legal["related"] == f"上年报告 {last_year}年 {last.name} 表三!{last_cell}"
    assert legal["reported"] - legal["expected"] == 1
    assert "二、上年结转政府信息公开申请数量·法律服务机构" in legal["message"] and last.name in legal["message"]


def test_documents_in_force_carried_forward(pair):
    def edit(report):
        report.values["active_norms_valid"] += 2

    last, this = pair(edit=edit)
    code, files = validate(this, "--previous", last)
    found = _cross(files)
    assert code == 0 and [(f["rule"], f["cell"]) for f in found] == [("Y-IN-FORCE", "D6")]
    assert "上年现行有效件数" in found[0]["message"]


def test_documents_in_force_not_checked_across_the_2021_change(pair):
    def edit(report):
        report.values["active_norms_valid"] += 2

    last, this = pair("2019", 2020, edit=edit)
    assert [f["rule"] for f in _cross(validate(this, "--previous", last)[1])] == []


def test_other_unit_or_year_gives_a_clear_message(pair, tmp_path):
    last, this = pair(this_unit="河口乡人民政府")
    code, files = validate(this, "--previous", last)
    assert code == 2 and "单位“城关镇人民政府”与本年“河口乡人民政府”不一致" in files[0]["error"]
    last, this = pair(last_year=2021)
    code, files = validate(this, "--previous", this)
    assert code == 2 and "年度为 2022，应为 2021 年" in files[0]["error"]


def test_previous_folder_matched_by_unit(pair, tmp_path):
    last, this = pair(edit=_bump_carried_in)
    folder = tmp_path / "2023"
    folder.mkdir()
    last.rename(folder / "any-name.xlsx")
    other = random_report(load_form("2021"), random.Random(5), unit="河口乡人民政府", year=2024)
    other_path = write_report(other, tmp_path / "hekou.xlsx")
    code, files = validate(this, other_path, "--previous", folder)
    assert code == 0
    by_name = {f["path"].rsplit("/", 1)[-1]: f for f in files}
    assert {f["rule"] for f in _cross([by_name["this-2024.xlsx"]])} == {"Y-CARRY"}
    assert [f["rule"] for f in _cross([by_name["hekou.xlsx"]])] == ["Y-NO-PREVIOUS"]


def test_previous_year_block_from_last_years_workbook(pair, tmp_path):
    last, _ = pair()
    out = tmp_path / "2024.xlsx"
    result = CliRunner().invoke(cli, ["template", "--previous", str(last), "-o", str(out)])
    assert result.exit_code == 0, result.output
    wb = load_workbook(out)
    assert wb["封面"]["B3"].value == "城关镇人民政府" and wb["封面"]["B4"].value == 2024
    block = read_report(out).previous_block
    assert block["prev_apply_carried_out_natural"] == read_report(last).values["apply_carried_out_natural"]
    # The clerk fills this year's figures with a carry-over that does not match: the block catches it.
    this = read_report(out)
    this.values.update(random_report(load_form("2021"), random.Random(9)).values)
    wb2 = load_workbook(out)
    for cell in this.form.cells:
        wb2[cell.sheet][cell.cell] = this.values[cell.key]
    wb2.save(out)
    findings = validate(out)[1][0]["findings"]
    carry = [f for f in findings if f["rule"] == "Y-CARRY"]
    assert carry and all(f["related"].startswith("本表“上年数据” 上年数据!B") for f in carry)


def test_explained_warning_travels_and_errors_cannot_be_explained(make_workbook, tmp_path):
    def edit(report):
        report.values["active_fees_amount"] = 250000  # a big amount: a warning the clerk can confirm
        report.values["apply_granted_total"] += 1  # an error

    src = make_workbook(edit=edit)
    marked = tmp_path / "marked.xlsx"
    assert CliRunner().invoke(cli, ["validate", str(src), "--annotate", str(marked)]).exit_code == 1
    wb = load_workbook(marked)
    ws = wb["校验结果"]
    header = [c.value for c in ws[1]]
    for row in ws.iter_rows(min_row=2):
        if row[header.index("规则")].value in ("V-MONEY-UNIT", "T3-APPLICANTS"):
            row[header.index("说明")].value = "本年新增停车收费，数字经核实无误"
    wb.save(marked)
    code, files = validate(marked)
    assert code == 1
    by_rule = {f["rule"]: f for f in files[0]["findings"]}
    assert by_rule["V-MONEY-UNIT"]["explained"] is True
    assert by_rule["T3-APPLICANTS"]["explained"] is False and by_rule["T3-APPLICANTS"]["severity"] == "error"
    assert files[0]["explained"] == 1
    # Re-annotating keeps the 说明.
    again = tmp_path / "again.xlsx"
    CliRunner().invoke(cli, ["validate", str(marked), "--annotate", str(again)])
    notes = [r[-1] for r in load_workbook(again)["校验结果"].iter_rows(min_row=2, values_only=True) if r[-1]]
    assert notes.count("本年新增停车收费，数字经核实无误") == 2
    fee = load_workbook(again)["表二"]["B16"]  # the explained warning: green, its 说明 in the comment
    assert fee.fill.fgColor.rgb == "FFC6EFCE" and "说明：本年新增停车收费" in fee.comment.text
    human = CliRunner().invoke(cli, ["validate", str(marked)]).output
    assert "已说明：本年新增停车收费" in human and "结论：不通过：2 处必须修改" in human


def _explained_workbook(make_workbook, tmp_path):
    """A report whose only warning (a big amount) the clerk confirmed with a 说明 on the 校验结果 sheet."""
    src = make_workbook(seed=3, name="城关镇.xlsx", unit="城关镇人民政府", year=2024,
                        edit=lambda r: r.values.__setitem__("active_fees_amount", 250000))  # fmt: skip
    marked = tmp_path / "城关镇-说明.xlsx"
    CliRunner().invoke(cli, ["validate", str(src), "--annotate", str(marked)])
    wb = load_workbook(marked)
    ws = wb["校验结果"]
    header = [c.value for c in ws[1]]
    for row in ws.iter_rows(min_row=2):
        if row[header.index("规则")].value == "V-MONEY-UNIT":
            row[header.index("说明")].value = "含土地出让收费，已核实"
    wb.save(marked)
    src.unlink()
    return marked


def test_explanation_travels_into_the_merge_provenance(make_workbook, tmp_path):
    from gkxl.merge.sheets import SOURCES_SHEET

    explained = _explained_workbook(make_workbook, tmp_path)
    other = make_workbook(seed=4, name="河口乡.xlsx", unit="河口乡人民政府", year=2024)
    out = tmp_path / "county.xlsx"
    result = CliRunner().invoke(cli, ["merge", str(explained), str(other), "-o", str(out), "--unit", "某县"])
    assert result.exit_code == 0, result.output
    rows = list(load_workbook(out)[SOURCES_SHEET].iter_rows(values_only=True))
    header = rows[0]
    rows = {r[header.index("填报单位")]: r for r in rows[1:]}
    town = rows["城关镇人民政府"]
    assert town[header.index("已说明")] == 1
    assert town[header.index("说明")] == "V-MONEY-UNIT 表二!B16：含土地出让收费，已核实"
    assert rows["河口乡人民政府"][header.index("已说明")] == 0


def test_explanation_travels_into_the_csv_manifest(make_workbook, tmp_path):
    from gkxl.csv.manifest import read_entries

    explained = _explained_workbook(make_workbook, tmp_path)
    out = tmp_path / "csv"
    result = CliRunner().invoke(cli, ["csv", str(explained), "-o", str(out)])
    assert result.exit_code == 0, result.output
    entry = next(iter(read_entries(out).values()))
    assert (entry.explained, entry.warnings) == (1, 0)
    assert entry.explanations == ["V-MONEY-UNIT 表二!B16：含土地出让收费，已核实"]


def test_unreadable_files_in_the_previous_folder_are_reported_in_json(pair, tmp_path):
    last, this = pair()
    folder = tmp_path / "2023"
    folder.mkdir()
    last.rename(folder / "城关镇.xlsx")
    (folder / "坏文件.xlsx").write_bytes(b"not a workbook")
    result = CliRunner().invoke(cli, ["validate", "--json", str(this), "--previous", str(folder)])
    data = json.loads(result.output)
    assert len(data["previous_unreadable"]) == 1 and "坏文件.xlsx" in data["previous_unreadable"][0]
    assert data["files"][0]["ok"] is True
