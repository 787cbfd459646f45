import json
import re

import pytest
from click.testing import CliRunner

from gkxl.cli import cli
from gkxl.form.model import FORM_IDS, load_form
from gkxl.form.rules import form_rules, hard_rules

A1 = re.compile(r"^[A-Za-z]{1,3}\d+$")


def test_cell_counts_match_the_spec():
    f21, f19 = load_form("2021"), load_form("2019")
    assert len(f21.cells) == 200 and [len(t.cells) for t in f21.tables] == [10, 175, 15]
    assert len(f19.cells) == 198 and [len(t.cells) for t in f19.tables] == [22, 161, 15]


def test_keys_are_stable_ascii_excel_names(form):
    keys = [c.key for c in form.cells]
    assert len(keys) == len(set(keys))
    for key in keys:
        assert re.fullmatch(r"[a-z][a-z0-9_]*", key), key
        assert not A1.match(key)  # a name that looks like a cell reference is refused by Excel
    addresses = [(c.sheet, c.cell) for c in form.cells]
    assert len(addresses) == len(set(addresses))


def test_labels_are_verbatim(form):
    apply = form.table("apply")
    corner = apply.sections[0].corner
    assert corner == "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
    assert apply.cell("withheld_security", "natural").row_path == (
        "三、本年度办理结果",
        "（三）不予公开",
        "3.危及“三安全一稳定”",
    )
    assert apply.cell("new", "business").col_path == ("申请人情况", "法人或其他组织", "商业企业")
    appeal = form.table("appeal")
    assert appeal.cell(None, "direct_suit_total").col_path == ("行政诉讼", "未经复议直接起诉", "总计")
    assert appeal.cell(None, "direct_suit_total").label == "未经复议直接起诉·总计"


def test_2019_signed_change_and_money_kinds():
    kinds = {c.key: c.kind for c in load_form("2019").cells}
    assert kinds["active_permits_change"] == "signed_count"
    assert kinds["active_procurement_amount"] == "money"
    assert load_form("2021").cell("active_fees_amount").kind == "money"
    assert load_form("2021").cell("apply_other_misc_natural").row_path[-1] == "3.其他"
    assert "apply_other_natural" in {c.key for c in load_form("2019").cells}


def test_hard_rules_cover_the_spec(form):
    counts = {}
    for rule in hard_rules(form):
        counts[rule.id] = counts.get(rule.id, 0) + 1
    rows = len(form.table("apply").row_keys)
    assert counts == {
        "T3-BALANCE": 7,
        "T3-CARRY-MAX": 7,
        "T3-RESULTS": 7,
        "T3-APPLICANTS": rows,
        "T4-REVIEW": 1,
        "T4-DIRECT-SUIT": 1,
        "T4-SUIT-AFTER-REVIEW": 1,
    }
    results = next(r for r in form_rules(form) if r.id == "T3-RESULTS")
    leaves = 2 + 8 + 3 + 5 + (3 if form.id == "2021" else 1)
    assert len(results.plus) == leaves


@pytest.mark.parametrize("form_id", FORM_IDS)
def test_form_json_contract(form_id):
    result = CliRunner().invoke(cli, ["form", "--form", form_id, "--json"])
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert data["form"] == form_id
    assert set(data["cells"][0]) == {"key", "sheet", "cell", "row_path", "col_path", "kind"}
    assert {m["key"] for m in data["meta"]} == {"unit", "year", "unit_code", "unit_type"}
    first = data["cells"][0]
    assert first["sheet"] == "表二" and first["row_path"][0] == "第二十条第（一）项"


def test_form_text_listing():
    result = CliRunner().invoke(cli, ["form"])
    assert result.exit_code == 0 and "apply_closed_total_natural" in result.output


def test_the_parsed_form_is_cached_beside_the_bytecode(tmp_path, monkeypatch):
    """The validate hot path loads the parsed form from forms/__pycache__ (issue 19): the cached form is the
    same form, a changed JSON gets a new cache (the old one removed), a damaged cache is not used."""
    import os
    import shutil
    import sys

    from gkxl.form import model
    from gkxl.form.rules import form_rules

    forms = tmp_path / "forms"
    shutil.copytree(model.FORMS_DIR, forms, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(model, "FORMS_DIR", str(forms))
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    source = str(forms / "2021.json")
    fresh = model.parse_form(model._form_data("2021"))
    path = model._cache_path("2021", source)
    assert model._read_cache(path) is None
    model._write_cache(fresh, path)
    cached = model._read_cache(path)
    assert cached is not None and cached is not fresh
    assert cached.tables == fresh.tables and cached.cells == fresh.cells and cached.meta == fresh.meta
    assert form_rules(cached) == form_rules(fresh) and "_rules" in cached.__dict__  # derived data kept too
    from gkxl.form.layout import label_checks

    assert label_checks(cached) == label_checks(fresh) and model.cell_positions(cached) == model.cell_positions(fresh)
    assert cached.cell("apply_closed_total_natural") == fresh.cell("apply_closed_total_natural")
    assert cached.to_json() == fresh.to_json()
    os.utime(source, ns=(1, 1))
    newer = model._cache_path("2021", source)
    assert newer != path
    model._write_cache(fresh, newer)
    assert not os.path.exists(path) and os.path.exists(newer)
    with open(newer, "r+b") as f:
        f.write(b"damaged")
    assert model._read_cache(newer) is None
