"""Hostile merges (issue 18 items 8, 12): invisible characters, a summary stripped of its 来源 sheet, outputs
that must not be replaced."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from hostile import ENGLISH, good, snapshot

from gkxl.cli import cli

INVISIBLE = {"零宽空格": "\u200b", "软连字符": "\u00ad", "零宽连接符": "\u200d", "变体选择符": "\ufe0f"}


def merge(*args: object):
    result = CliRunner().invoke(cli, ["merge", *map(str, args)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert not ENGLISH.search(result.output), result.output
    return result


@pytest.mark.parametrize("name", INVISIBLE)
def test_invisible_characters_do_not_make_a_second_unit(name, tmp_path):
    inputs = tmp_path / "in"
    inputs.mkdir()
    good(inputs, "城关镇", seed=1)
    good(inputs, "城关镇2", unit=f"城关{INVISIBLE[name]}镇人民政府", seed=2)
    result = merge(inputs, "-o", tmp_path / "汇总.xlsx")
    assert result.exit_code == 1, result.output
    assert f"填报单位“城关{INVISIBLE[name]}镇人民政府”与 {inputs / '城关镇.xlsx'} 重复" in result.output
    assert not (tmp_path / "汇总.xlsx").exists()


def test_a_summary_with_its_own_township_renamed_invisibly(tmp_path):
    towns = tmp_path / "乡镇"
    towns.mkdir()
    good(towns, "东街乡", seed=1)
    good(towns, "西街乡", seed=2)
    county = tmp_path / "县汇总.xlsx"
    assert merge(towns, "-o", county, "--unit", "某县").exit_code == 0
    again = good(tmp_path, "又一个东街乡", unit="东街\u200b乡人民政府", seed=3)
    result = merge(county, again, "-o", tmp_path / "市.xlsx")
    assert result.exit_code == 1 and "这是汇总表，已包含" in result.output, result.output


def _strip_sources(summary: Path, target: Path, delete: bool) -> Path:
    from openpyxl import load_workbook

    wb = load_workbook(summary)
    if delete:
        del wb["来源"]
    else:
        wb["来源"].delete_rows(2, wb["来源"].max_row)  # header kept, every row gone
    wb.save(target)
    return target


@pytest.mark.parametrize("delete", [True, False], ids=["来源删除", "来源清空"])
def test_a_summary_without_its_sources_is_recognised_and_refused(delete, tmp_path):
    towns = tmp_path / "乡镇"
    towns.mkdir()
    good(towns, "东街乡", seed=1)
    good(towns, "西街乡", seed=2)
    county = tmp_path / "县汇总.xlsx"
    assert merge(towns, "-o", county, "--unit", "某县").exit_code == 0
    stripped = _strip_sources(county, tmp_path / "无来源.xlsx", delete)
    before = snapshot(towns)
    result = merge(stripped, towns / "东街乡.xlsx", "-o", tmp_path / "市.xlsx")
    assert result.exit_code == 1, result.output
    assert f"{stripped}" in result.output
    assert "这是 gkxl 汇总的汇总表，但其“来源”工作表已被删除或清空" in result.output
    assert not (tmp_path / "市.xlsx").exists() and snapshot(towns) == before


def test_merge_refuses_to_replace_a_read_only_output(tmp_path):
    """A read-only output (someone locked the final version) is not replaced, even by a user who could
    (root, or anyone who may write the folder: renaming over a file needs only that)."""
    inputs = tmp_path / "in"
    inputs.mkdir()
    good(inputs, "东街乡")
    out = tmp_path / "汇总.xlsx"
    out.write_bytes(b"final version")
    out.chmod(0o444)
    result = merge(inputs, "-o", out)
    assert result.exit_code == 2, result.output
    assert f"{out}" in result.output and "只读" in result.output
    assert out.read_bytes() == b"final version"
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_stale_temp_files_of_a_killed_merge_are_cleaned(tmp_path):
    inputs = tmp_path / "in"
    inputs.mkdir()
    good(inputs, "东街乡")
    out = tmp_path / "汇总.xlsx"
    stale = tmp_path / ".汇总.xlsx.1a2b3c4d.tmp"  # what a merge killed mid-write leaves (gkxl.atomic's naming)
    stale.write_bytes(b"half a file")
    old = 1_000_000_000
    os.utime(stale, (old, old))
    fresh = tmp_path / ".汇总.xlsx.99aa88bb.tmp"  # may be another run writing right now: kept
    fresh.write_bytes(b"being written")
    other = tmp_path / ".其他.xlsx.1a2b3c4d.tmp"  # not this output's
    other.write_bytes(b"x")
    os.utime(other, (old, old))
    assert merge(inputs, "-o", out).exit_code == 0
    assert not stale.exists() and fresh.exists() and other.exists() and out.exists()
