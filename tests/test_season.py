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
    assert roster.match("县教育局", "999") is roster.find("县教育局")  # the roster has no code for it: by name
    assert roster.match(None) is None and roster.match("") is None


def test_roster_codes_typed_as_numbers(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["单位代码", "单位名称", "别名", "单位类型", "上级单位", "联系人", "联系电话"])
    wb.active.append([3208290001, "城关镇人民政府", None, None, None, None, 80001234])
    wb.save(tmp_path / "名册.xlsx")
    roster = load_roster(tmp_path / "名册.xlsx")
    assert roster.units[0].code == "3208290001" and roster.units[0].phone == "80001234"
    assert roster.match("别的名字", "3208290001") is roster.units[0]


def test_bad_roster_names_every_problem_by_row(tmp_path):
    rows = roster_rows()
    rows[4]["单位代码"] = rows[1]["单位代码"]
    rows[7]["单位名称"] = rows[2]["单位名称"]
    rows[9]["别名"] = rows[0]["单位名称"]
    rows[11]["单位名称"] = ""
    rows[11]["联系人"] = "某人"
    rows[28]["别名"] = "洪泽区政府"
    rows[29]["别名"] = "洪泽区政府"  # one alias for two units
    path = write_roster(tmp_path / "名册.csv", rows)
    result = run("roster", "check", str(path))
    assert result.exit_code == 2
    for text in ("第 6 行：单位代码“3208290002”与第 3 行重复", f"第 9 行：单位名称“{rows[2]['单位名称']}”与第 4 行重复",
                 f"第 11 行：别名“{rows[0]['单位名称']}”是第 2 行单位的名称", "第 13 行：单位名称为空",
                 "第 31 行：别名“洪泽区政府”也是第 30 行单位的别名"):  # fmt: skip
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


# --- status ---------------------------------------------------------------------------------------------


def test_status_on_the_county(county):
    folder, expected = county
    data = status_json(folder)
    assert set(data) == {"roster", "db", "units", "unknown", "conflicts", "counts"}
    assert data["db"] == str(folder / "名册.gkxl.sqlite")
    units = data["units"]
    assert [u["name"] for u in units] == [r["单位名称"] for r in roster_rows()]  # roster order
    assert all(set(u) == {"code", "name", "status", "file", "sha256", "received", "errors", "warnings",
                          "versions"} for u in units)  # fmt: skip
    assert {u["name"]: u["status"] for u in units} == expected
    by_name = {u["name"]: u for u in units}
    assert by_name[ALIAS_UNIT[0]]["file"].endswith("洪泽区年报.xlsx")  # by alias
    assert by_name[CODE_UNIT[0]]["file"].endswith("高新区.xlsx")  # by code
    assert by_name["西顺河镇人民政府"]["errors"] == 2
    assert by_name["县水务局"]["sha256"] is None
    assert [Path(f).name for f in data["conflicts"][0]["files"]] == ["县水务局.xlsx", "县水务局-修改.xlsx"]
    assert sorted(Path(u["file"]).name for u in data["unknown"]) == ["名册外.xlsx", "损坏.xlsx"]
    assert "error" in next(u for u in data["unknown"] if u["file"].endswith("损坏.xlsx"))
    assert data["counts"] == {"missing": 7, "errors": 2, "incomplete": 1, "unexplained": 1, "ok": 18,
                              "accepted": 0, "changed": 0, "conflict": 1, "unknown": 2}  # fmt: skip


def test_status_text_lists_units_in_roster_order_then_counts(county):
    folder, _ = county
    result = run("status", str(folder / "收件箱"), "--roster", str(folder / "名册.xlsx"))
    assert result.exit_code == 1  # units still to chase
    lines = result.output.splitlines()
    assert lines[1].startswith("  1 3208290001 城关镇人民政府") and "通过" in lines[1]
    assert "未报送" in lines[22] and "县农业农村局" in lines[22]
    assert "名册外：" in result.output and "名册外.xlsx：“某某不在名册乡人民政府”不在名册中" in result.output
    assert "县水务局-修改.xlsx（内容不同，请确认以哪一份为准）" in result.output
    counts = "未报送 7，不通过 2，未填完 1，待说明 1，通过 18，有两份不同的文件 1，名册外文件 2"
    assert lines[-1] == f"合计 30 个单位：{counts}"


def _dump(db: Path) -> list[str]:
    with sqlite3.connect(db) as con:
        return list(con.iterdump())


def test_status_twice_records_nothing_new(county):
    folder, _ = county
    status_json(folder)
    before = _dump(folder / "名册.gkxl.sqlite")
    status_json(folder)
    assert _dump(folder / "名册.gkxl.sqlite") == before
    assert sum(line.startswith('INSERT INTO "versions"') for line in before) == 26  # 23 units' 24 files + 2 名册外


def test_resubmission_under_the_same_name_keeps_both_versions(county):
    from gkxl.workbook.sample import write_report
    from tests.season_county import report

    folder, _ = county
    inbox, roster, db = folder / "收件箱", folder / "名册.xlsx", tmp_db(folder)
    db.parent.mkdir()
    status_json(folder, "--db", str(db))
    fixed = report("西顺河镇人民政府", 4, code="3208290004")  # the same seed, without the error
    write_report(fixed, inbox / "西顺河镇人民政府.xlsx")
    data = status_json(folder, "--db", str(db))
    unit = next(u for u in data["units"] if u["name"] == "西顺河镇人民政府")
    assert (unit["status"], unit["versions"], unit["errors"]) == ("ok", 2, 0)
    result = run("diff", "--unit", "西顺河镇人民政府", "--roster", str(roster), "--db", str(db))
    assert result.exit_code == 1
    assert "表三 一、本年新收政府信息公开申请数量·自然人（表三!D6）" in result.output
    assert "已改正的问题（2 处）" in result.output and "新出现的问题（0 处）" in result.output
    assert "[T3-APPLICANTS]" in result.output
    as_json = json.loads(run("diff", "--unit", "3208290004", "--roster", str(roster), "--db", str(db), "--json").output)
    change = next(c for c in as_json["changes"] if c["cell"] == "表三!D6")
    assert change["new"] == change["old"] - 1
    assert {f["rule"] for f in as_json["fixed"]} == {"T3-APPLICANTS", "T3-BALANCE"}
    assert as_json["old"]["status"] == "errors" and as_json["new"]["status"] == "ok"


def tmp_db(folder: Path) -> Path:
    return folder / "另存" / "版本库.sqlite"


def test_bad_db_places_get_a_message(county, tmp_path):
    folder, _ = county
    result = run("status", str(folder / "收件箱"), "--roster", str(folder / "名册.xlsx"), "--db", str(tmp_db(folder)))
    assert result.exit_code == 2 and "版本数据库所在的文件夹不存在" in result.output
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"x" * 4096)
    result = run("status", str(folder / "收件箱"), "--roster", str(folder / "名册.xlsx"), "--db", str(junk))
    assert result.exit_code == 2 and "不是 gkxl 的版本数据库" in result.output
    assert junk.read_bytes() == b"x" * 4096  # never changed


def test_db_option_and_default_place(county):
    folder, _ = county
    (folder / "另存").mkdir()
    data = status_json(folder, "--db", str(tmp_db(folder)))
    assert data["db"] == str(tmp_db(folder)) and tmp_db(folder).exists()
    assert not (folder / "名册.gkxl.sqlite").exists()


def test_diff_of_two_files(county):
    folder, _ = county
    inbox = folder / "收件箱"
    result = run("diff", str(inbox / "县水务局.xlsx"), str(inbox / "第二批" / "县水务局-修改.xlsx"))
    assert result.exit_code == 1 and "改动的单元格" in result.output
    assert "封面 填报单位名称（封面!B3）" not in result.output  # the same unit
    other = run("diff", str(inbox / "县水务局.xlsx"), str(inbox / "县教育局.xlsx"))
    assert "封面 填报单位名称（封面!B3）：县水务局 → 县教育局" in other.output
    same = run("diff", str(inbox / "县水务局.xlsx"), str(inbox / "县水务局.xlsx"))
    assert same.exit_code == 0 and "两个版本内容相同" in same.output
    assert run("diff", str(inbox / "县水务局.xlsx")).exit_code == 2


def test_accept_then_a_new_file_shows_changed(county):
    from gkxl.workbook.sample import write_report
    from tests.season_county import report

    folder, _ = county
    roster = str(folder / "名册.xlsx")
    status_json(folder)
    result = run("accept", "城关镇人民政府", "3208290002", "淮安市洪泽区人民政府", "西顺河镇人民政府", "县水务局",
                 "县商务局", "不存在的单位", "--roster", roster)  # fmt: skip
    assert result.exit_code == 1
    out = result.output
    assert "✓ 城关镇人民政府：已接收 城关镇人民政府.xlsx" in out and "✓ 高良涧街道办事处" in out
    assert f"✓ {ALIAS_UNIT[0]}" in out
    assert "✗ 西顺河镇人民政府：西顺河镇人民政府.xlsx 有 2 处必须修改的错误，不能接收" in out
    assert "✗ 县水务局：有两份内容不同的文件" in out and "✗ 县商务局：还没有收到报告" in out
    assert "✗ 不存在的单位：名册中没有“不存在的单位”" in out
    again = run("accept", "城关镇人民政府", "--roster", roster)
    assert again.exit_code == 0 and "已接收过" in again.output
    statuses = {u["name"]: u["status"] for u in status_json(folder)["units"]}
    assert statuses["城关镇人民政府"] == statuses[ALIAS_UNIT[0]] == "accepted"
    write_report(report("城关镇人民政府", 99), folder / "收件箱" / "城关镇人民政府.xlsx")
    data = status_json(folder)
    unit = next(u for u in data["units"] if u["name"] == "城关镇人民政府")
    assert (unit["status"], unit["versions"]) == ("changed", 2)
    assert data["counts"]["changed"] == 1
    assert run("accept", "城关镇人民政府", "--roster", roster).exit_code == 0
    assert next(u for u in status_json(folder)["units"] if u["name"] == "城关镇人民政府")["status"] == "accepted"


# --- merge --roster -------------------------------------------------------------------------------------


def test_merge_refuses_files_outside_the_roster(county):
    folder, _ = county
    out = folder / "汇总.xlsx"
    result = run("merge", str(folder / "收件箱"), "--roster", str(folder / "名册.xlsx"), "-o", str(out))
    assert result.exit_code == 1 and not out.exists()
    assert "名册外.xlsx：“某某不在名册乡人民政府”不在名册中" in result.output
    assert "2 份文件不属于名册中的单位" in result.output


def test_merge_accepted_names_the_units_left_out(county):
    folder, _ = county
    roster, out = str(folder / "名册.xlsx"), folder / "汇总.xlsx"
    (folder / "收件箱" / "损坏.xlsx").unlink()
    (folder / "收件箱" / "名册外.xlsx").unlink()
    status_json(folder)
    three = ("城关镇人民政府", "淮安市洪泽区人民政府", "高新技术产业开发区管理委员会")
    assert run("accept", *three, "--roster", roster).exit_code == 0
    result = run("merge", str(folder / "收件箱"), "--roster", roster, "--accepted", "-o", str(out), "--unit", "某县")
    assert result.exit_code == 0, result.output
    assert "名册中 27 个单位未包含：高良涧街道办事处（未接收：通过）" in result.output
    assert "县农业农村局（未接收：未报送）" in result.output
    assert "已汇总 3 份报告" in result.output and out.exists()
    data = json.loads(run("merge", str(folder / "收件箱"), "--roster", roster, "--accepted", "-o", str(out),
                          "--json").output)  # fmt: skip
    assert len(data["roster"]["not_included"]) == 27 and data["merged"]


def test_merge_current_versions_with_unknown_allowed(county):
    folder, _ = county
    roster, out = str(folder / "名册.xlsx"), folder / "汇总.xlsx"
    (folder / "收件箱" / "损坏.xlsx").unlink()
    result = run("merge", str(folder / "收件箱"), "--roster", roster, "--allow-unknown", "--allow-errors",
                 "-o", str(out))  # fmt: skip
    assert result.exit_code == 1 and out.exists()  # written, but the errors counted in make the summary fail
    assert "名册中 8 个单位未包含：县水务局（有两份不同的文件）、县农业农村局（未报送）" in result.output
    assert "已汇总 23 份报告" in result.output  # 22 roster units + the unknown one


def test_merge_duplicate_check_uses_the_roster(county):
    """Two spellings of one unit (its name and its alias) are a duplicate only the roster can see."""
    from gkxl.workbook.sample import write_report
    from tests.season_county import report

    folder, _ = county
    inbox = folder / "second"
    inbox.mkdir()
    write_report(report(ALIAS_UNIT[0], 70), inbox / "a.xlsx")
    write_report(report(ALIAS_UNIT[1], 71), inbox / "b.xlsx")
    out = folder / "汇总.xlsx"
    plain = run("merge", str(inbox), "-o", str(out))
    assert plain.exit_code == 0  # without a roster they look like two units
    from gkxl.merge.combine import merge
    from gkxl.season.roster import load_roster

    result = merge([inbox], folder / "汇总2.xlsx", key=load_roster(folder / "名册.xlsx").key)
    assert not result.merged
    assert any("重复" in p for problems in result.problems for p in problems)


def test_previous_matches_through_a_roster_alias(county, tmp_path):
    """validate --previous refused 淮安市洪泽区人民政府 against last year's 洪泽区人民政府; the roster matches them."""
    from gkxl.check.crossyear import LastYear
    from gkxl.check.validate import check_file
    from gkxl.season.roster import load_roster
    from tests.season_county import last_year

    folder, _ = county
    last = last_year(tmp_path / "2023")
    this = folder / "收件箱" / "洪泽区年报.xlsx"
    assert check_file(this, last_year=LastYear.load(last / f"{ALIAS_UNIT[0]}-2023.xlsx")).error  # 单位不一致
    roster = load_roster(folder / "名册.xlsx")
    single = check_file(this, last_year=LastYear.load(last / f"{ALIAS_UNIT[0]}-2023.xlsx", same=roster.same_unit))
    assert single.error is None
    by_folder = check_file(this, last_year=LastYear.load(last, same=roster.same_unit))
    assert not any(f.rule == "Y-NO-PREVIOUS" for f in by_folder.findings)
    assert any(f.rule == "Y-NO-PREVIOUS" for f in check_file(this, last_year=LastYear.load(last)).findings)


def test_a_file_replaced_while_read_is_read_again(tmp_path, monkeypatch):
    """The hash and the findings describe one content even when a resubmission is saved over the file
    while gkxl reads it."""
    import gkxl.check.validate as validate_module
    from gkxl.season.versions import file_sha256, read_version
    from gkxl.workbook.sample import write_report
    from tests.season_county import report, with_error

    path = write_report(with_error(report("城关镇人民政府", 1)), tmp_path / "城关镇.xlsx")
    corrected = write_report(report("城关镇人民政府", 1), tmp_path / "corrected.xlsx").read_bytes()
    real, calls = validate_module.check_file, []

    def check_then_overwrite(p, *args, **kw):
        result = real(p, *args, **kw)
        if not calls:
            Path(p).write_bytes(corrected)  # saved over it after the read, before gkxl is done
        calls.append(p)
        return result

    monkeypatch.setattr(validate_module, "check_file", check_then_overwrite)
    version = read_version(path)
    assert len(calls) == 2
    assert version.sha256 == file_sha256(path) and version.errors == 0 and version.status == "ok"


def test_status_bad_arguments(county):
    folder, _ = county
    base = ["status", str(folder / "收件箱"), "--roster", str(folder / "名册.xlsx")]
    cases = {
        ("--previous", str(folder / "名册.xlsx")): "--previous 应为上年报告所在的文件夹",
        ("-o", str(folder / "报送情况.csv")): "报送情况表应为 .xlsx 或 .html",
    }
    for extra, message in cases.items():
        result = run(*base, *extra)
        assert result.exit_code == 2 and message in result.output
    missing = run("status", str(folder / "没有这个文件夹"), "--roster", str(folder / "名册.xlsx"))
    assert missing.exit_code == 2 and "文件或文件夹不存在" in missing.output
    no_roster = run("status", str(folder / "收件箱"), "--roster", str(folder / "没有.xlsx"))
    assert no_roster.exit_code == 2 and "名册文件不存在" in no_roster.output
    assert not (folder / "没有.gkxl.sqlite").exists()


def test_a_store_opened_while_another_run_creates_it_waits_its_turn(tmp_path, monkeypatch):
    """Two runs creating the database at once: SQLite may answer "locked" at once to the switch to WAL; the
    store tries again (for as long as its busy timeout) instead of giving up."""
    from gkxl.errors import GkxlError
    from gkxl.season import store

    real, calls = store.Store._open, []

    def busy_twice(self):
        calls.append(1)
        if len(calls) <= 2:
            self.db = sqlite3.connect(":memory:")
            raise sqlite3.OperationalError("database is locked")
        return real(self)

    monkeypatch.setattr(store.Store, "_open", busy_twice)
    with store.Store(tmp_path / "名册.gkxl.sqlite") as opened:
        assert opened.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert len(calls) == 3
    def always_busy(self):
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(store, "BUSY_TIMEOUT_S", 0)  # and once the timeout has passed, it says so
    monkeypatch.setattr(store.Store, "_open", always_busy)
    with pytest.raises(GkxlError, match="另一个 gkxl 正在长时间使用它"):
        store.Store(tmp_path / "另一个.sqlite")
