"""Write a report as one standalone, printable HTML page: the tables exactly as `gkxl render` writes them."""

from __future__ import annotations

from html import escape
from pathlib import Path

from gkxl import __version__
from gkxl.render.html import CSS, page_html, table_html
from gkxl.report.document import Document, Part
from gkxl.report.opening import Paragraph

PROSE_CSS = """
.report p { text-indent: 2em; margin: 0 0 0.4em; text-align: justify; line-height: 1.75; font-size: 12pt; }
.report mark { background: #ffeb3b; font-weight: bold; }
.report h2 { font-size: 12pt; }
""".strip()


def _paragraph(paragraph: Paragraph) -> str:
    inner = "".join(
        f'<mark class="placeholder">{escape(s.text)}</mark>' if s.placeholder else escape(s.text) for s in paragraph
    )
    return f"<p>{inner}</p>"


def _part(part: Part) -> str:
    if part.table:
        return table_html(part.table)
    body = "\n".join(_paragraph(p) for p in part.paragraphs)
    return f'<section class="part" id="{part.spec.id}">\n<h2>{escape(part.spec.heading)}</h2>\n{body}\n</section>'


def report_html(report: Document) -> str:
    preamble = "\n".join(_paragraph(p) for p in report.preamble)
    parts = "\n".join(_part(p) for p in report.parts)
    return page_html(report.title, f"{preamble}\n{parts}", f"gkxl {__version__}", f"{CSS}\n{PROSE_CSS}")


def write_html(report: Document, path: Path) -> None:
    path.write_text(report_html(report), encoding="utf-8")
