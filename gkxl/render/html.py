"""Write a report's tables as a standalone, printable HTML page (embedded CSS, A4 print styles).

The tables also carry `border`/`cellspacing` attributes so they keep their rules when pasted into a web
editor that drops the style sheet.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from gkxl import __version__
from gkxl.render.grid import GridCell, ReportGrid, TableGrid, fit_widths, row_lines, split

TEXT_WIDTH_EM = 52.0  # A4 portrait text block (166 mm) in 9 pt characters
PAGE_CM, TITLE_CM = 29.7 - 5.0, 1.6  # A4 less the @page margins; a table's heading
LINE_CM, CELL_PAD_CM = 0.43, 0.17  # one 9-pt line at line-height 1.35; a cell's padding and rules
ALIGN = {"caption": "left", "value": "center", "blank": "center"}
FONTS = (
    '"SimSun", "宋体", "Songti SC", "STSong", "Noto Serif CJK SC", "Source Han Serif SC", '
    '"Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", serif'
)

CSS = f"""
@page {{ size: A4 portrait; margin: 2.5cm 2.2cm; }}
html {{ background: #fff; }}
body {{ font-family: {FONTS}; color: #000; margin: 0; font-size: 10.5pt; line-height: 1.5; }}
.report {{ max-width: 170mm; margin: 2em auto; padding: 0 1em; }}
h1 {{ font-size: 16pt; font-weight: bold; text-align: center; margin: 0 0 1.2em; }}
h2 {{ font-size: 12pt; font-weight: bold; margin: 1.6em 0 0.6em; break-after: avoid; page-break-after: avoid; }}
table.gkxl {{ border-collapse: collapse; width: 100%; table-layout: fixed; font-size: 9pt; line-height: 1.35; }}
table.gkxl th, table.gkxl td {{
  border: 0.75pt solid #000; padding: 2pt 3pt; vertical-align: middle; text-align: center;
  font-weight: normal; overflow-wrap: anywhere; word-break: break-all;
}}
table.gkxl .caption, table.gkxl .row {{ text-align: left; }}
table.gkxl .value {{ font-variant-numeric: tabular-nums; white-space: nowrap; }}
table.gkxl tr {{ break-inside: avoid; page-break-inside: avoid; }}
table.gkxl thead {{ display: table-header-group; }}
table.gkxl {{ break-inside: avoid; page-break-inside: avoid; }}
.banner {{ border: 1.5pt solid #c00000; color: #c00000; font-weight: bold; padding: 0.4em 0.8em; margin: 0 0 1em; }}
section.continued {{ break-before: page; page-break-before: always; }}
@media print {{
  .report {{ max-width: none; margin: 0; padding: 0; }}
  h1 {{ margin-top: 0; }}
}}
""".strip()


def _cell(cell: GridCell) -> str:
    tag = "th" if cell.header else "td"
    attrs = "".join(f' {name}="{n}"' for name, n in (("rowspan", cell.rowspan), ("colspan", cell.colspan)) if n > 1)
    # `align` differs from the element's default only here; editors that drop the style sheet still honour it.
    if cell.role in ALIGN:
        attrs += f' align="{ALIGN[cell.role]}"'
    return f'<{tag} class="{cell.role}"{attrs}>{escape(cell.text)}</{tag}>'


def _rows(rows) -> str:
    return "\n".join("<tr>" + "".join(_cell(c) for c in row) + "</tr>" for row in rows)


def table_html(grid: TableGrid, title: str | None = None, part: int = 0) -> str:
    """One table (or the `part`-th page of it, from 0) with its heading, as an HTML fragment."""
    widths = fit_widths(grid.widths, grid.min_widths, TEXT_WIDTH_EM)
    total = sum(widths)
    cols = "".join(f'<col style="width:{100 * w / total:.2f}%">' for w in widths)
    head, body = grid.rows[: grid.header_rows], grid.rows[grid.header_rows :]
    parts = [
        f'<section class="part continued" id="{grid.id}-{part + 1}">' if part
        else f'<section class="part" id="{grid.id}">',
        f"<h2>{escape(title or grid.title)}</h2>",
        '<table class="gkxl" border="1" cellspacing="0" cellpadding="3">',
        f"<colgroup>{cols}</colgroup>",
    ]  # fmt: skip
    if head:
        parts.append(f"<thead>\n{_rows(head)}\n</thead>")
    parts += [f"<tbody>\n{_rows(body)}\n</tbody>", "</table>", "</section>"]
    return "\n".join(parts)


def pages_html(grid: TableGrid) -> str:
    """The table, cut into page-sized parts when it is taller than a page: Chromium keeps each part whole
    (break-inside: avoid) but would not repeat a group label that a page break cuts."""
    widths = fit_widths(grid.widths, grid.min_widths, TEXT_WIDTH_EM)
    heights = [n * LINE_CM + CELL_PAD_CM for n in row_lines(grid, widths)]
    room = PAGE_CM - TITLE_CM
    parts = split(grid, heights, room, room)
    return "\n".join(table_html(p, None if i == 0 else f"{grid.title}（续）", part=i) for i, p in enumerate(parts))


def _banner(report: ReportGrid) -> str:
    return f'<p class="banner" role="alert">{escape(report.banner)}</p>\n' if report.banner else ""


def page_html(title: str, body: str, generator: str, css: str = CSS) -> str:
    """A standalone zh-CN page: `title` as its title and heading, then `body` (render's and report's pages)."""
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="{escape(generator)}">
<title>{escape(title)}</title>
<style>
{css}
</style>
</head>
<body>
<main class="report">
<h1>{escape(title)}</h1>
{body}
</main>
</body>
</html>
"""


def report_html(report: ReportGrid) -> str:
    """The whole page: heading with unit and year, then parts 二, 三, 四."""
    tables = "\n".join(pages_html(t) for t in report.tables)
    generator = f"gkxl {__version__}; {report.form.name}（{report.form.issued_by}）"
    return page_html(report.heading, _banner(report) + tables, generator)


def write_html(report: ReportGrid, path: Path) -> None:
    path.write_text(report_html(report), encoding="utf-8")
