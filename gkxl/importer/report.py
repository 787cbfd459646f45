"""Turn a match into a standard Report, with findings about how the published text was read."""

from __future__ import annotations

from pathlib import Path

from gkxl.check.findings import Finding
from gkxl.form.model import Cell
from gkxl.importer.match import Match, Placed
from gkxl.importer.targets import Target, group_members
from gkxl.importer.text import Token
from gkxl.read.reader import Report
from gkxl.read.values import parse

IMPORT_SHEET = "导入"
COUNT_UNITS = ("件", "个", "项", "条")


def _finding(cell: Cell | None, rule: str, severity: str, message: str, reported=None, path=None) -> Finding:
    if cell is None:
        return Finding(rule, severity, IMPORT_SHEET, "", "", message, reported, path=path)
    return Finding(
        rule,
        severity,
        cell.sheet,
        cell.cell,
        cell.key,
        f"{cell.where}：{message}",
        reported,
        row_path=cell.row_path,
        col_path=cell.col_path,
        path=path,
    )


def _unit_finding(cell: Cell, token: Token, path: str) -> Finding | None:
    money = cell.kind == "money"
    if (token.unit == "万元" and money) or (token.unit in COUNT_UNITS and not money):
        return _finding(
            cell, "IMPORT-UNIT", "info", f"“{token.raw}”已去掉单位，按 {token.number} 读取", token.raw, path
        )
    if money:
        text = f"原文“{token.raw}”带单位“{token.unit}”，表式单位为万元；已按原数 {token.number} 填入，未换算，请核实"
    else:
        text = f"原文“{token.raw}”带单位“{token.unit}”，此处应为件数；已按 {token.number} 填入，请核实"
    return _finding(cell, "IMPORT-UNIT", "warning", text, token.raw, path)


def _fill(report: Report, placed: Placed, path: str) -> list[Finding]:
    out = []
    for cell, token in zip(placed.target.cells, placed.tokens, strict=False):
        if token.blank:
            if token.raw:
                text = f"原文为“{token.raw}”，按未填写处理"
                out.append(_finding(cell, "IMPORT-BLANK", "info", text, token.raw, path))
            continue
        parsed = parse(token.number, cell.kind)
        report.values[cell.key] = parsed.value
        if parsed.problem:
            report.problems[cell.key] = parsed.problem
            report.raw[cell.key] = token.raw
        if token.unit:
            out.append(_unit_finding(cell, token, path))
        if token.normalised:
            text = f"“{token.raw}”已按数字 {token.number} 读取（全角数字或其他文字的数字）"
            out.append(_finding(cell, "V-NORMALISED", "info", text, token.raw, path))
    return out


def _group_finding(match: Match, group: Target, path: str) -> Finding:
    members = group_members(match.form, group)
    into = next(m for m in members if m.cells == group.cells)
    others = "、".join(f"“{m.label[-1]}”" for m in members if m is not into)
    text = (
        f"原表“{group.label[-1]}”只有一行（旧表式的写法），已填入“{into.label[-1]}”；{others} 原表未分列，按未填写处理"
    )
    return _finding(group.cells[-1], "IMPORT-HYBRID", "warning", text, path=path)


def import_note(rule: str, severity: str, message: str, path: Path) -> Finding:
    """A finding about the reading as a whole (shown on the 导入 line, no cell)."""
    return _finding(None, rule, severity, message, path=str(path))


def build_report(
    match: Match, unit: str | None, year: int | None, path: Path, keep: set[str] | None = None
) -> tuple[Report, list[Finding]]:
    """The report the match describes (only the tables in keep, when given), and the findings about reading
    it (units, placeholders, hybrid rows, extra rows)."""
    form, where = match.form, str(path)
    report = Report(form=form, values={c.key: None for c in form.cells}, unit=unit, year=year, path=path)
    findings: list[Finding] = []
    for placed in match.placed:
        if keep is None or placed.target.table.id in keep:
            findings += _fill(report, placed, where)
    findings += [_group_finding(match, g, where) for g in match.groups]
    for target, text in match.unit_notes:
        findings += [_finding(c, "IMPORT-UNIT", "warning", text, path=where) for c in target.cells if c.kind == "money"]
    for line in match.extras:
        numbers = "、".join(t.raw or "（空）" for t in line.values)
        text = f"{line.where}“{line.shown}”是表式中没有的行（地方表式增加的行），其数字 {numbers} 未计入任何单元格"
        findings.append(_finding(None, "IMPORT-EXTRA", "info", text, numbers, path=where))
    for line in match.unplaced:
        text = f"{line.where}“{line.shown}”有数字但不属于任何一行，未导入，请核实"
        findings.append(_finding(None, "IMPORT-UNPLACED", "warning", text, path=where))
    if unit is None and year is None:
        text = "标题中没有找到单位名称和年度（如“××县人民政府2024年政府信息公开工作年度报告”），请在工作簿封面补填"
        findings.append(_finding(None, "IMPORT-TITLE", "info", text, path=where))
    return report, findings
