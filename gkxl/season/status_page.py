"""The status page: one standalone HTML file (no script, no outside resources) a person takes in at a glance:
a bar of counts, then one row per unit, with a small chart of this year against last when it is known."""

from __future__ import annotations

from datetime import datetime
from html import escape
from pathlib import Path

from gkxl.season.chase import to_fix
from gkxl.season.status import STATUS_FILL, STATUS_TEXT, TO_CHASE, SeasonStatus, UnitStatus

CSS = """
@page { size: A4 landscape; margin: 12mm; }
body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "SimSun", sans-serif;
       margin: 24px; color: #222; font-size: 14px; }
h1 { font-size: 22px; margin: 0 0 4px; }
.meta { color: #666; margin-bottom: 16px; }
.bar { display: flex; height: 34px; border-radius: 6px; overflow: hidden; margin: 8px 0 6px; }
.bar div { display: flex; align-items: center; justify-content: center; font-weight: bold; min-width: 24px; }
.counts { display: flex; flex-wrap: wrap; gap: 10px; margin-bottom: 18px; }
.count { border-radius: 6px; padding: 6px 12px; }
.count b { font-size: 24px; margin-right: 6px; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid #bbb; padding: 4px 6px; vertical-align: top; text-align: left; }
th { background: #e8e8e8; white-space: nowrap; }
thead { display: table-header-group; }
tr { break-inside: avoid; }
td.n, td.c { text-align: center; }
td.t { white-space: nowrap; }
.badge { border-radius: 4px; padding: 1px 6px; white-space: nowrap; }
.fix { font-size: 12px; color: #444; margin: 0; padding-left: 16px; }
.chart { width: 216px; height: auto; }
.chart text { font-size: 11px; fill: #333; }
h2 { font-size: 17px; margin: 22px 0 6px; }
@media screen {
  td.u { min-width: 9em; }
  td.f { min-width: 9em; }
  td.p { min-width: 15em; }
}
@media print {
  body { margin: 0; font-size: 10px; }
  .fix { font-size: 9px; }
  .chart { width: 100%; max-width: 216px; }
  .bar, .count, .badge { print-color-adjust: exact; -webkit-print-color-adjust: exact; }
}
"""
CHART = {"width": 216, "height": 64, "bar": 22, "last": "#b0b0b0", "this": "#3b7dd8"}


def write_status_page(result: SeasonStatus, path: str | Path) -> Path:
    from gkxl.atomic import atomic_path

    with atomic_path(path) as tmp:
        tmp.write_text(status_html(result), encoding="utf-8")
    return Path(path)


def status_html(result: SeasonStatus) -> str:
    charts = any(u.last_year is not None for u in result.units)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="zh-CN"><head><meta charset="utf-8">',
        "<title>年度报告报送情况</title>",
        f"<style>{CSS}</style></head><body>",
        "<h1>政府信息公开工作年度报告 报送情况</h1>",
        f'<div class="meta">名册 {escape(result.roster.path.name)}（{len(result.units)} 个单位） · '
        f"{datetime.now().strftime('%Y-%m-%d %H:%M')} 生成</div>",
        _counts_bar(result),
        _table(result, charts),
        _unknown(result),
        "</body></html>",
    ]
    return "\n".join(p for p in parts if p)


def _counts_bar(result: SeasonStatus) -> str:
    counts = result.counts()
    total = len(result.units) or 1
    segments, tiles = [], []
    for status, text in STATUS_TEXT.items():
        n = counts[status]
        if not n:
            continue
        colour = STATUS_FILL[status]
        segments.append(f'<div style="width:{100 * n / total:.2f}%;background:#{colour}" title="{text}">{n}</div>')
        tiles.append(f'<div class="count" style="background:#{colour}"><b>{n}</b>{text}</div>')
    if counts["unknown"]:
        tiles.append(f'<div class="count" style="background:#eee"><b>{counts["unknown"]}</b>名册外文件</div>')
    return f'<div class="bar">{"".join(segments)}</div><div class="counts">{"".join(tiles)}</div>'


def _table(result: SeasonStatus, charts: bool) -> str:
    head = ["序号", "单位", "状态", "文件", "收到时间", "错误", "警告", "版本", "需要处理的问题"]
    if charts:
        head.append("本年与上年（灰）")
    rows = [f"<tr>{''.join(f'<th>{h}</th>' for h in head)}</tr>"]
    for n, u in enumerate(result.units, start=1):
        rows.append(_unit_row(n, u, charts))
    return f"<table><thead>{rows[0]}</thead><tbody>{''.join(rows[1:])}</tbody></table>"


def _unit_row(n: int, u: UnitStatus, charts: bool) -> str:
    v = u.version
    settled = v is not None and u.status != "conflict"
    files = "<br>".join(escape(p.name) for p in u.files) or (escape(v.file_name) + "（已不在收件夹中）" if v else "")
    fix = to_fix(u) if u.status in TO_CHASE else []
    fix_html = f'<ul class="fix">{"".join(f"<li>{escape(line)}</li>" for line in fix)}</ul>' if fix else ""
    code = f"<br><small>{escape(u.unit.code)}</small>" if u.unit.code else ""
    cells = [
        f'<td class="n">{n}</td>',
        f'<td class="u">{escape(u.unit.name)}{code}</td>',
        f'<td><span class="badge" style="background:#{STATUS_FILL[u.status]}">{u.text}</span></td>',
        f'<td class="f">{files}</td>',
        f'<td class="t">{escape((u.received or "")[:16].replace("T", " "))}</td>',
        f'<td class="c">{v.errors if settled else ""}</td>',
        f'<td class="c">{v.warnings if settled else ""}</td>',
        f'<td class="c">{u.versions}</td>',
        f'<td class="p">{fix_html}</td>',
    ]
    if charts:
        cells.append(f"<td>{chart_svg(u)}</td>")
    return f"<tr>{''.join(cells)}</tr>"


def chart_svg(u: UnitStatus) -> str:
    """Grouped bars: 本年新收, 行政复议, 行政诉讼; last year grey, this year blue; figures above the bars.
    Each pair has its own scale: the point is this year against last, not 复议 against 新收."""
    from gkxl.season.previous import CHART_LINES, chart_values

    if u.last_year is None:
        return ""
    this = chart_values(u.version.cells) if u.version else [None] * len(CHART_LINES)
    last = chart_values(u.last_year.values)
    w, h, bar = CHART["width"], CHART["height"], CHART["bar"]
    group = w / len(CHART_LINES)
    plot = h - 26  # room for the figures above and the labels below
    out = [f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" '
           f'viewBox="0 0 {w} {h}" role="img" aria-label="{escape(u.unit.name)} 本年与上年">']  # fmt: skip
    for i, (label, _keys) in enumerate(CHART_LINES):
        x0 = i * group + group / 2 - bar - 2
        top = max(this[i] or 0, last[i] or 0) or 1
        for j, (value, colour) in enumerate(((last[i], CHART["last"]), (this[i], CHART["this"]))):
            x = x0 + j * (bar + 4)
            height = plot * (value or 0) / top
            y = 12 + plot - height
            out.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar}" height="{height:.1f}" fill="{colour}"/>')
            shown = "—" if value is None else str(value)
            out.append(f'<text x="{x + bar / 2:.1f}" y="{y - 2:.1f}" text-anchor="middle">{shown}</text>')
        out.append(f'<text x="{i * group + group / 2:.1f}" y="{h - 2}" text-anchor="middle">{label}</text>')
    out.append("</svg>")
    return "".join(out)


def _unknown(result: SeasonStatus) -> str:
    if not result.unknown and not result.previous_problems:
        return ""
    items = []
    for s in result.unknown:
        named = s.version.unit_name or "单位未填"
        why = f"无法读取：{s.version.error}" if s.version.error else f"“{named}”不在名册中（可在名册中加为别名）"
        items.append(f"<li>{escape(str(s.path.name))}：{escape(why)}</li>")
    for problem in result.previous_problems:
        items.append(f"<li>上年报告：{escape(problem)}</li>")
    return f"<h2>名册外的文件</h2><ul>{''.join(items)}</ul>"
