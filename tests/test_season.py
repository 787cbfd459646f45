"""The reporting season on a generated county: roster, status, versions, accept, diff, merge --roster."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from gkxl.cli import cli
from gkxl.season.roster import RosterError, load_roster
from tests.season_county import ALIAS_UNIT, CODE_UNIT, make_inbox, roster_rows, write_roster


@pytest.fixture(scope="session")
def county_cache(tmp_path_factory):
    root = tmp_path_factory.mktemp("county")
    expected = make_inbox(root / "收件箱")
    write_roster(root / "名册.xlsx")
    return root, expected


@pytest.fixture
def county(county_cache, tmp_path):
    root, expected = county_cache
    shutil.copytree(root, tmp_path / "county")
    return tmp_path / "county", expected


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def status_json(folder: Path, *extra: str) -> dict:
    result = run("status", str(folder / "收件箱"), "--roster", str(folder / "名册.xlsx"), "--json", *extra)
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.output)


# --- roster ---------------------------------------------------------------------------------------------


def test_roster_template_reads_back_as_empty_roster(tmp_path):
    out = tmp_path / "名册.xlsx"
    result = run("roster", "template", "-o", str(out))
    assert result.exit_code == 0, result.output
    with pytest.raises(RosterError, match="名册中没有单位"):
        load_roster(out)
    from openpyxl import load_workbook

    ws = load_workbook(out).active
    assert [c.value for c in ws[1]] == ["单位代码", "单位名称", "别名", "单位类型", "上级单位", "联系人", "联系电话"]
    assert ws.print_title_rows == "$1:$1" and int(ws.page_setup.paperSize) == 9


@pytest.mark.parametrize("name,encoding", [("名册.csv", "utf-8-sig"), ("名册.csv", "utf-8"), ("名册.csv", "gb18030"),
                                           ("名册.xlsx", None)])  # fmt: skip
def test_roster_formats(tmp_path, name, encoding):
    path = write_roster(tmp_path / name, encoding=encoding or "utf-8")
    roster = load_roster(path)
    assert len(roster.units) == 30
    alias = roster.find(ALIAS_UNIT[0])
    assert alias.aliases == (ALIAS_UNIT[1], "洪泽区政府")
    assert roster.units[0].code == "3208290001" and roster.units[0].contact == "联系人1"


def test_roster_matching_never_guesses(tmp_path):
    roster = load_roster(write_roster(tmp_path / "名册.xlsx"))
    hongze = roster.find(ALIAS_UNIT[0])
    assert roster.match("淮安市 洪泽区人民政府") is hongze  # alias, spaces ignored
    assert roster.match("洪泽区人民政") is None  # a near miss is no match
    assert roster.match("高新区管委会", CODE_UNIT[2]).name == CODE_UNIT[0]  # by code, whatever the name
    assert roster.match("城关镇人民政府", "3208290002") is roster.units[1]  # the code wins over the name
    assert roster.match("城关镇人民政府", "9999") is None  # both have codes and they differ
    assert roster.match("ＣＧ城关镇人民政府") is None


def test_bad_roster_names_every_problem_by_row(tmp_path):
    rows = roster_rows()
    rows[4]["单位代码"] = rows[1]["单位代码"]
    rows[7]["单位名称"] = rows[2]["单位名称"]
    rows[9]["别名"] = rows[0]["单位名称"]
    rows[11]["单位名称"] = ""
    rows[11]["联系人"] = "某人"
    path = write_roster(tmp_path / "名册.csv", rows)
    result = run("roster", "check", str(path))
    assert result.exit_code == 2
    for text in ("第 6 行：单位代码“3208290002”与第 3 行重复", f"第 9 行：单位名称“{rows[2]['单位名称']}”与第 4 行重复",
                 f"第 11 行：别名“{rows[0]['单位名称']}”是第 2 行单位的名称", "第 13 行：单位名称为空"):  # fmt: skip
        assert text in result.output
    assert "Traceback" not in result.output


def test_roster_missing_columns(tmp_path):
    path = tmp_path / "名册.csv"
    path.write_text("单位名称,联系人\n城关镇人民政府,张三\n", encoding="utf-8")
    result = run("roster", "check", str(path))
    assert result.exit_code == 2
    assert "第 1 行（表头）缺少列：单位代码、别名、单位类型、上级单位、联系电话" in result.output


def test_roster_bad_encoding(tmp_path):
    path = tmp_path / "名册.csv"
    path.write_bytes("单位名称".encode("utf-16"))
    result = run("roster", "check", str(path))
    assert result.exit_code == 2 and "编码无法识别" in result.output
