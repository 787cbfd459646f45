"""LibreOffice as the spreadsheet engine for the ledger: the COUNTIFS block beside each ledger and the L rows
of the 校验 sheet, recalculated headless, must say what the Python tally and `gkxl validate` say."""

from __future__ import annotations

import random
import shutil
import subprocess
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook
from test_ledger import YEAR, expected_tables, ledger_workbook, random_rows

from gkxl.check.validate import check_file
from gkxl.form.model import load_form, split_address
from gkxl.ledger.count import tally
from gkxl.ledger.read import read_ledger
from gkxl.workbook.checks_sheet import SHEET
from gkxl.workbook.ledger_sheets import block_cells

SOFFICE = shutil.which("soffice")
pytestmark = [
    pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed"),
    pytest.mark.libreoffice,
]


def _cases(base: Path) -> list[tuple[Path, str]]:
    """Per form: tables tallied right; some cells typed wrong or as text; only the 复议诉讼台账 kept."""
    out = []
    for form_id in ("2021", "2019"):
        form, year = load_form(form_id), YEAR[form_id]
        for seed in range(4):
            rng = random.Random(seed)
            apply_rows, appeal_rows = random_rows(form, rng, rng.randrange(5, 60), rng.randrange(1, 15), year)
            if seed == 3:
                apply_rows = []
            tables = {c.key: 0 for t in ("apply", "appeal") for c in form.table(t).cells} | expected_tables(
                form, apply_rows, appeal_rows, year
            )
            keys = sorted(tables)
            for key in rng.sample(keys, 3 * seed):
                tables[key] += rng.choice((1, -1)) if tables[key] else 1
            if seed == 2:
                tables[rng.choice(keys)] = "3件"
            name = f"{form_id}-{seed}.xlsx"
            out.append((ledger_workbook(form, apply_rows, appeal_rows, base / "in" / name, tables=tables), form_id))
    return out


@pytest.fixture(scope="module")
def recalculated(tmp_path_factory):
    base = tmp_path_factory.mktemp("ledger-lo")
    (base / "in").mkdir()
    cases = _cases(base)
    command = [SOFFICE, f"-env:UserInstallation={(base / 'profile').as_uri()}", "--headless", "--convert-to", "xlsx"]
    subprocess.run([*command, "--outdir", str(base / "out"), *(str(p) for p, _ in cases)], check=True,
                   capture_output=True, timeout=600)  # fmt: skip
    return [(path, base / "out" / path.name, form_id) for path, form_id in cases]


def _grid(path: Path, sheet: str) -> list[list]:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python(skip_empty_area=False)


def test_the_countifs_block_equals_the_python_tally(recalculated):
    compared = 0
    for source, calculated, form_id in recalculated:
        form = load_form(form_id)
        counts = tally(form, read_ledger(source, form), YEAR[form_id])
        grids = {}
        for key, (sheet, address) in block_cells(form).items():
            grid = grids.setdefault(sheet, _grid(calculated, sheet))
            row, col = split_address(address)
            if key in counts.values:  # a ledger without rows is not counted by the tally
                assert grid[row - 1][col - 1] == counts.values[key], (source.name, key, address)
                compared += 1
    assert compared > 1000


def test_the_l_rows_of_the_checks_sheet_agree_with_gkxl_validate(recalculated):
    broken = skipped = text = 0
    for source, calculated, form_id in recalculated:
        form = load_form(form_id)
        findings = check_file(source).findings
        grid = _grid(calculated, SHEET)
        header = next(r for r in grid if r and r[0] == "序号")
        rows = [dict(zip(header, r, strict=True)) for r in grid if str(r[-1]).startswith("L-")]  # 编号: the rule id
        assert len(rows) == len(block_cells(form)), source.name
        assert {r["规则"] for r in rows} == {"台账核对"}  # the rule in Chinese, its id in the narrow 编号 column
        status = {(r["编号"], r["位置"]): r["结果"] for r in rows}
        found = {(f.rule, f"{f.sheet}!{f.cell}") for f in findings if f.rule in ("L-T3", "L-T4")}
        assert {k for k, s in status.items() if s == "不符"} == found, source.name
        resaved = {(f.rule, f"{f.sheet}!{f.cell}") for f in check_file(calculated).findings if f.rule.startswith("L-T")}
        assert resaved == found, source.name  # the same ledger, as LibreOffice writes it
        texts = {f"{f.sheet}!{f.cell}" for f in findings if f.rule == "V-NUMBER"}
        assert not {w for (_, w), s in status.items() if s == "含非数字"}  # text counts once, at its own row
        assert {w for (_, w), s in status.items() if s == "未核对" and w in texts} == texts, source.name
        if source.name.endswith("-3.xlsx"):  # no 依申请台账 rows: no L-T3 rule, and the sheet says 未核对
            assert {s for (rule, _), s in status.items() if rule == "L-T3"} == {"未核对"}
            assert not [f for f in findings if f.rule == "L-T3"]
        summary = {r[0]: next((v for v in r[1:] if v != ""), None) for r in grid[2:7]}
        errors = [f for f in findings if f.severity == "error"]  # L rows included; text counts at its own cell
        assert summary["必须修改"] == len(errors), source.name
        broken += len(found)
        skipped += list(status.values()).count("未核对")
        text += len(texts)
    assert broken >= 20 and skipped and text  # each branch was really exercised
