"""A generated county for the season tests: a 30-unit roster and an inbox of real workbooks.

Of the 30 units, 18 file good reports (one under an alias of its roster name, one under another name but
its roster 单位代码), 2 have errors, 1 is incomplete, 1 has a warning to explain, 1 sent two different files,
7 have not filed; the inbox also holds a report of a unit not in the roster and a file that is no workbook.
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

from gkxl.form.model import load_form
from gkxl.read.reader import Report
from gkxl.workbook.sample import random_report, write_report

YEAR = 2024
TOWNS = ["城关镇", "高良涧街道", "岔河镇", "西顺河镇", "老子山镇", "三河镇", "蒋坝镇", "黄集街道", "东双沟镇", "共和镇"]
DEPARTMENTS = [
    "发展和改革局", "教育局", "公安局", "民政局", "司法局", "财政局", "人力资源和社会保障局", "自然资源和规划局",
    "住房和城乡建设局", "交通运输局", "水务局", "农业农村局", "商务局", "文化广电和旅游局", "卫生健康委员会",
    "应急管理局", "市场监督管理局", "统计局",
]  # fmt: skip
ALIAS_UNIT = ("洪泽区人民政府", "淮安市洪泽区人民政府")  # roster name, the name the report uses
CODE_UNIT = ("高新技术产业开发区管理委员会", "高新区管委会", "3208990001")  # roster name, report name, code


def roster_rows() -> list[dict[str, str]]:
    rows = []
    for i, town in enumerate(TOWNS, start=1):
        rows.append({"单位代码": f"32082900{i:02d}", "单位名称": f"{town}人民政府" if "镇" in town else f"{town}办事处",
                     "单位类型": "乡镇人民政府" if "镇" in town else "街道办事处"})  # fmt: skip
    for dept in DEPARTMENTS:
        rows.append({"单位代码": "", "单位名称": f"县{dept}", "单位类型": "政府部门"})
    rows.append({"单位代码": "", "单位名称": ALIAS_UNIT[0], "别名": f"{ALIAS_UNIT[1]}；洪泽区政府", "单位类型": "其他"})
    rows.append({"单位代码": CODE_UNIT[2], "单位名称": CODE_UNIT[0], "单位类型": "其他"})
    for n, row in enumerate(rows, start=1):
        row.setdefault("别名", "")
        row |= {"上级单位": "某县人民政府", "联系人": f"联系人{n}", "联系电话": f"0517-8{n:06d}"}
    assert len(rows) == 30
    return rows


COLUMNS = ("单位代码", "单位名称", "别名", "单位类型", "上级单位", "联系人", "联系电话")


def write_roster(path: Path, rows: list[dict[str, str]] | None = None, encoding: str = "utf-8-sig") -> Path:
    rows = roster_rows() if rows is None else rows
    if path.suffix == ".csv":
        with open(path, "w", encoding=encoding, newline="") as f:
            writer = csv.writer(f)
            writer.writerow(COLUMNS)
            writer.writerows([[r.get(c, "") for c in COLUMNS] for r in rows])
        return path
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(COLUMNS)
    for r in rows:
        ws.append([r.get(c, "") for c in COLUMNS])
    wb.save(path)
    return path


def report(unit: str, seed: int, year: int = YEAR, code: str | None = None) -> Report:
    r = random_report(load_form("2021"), random.Random(seed), unit=unit, year=year)
    r.unit_code = code
    return r


def with_error(r: Report) -> Report:
    r.values["apply_new_natural"] += 1  # the 总计 no longer adds up: two errors
    return r


def incomplete(r: Report) -> Report:
    r.values["active_regs_issued"] = None
    return r


def needs_explaining(r: Report) -> Report:
    r.values["active_regs_issued"] = 1
    r.values["active_regs_valid"] = (r.values["active_regs_valid"] or 0) + 1
    return r


def make_inbox(inbox: Path) -> dict[str, str]:
    """Write the inbox; returns roster name -> expected status."""
    inbox.mkdir(parents=True, exist_ok=True)
    rows = roster_rows()
    names = [r["单位名称"] for r in rows]
    codes = {r["单位名称"]: r["单位代码"] or None for r in rows}
    expected = dict.fromkeys(names, "missing")
    good = names[:20]  # the first 20 file; of them some are wrong
    edits = {names[3]: with_error, names[12]: with_error, names[5]: incomplete, names[14]: needs_explaining}
    states = {with_error: "errors", incomplete: "incomplete", needs_explaining: "unexplained"}
    for seed, name in enumerate(good, start=1):
        r = report(name, seed, code=codes[name] if seed % 2 else None)  # half give their code
        if name in edits:
            r = edits[name](r)
        write_report(r, inbox / f"{name}.xlsx")
        expected[name] = states.get(edits.get(name), "ok")
    write_report(report(ALIAS_UNIT[1], 40), inbox / "洪泽区年报.xlsx")
    expected[ALIAS_UNIT[0]] = "ok"
    write_report(report(CODE_UNIT[1], 41, code=CODE_UNIT[2]), inbox / "高新区.xlsx")
    expected[CODE_UNIT[0]] = "ok"
    conflicted = names[20]
    sub = inbox / "第二批"
    sub.mkdir()
    write_report(report(conflicted, 50), inbox / f"{conflicted}.xlsx")
    write_report(report(conflicted, 51), sub / f"{conflicted}-修改.xlsx")
    expected[conflicted] = "conflict"
    write_report(report("某某不在名册乡人民政府", 60), inbox / "名册外.xlsx")
    (inbox / "损坏.xlsx").write_bytes(b"not a workbook")
    return expected


def last_year(folder: Path) -> Path:
    """Last year's reports of a few units, the alias unit under its roster name."""
    folder.mkdir(parents=True, exist_ok=True)
    names = [r["单位名称"] for r in roster_rows()]
    for seed, name in enumerate([names[0], names[1], ALIAS_UNIT[0]], start=100):
        write_report(report(name, seed, year=YEAR - 1), folder / f"{name}-{YEAR - 1}.xlsx")
    return folder
