"""`gkxl validate` driven through Click's test runner, on real workbooks."""

import hashlib
import json

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from gkxl.cli import cli


def run(*args):
    return CliRunner().invoke(cli, ["validate", *map(str, args)])


def _break_total(report):
    report.values["apply_closed_total_natural"] += 1


def _warn_only(report):
    """Blank one part and keep the sums right: only a V-BLANK warning remains."""
    v = report.values
    v["appeal_review_total"] -= v["appeal_review_other"]
    v["appeal_review_other"] = None


def test_clean_file_exits_0(make_workbook):
    result = run(make_workbook())
    assert result.exit_code == 0, result.output
    assert "结论：通过" in result.output


def test_warnings_alone_exit_0(make_workbook):
    result = run(make_workbook(edit=_warn_only), "--json")
    assert result.exit_code == 0
    file = json.loads(result.output)["files"][0]
    assert file["ok"] is True and [f["rule"] for f in file["findings"]] == ["V-BLANK"]


def test_errors_exit_1_with_grouped_output(make_workbook):
    result = run(make_workbook(edit=_break_total))
    assert result.exit_code == 1
    assert "  表三\n" in result.output
    assert "（七）总计·自然人：填报" in result.output and "相差 +1" in result.output
    assert "[T3-RESULTS]" in result.output and "结论：不通过" in result.output


def test_json_contract(make_workbook):
    result = run(make_workbook(edit=_break_total, unit="石桥镇人民政府", year=2024), "--json")
    assert result.exit_code == 1
    file = json.loads(result.output)["files"][0]
    assert (file["form"], file["unit"], file["year"], file["ok"]) == ("2021", "石桥镇人民政府", 2024, False)
    finding = next(f for f in file["findings"] if f["rule"] == "T3-RESULTS")
    assert {"rule", "severity", "sheet", "cell", "key", "message", "reported", "expected"} <= set(finding)
    assert finding["reported"] - finding["expected"] == 1 and finding["key"] == "apply_closed_total_natural"


def test_unreadable_file_exits_2_and_the_others_are_still_checked(make_workbook, tmp_path):
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"not a workbook")
    good, broken = make_workbook(seed=1), make_workbook(seed=2, edit=_break_total)
    result = run(good, bad, broken, "--json")
    assert result.exit_code == 2
    files = {f["path"]: f for f in json.loads(result.output)["files"]}
    assert files[str(bad)]["ok"] is False and "不是 Excel 工作簿" in files[str(bad)]["error"]
    assert files[str(good)]["ok"] is True and files[str(broken)]["ok"] is False
    human = run(good, bad, broken)
    assert human.exit_code == 2 and "无法读取" in human.output and "共 3 个文件" in human.output


def test_folder_input_skips_lock_and_hidden_files(make_workbook, tmp_path):
    make_workbook(name="a.xlsx")
    (tmp_path / "~$a.xlsx").write_bytes(b"lock")
    (tmp_path / ".hidden.xlsx").write_bytes(b"hidden")
    (tmp_path / "notes.txt").write_text("x")
    data = json.loads(run(tmp_path, "--json").output)
    assert [f["path"].rsplit("/", 1)[-1] for f in data["files"]] == ["a.xlsx"]


@pytest.mark.parametrize("args", [[], ["--nope"], ["--form", "1999", "x.xlsx"]])
def test_bad_usage_exits_2(args):
    assert CliRunner().invoke(cli, ["validate", *args]).exit_code == 2


def test_empty_folder_exits_2(tmp_path):
    result = run(tmp_path)
    assert result.exit_code == 2 and "没有找到" in result.output


def test_annotate_marks_cells_and_lists_findings(make_workbook, tmp_path):
    src = make_workbook(edit=_break_total)
    digest = hashlib.sha256(src.read_bytes()).hexdigest()
    out = tmp_path / "marked.xlsx"
    result = run(src, "--annotate", out)
    assert result.exit_code == 1
    assert hashlib.sha256(src.read_bytes()).hexdigest() == digest  # the input is never modified
    wb = load_workbook(out)
    cell = wb["表三"]["D29"]
    assert cell.fill.fgColor.rgb == "FFFF7C80" and "各项合计" in cell.comment.text
    results = wb["校验结果"]
    rows = list(results.iter_rows(min_row=2, values_only=True))
    assert any(r[3] == "D29" and r[4] == "T3-RESULTS" for r in rows)
    link = next(c for c in results["D"][1:] if c.value == "D29")
    assert link.hyperlink.location == "'表三'!D29" or link.hyperlink.target == "#'表三'!D29"


def test_annotate_refuses_to_overwrite_the_input(make_workbook):
    src = make_workbook(edit=_break_total)
    before = src.read_bytes()
    result = run(src, "--annotate", src)
    assert result.exit_code == 2 and "不能覆盖原文件" in result.output
    assert src.read_bytes() == before


def test_annotate_several_files_into_a_folder(make_workbook, tmp_path):
    a, b = make_workbook(seed=1, name="a.xlsx"), make_workbook(seed=2, name="b.xlsx", edit=_break_total)
    out = tmp_path / "checked"
    assert run(a, b, "--annotate", out).exit_code == 1
    assert sorted(p.name for p in out.iterdir()) == ["a.校验.xlsx", "b.校验.xlsx"]


def test_examples_validate(tmp_path):
    from gkxl.workbook.examples import build_examples

    build_examples(tmp_path)
    assert run(tmp_path).exit_code == 0
    broken = run(tmp_path / "with-errors")
    assert broken.exit_code == 1 and "T4-REVIEW" in broken.output


def test_committed_examples_are_up_to_date(tmp_path):
    from pathlib import Path

    from gkxl.read.reader import read_report
    from gkxl.workbook.examples import build_examples

    committed = Path(__file__).parents[1] / "examples"
    for fresh in build_examples(tmp_path):
        old = read_report(committed / fresh.relative_to(tmp_path))
        new = read_report(fresh)
        rebuild = "rebuild: python -m gkxl.workbook.examples"
        assert (old.unit, old.year, old.values) == (new.unit, new.year, new.values), rebuild


def test_annotate_colours_a_cell_by_its_worst_finding(make_workbook, tmp_path):
    """A blank total is a V-BLANK warning and a broken sum at once: red wins, both messages in the comment."""
    src = make_workbook(edit=lambda r: r.values.__setitem__("apply_new_total", None))
    out = tmp_path / "marked.xlsx"
    run(src, "--annotate", out)
    cell = load_workbook(out)["表三"]["J6"]
    assert cell.fill.fgColor.rgb == "FFFF7C80"
    assert "必须修改：" in cell.comment.text and "请核实：" in cell.comment.text


def test_annotating_an_annotated_copy_drops_the_old_marks(make_workbook, tmp_path):
    src = make_workbook(edit=_break_total)
    first, second = tmp_path / "1.xlsx", tmp_path / "2.xlsx"
    run(src, "--annotate", first)
    wb = load_workbook(first)
    wb["表三"]["D29"] = wb["表三"]["D29"].value - 1  # the clerk fixes the total in the annotated copy
    wb.save(first)
    assert run(first, "--annotate", second).exit_code == 0
    cell = load_workbook(second)["表三"]["D29"]
    assert cell.comment is None and cell.fill.fgColor.rgb == "FFFDF5D8"  # back to the template's input yellow


def test_annotate_keeps_same_named_files_from_different_folders_apart(make_workbook, tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir(), b.mkdir()
    first = make_workbook(seed=1, name="a/x.xlsx")
    second = make_workbook(seed=2, name="b/x.xlsx", edit=_break_total)
    out = tmp_path / "checked"
    assert run(first, second, "--annotate", out).exit_code == 1
    assert sorted(p.name for p in out.iterdir()) == ["x-2.校验.xlsx", "x.校验.xlsx"]
    assert "校验结果" in load_workbook(out / "x-2.校验.xlsx").sheetnames
