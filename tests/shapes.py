"""Fixture builder: one report rendered into every shape in which published reports are found on the web.

Text as people copy it (space-separated rows, `|` or tab separated cells, one cell per line), HTML and Word
tables (merged cells as rowspan/colspan or as separate empty cells, cells as block elements), and PDF printed
from the HTML by headless Chromium. Each shape is written to a folder by `write_shapes`; the tests import every
one and compare the values with the report's. Run as a script to look at the shapes:

    python tests/shapes.py OUTDIR
"""

from __future__ import annotations

import html
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from gkxl.form.layout import table_labels, value_merges
from gkxl.form.model import split_address

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
EXTRA_ROW = "其他主动公开文件"  # a provincial extra row under 第二十条第（一）项 (never summed)

# Provincial variants: filling instructions in brackets after a header or label.
INSTRUCTIONS = {
    "上一年项目数量": "上一年项目数量（指2019年事项数）",
    "本年增/减": "本年增/减（增加用正数，减少用负值表示，如 -8）",
    "处理决定数量": "处理决定数量（指2020年办件量）",
    "本年处理决定数量": "本年处理决定数量（指本年办件量，不含咨询）",
    "本年制发件数": "本年制发件数（含修订）",
}


def value_text(value) -> str:
    return "" if value is None else str(value)


def title(report) -> str:
    return f"{report.unit}{report.year}年政府信息公开工作年度报告"


# ---------------------------------------------------------------- text


HYBRID_GROUP = ("三、本年度办理结果", "（六）其他处理")


def _hybrid(report) -> bool:
    """The district's layout: a single （六）其他处理 row, imported into （六）3 with （六）1 and 2 not filled."""
    apply = [c for c in report.form.cells if c.sheet == "表三" and c.row_path[:2] == HYBRID_GROUP]
    return bool(apply) and all(report.values[c.key] is None for c in apply if not c.row_path[-1].startswith("3"))


def text_rows(report, provincial: bool = False) -> list[list[str]]:
    """The report as rows of cells: prose lines are one-cell rows; headers and table rows one cell per label."""
    hybrid = _hybrid(report)
    form = report.form
    rows: list[list[str]] = [[title(report)], ["一、总体情况"], ["全年工作情况如下。"]]
    for table in form.tables:
        rows.append([table.title])
        for section in table.sections:
            if section.caption:
                rows.append([section.caption])
            heads = [" ".join(c.label) for c in section.columns]
            if provincial:
                heads = [INSTRUCTIONS.get(h, h) for h in heads]
            rows.append([x for x in [section.corner, *heads] if x])
            for row in section.rows:
                values = [value_text(report.values.get(table.cell(row.key, c.key).key)) for c in section.columns]
                if hybrid and row.label[:2] == HYBRID_GROUP:
                    if row.label[-1].startswith("3"):
                        rows.append([*HYBRID_GROUP, *values])
                    continue
                rows.append([*row.label, *values])
                if provincial and row.label and row.label[-1].endswith("规范性文件"):
                    rows.append([EXTRA_ROW, "5", "0", "5"])
    rows += [["五、存在的主要问题及改进情况"], ["2025 年将继续改进。"]]
    return rows


def _blank(cell: str) -> str:
    return cell if cell else "/"  # an empty cell copied as text disappears; published reports print '/'


TEXT_SHAPES: dict[str, Callable[[list[list[str]]], str]] = {
    "spaces": lambda rows: "\n".join(" ".join(r) for r in rows),
    "pipes": lambda rows: "\n".join("| " + " | ".join(r) + " |" for r in rows),
    "tabs": lambda rows: "\n".join("\t".join(r) for r in rows),
    "cell-per-line": lambda rows: "\n".join(_blank(c) for r in rows for c in r),
}


# ---------------------------------------------------------------- tables in the standard layout


def table_grid(table, report, provincial: bool = False) -> dict[tuple[int, int], tuple[str, int, int]]:
    """{(row, col): (text, rowspan, colspan)} of the standard layout (gkxl.form.layout), values included."""
    grid = {}
    for label in table_labels(table)[1:]:  # the title is printed above the table
        text = INSTRUCTIONS.get(label.text, label.text) if provincial else label.text
        grid[(label.top, label.left)] = (text, label.bottom - label.top + 1, label.right - label.left + 1)
    spans = {(r, c): c2 - c + 1 for r, c, _, c2 in value_merges(table)}
    for cell in table.cells:
        row, col = split_address(cell.cell)
        grid[(row, col)] = (value_text(report.values.get(cell.key)), 1, spans.get((row, col), 1))
    return grid


def grid_rows(grid, merged: bool) -> list[list[tuple[str, int, int]]]:
    """Rows of (text, rowspan, colspan); merged=False stores every covered position as its own empty cell."""
    top = min(r for r, _ in grid)
    bottom = max(r + rs - 1 for (r, _), (_, rs, _) in grid.items())
    width = max(c + cs - 1 for (_, c), (_, _, cs) in grid.items())
    if merged:
        return [[grid[(r, c)] for c in range(1, width + 1) if (r, c) in grid] for r in range(top, bottom + 1)]
    flat = {(r, c): ("", 1, 1) for r in range(top, bottom + 1) for c in range(1, width + 1)}
    for (r, c), (text, _, _) in grid.items():
        flat[(r, c)] = (text, 1, 1)
    return [[flat[(r, c)] for c in range(1, width + 1)] for r in range(top, bottom + 1)]


SAMPLE_PROSE = Path(__file__).parent / "fixtures" / "samples" / "city-2024-report.pdftotext.txt"


def prose(copies: int) -> list[str]:
    """The city report's own prose (its part 一, as pdftotext gives it), `copies` times over: the paragraphs
    that make a real report run to 8 pages and more."""
    text = SAMPLE_PROSE.read_text(encoding="utf-8")
    lines = text[text.index("一、总体情况") : text.index("二、主动公开政府信息情况")].splitlines()
    body = "".join(line.strip() for line in lines[1:] if line.strip() and not line.strip().startswith("-"))
    paragraphs = [p + "。" for p in body.split("。") if p.strip()]
    return paragraphs * copies


def render_html(
    report, merged: bool = True, blocks: bool = False, paragraphs: list[str] = (), provincial: bool = False
) -> str:
    """HTML tables (rowspan/colspan, or separate empty cells), or every cell as a <div> (blocks=True)."""
    parts = ["<html><head><meta charset='utf-8'><title>年报</title>"]
    parts.append("<style>@page{size:A4}table{border-collapse:collapse}td{border:1px solid #000;font-size:9pt}</style>")
    parts.append("</head><body>")
    parts.append(f"<h1>{html.escape(title(report))}</h1><p>一、总体情况</p><p>全年工作情况如下。</p>")
    parts += [f"<p>{html.escape(p)}</p>" for p in paragraphs]
    for table in report.form.tables:
        parts.append(f"<h2>{table.title}</h2>")
        rows = grid_rows(table_grid(table, report, provincial), merged)
        if blocks:
            parts += ["<div class='row'>" + "".join(f"<div>{t or '/'}</div>" for t, _, _ in r) + "</div>" for r in rows]
            continue
        parts.append("<table>")
        for row in rows:
            cells = "".join(f"<td rowspan='{rs}' colspan='{cs}'>{html.escape(t)}</td>" for t, rs, cs in row)
            parts.append(f"<tr>{cells}</tr>")
        parts.append("</table>")
    return "".join(parts) + "<p>五、存在的主要问题及改进情况</p><p>2025 年将继续改进。</p></body></html>"


def render_docx(report, path: Path, merged: bool = True) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph(title(report))
    for table in report.form.tables:
        document.add_paragraph(table.title)
        grid = table_grid(table, report)
        top = min(r for r, _ in grid)
        rows = max(r + rs - 1 for (r, _), (_, rs, _) in grid.items()) - top + 1
        out = document.add_table(rows=rows, cols=table.width)
        for (r, c), (text, rowspan, colspan) in grid.items():
            first = out.cell(r - top, c - 1)
            if merged and (rowspan > 1 or colspan > 1):
                first = first.merge(out.cell(r - top + rowspan - 1, c - 1 + colspan - 1))
            first.text = text
    document.save(str(path))


def print_pdf(html_path: Path, pdf_path: Path, profile: Path) -> None:
    """HTML -> PDF by headless Chromium (A4), as a site's 'print to PDF' makes it."""
    command = [
        CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={profile}",
        "--no-pdf-header-footer", f"--print-to-pdf={pdf_path}", html_path.as_uri(),
    ]  # fmt: skip
    subprocess.run(command, check=True, capture_output=True, timeout=120)


def long_pdf(report, path: Path, copies: int = 5) -> Path:
    """The report printed as a PDF of 8 pages or more: its prose, then its tables."""
    folder = path.parent / f".{path.stem}-build"
    folder.mkdir(parents=True, exist_ok=True)
    page = folder / "report.html"
    page.write_text(render_html(report, paragraphs=prose(copies)), encoding="utf-8")
    print_pdf(page, path, folder / "chromium")
    shutil.rmtree(folder, ignore_errors=True)
    return path


def write_shapes(report, folder: Path, pdf: bool = False, provincial: bool = False) -> dict[str, Path]:
    """Every shape of the report in folder: {shape name: path}."""
    folder.mkdir(parents=True, exist_ok=True)
    out: dict[str, Path] = {}
    rows = text_rows(report, provincial)
    for name, render in TEXT_SHAPES.items():
        out[f"text-{name}"] = folder / f"text-{name}.txt"
        out[f"text-{name}"].write_text(render(rows) + "\n", encoding="utf-8")
    for name, kw in {"merged": {}, "empty-cells": {"merged": False}, "blocks": {"blocks": True}}.items():
        out[f"html-{name}"] = folder / f"html-{name}.html"
        out[f"html-{name}"].write_text(render_html(report, **kw), encoding="utf-8")
    for name, merged in {"merged": True, "empty-cells": False}.items():
        out[f"docx-{name}"] = folder / f"docx-{name}.docx"
        render_docx(report, out[f"docx-{name}"], merged)
    if pdf and CHROMIUM:
        out["pdf"] = folder / "pdf.pdf"
        print_pdf(out["html-merged"], out["pdf"], folder / ".chromium")
        shutil.rmtree(folder / ".chromium", ignore_errors=True)
    return out


if __name__ == "__main__":  # python tests/shapes.py OUTDIR: the city sample in every shape
    from gkxl.importer import import_report

    sample = import_report(Path(__file__).parent / "fixtures" / "samples" / "city-2024-report.pdf").report
    for shape, path in write_shapes(sample, Path(sys.argv[1]), pdf=True).items():
        print(shape, path)
