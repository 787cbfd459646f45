"""Write a report as a Word document: A4, 宋体, headings and tables exactly as `gkxl render` writes them.

The tables (and their headings) come from gkxl.render.docx, so a table too wide for portrait still gets a
landscape section of its own; the prose parts after it go back to portrait.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from gkxl.render import docx as tables
from gkxl.report.document import Document, Part
from gkxl.report.opening import Paragraph

if TYPE_CHECKING:
    import docx.document

TITLE_PT, PROSE_PT, INDENT_CHARS, LINE_SPACING = 18.0, 12.0, 2, 1.5


def _lang(doc: docx.document.Document) -> None:
    """zh-CN for the text, so Word and LibreOffice choose Chinese fonts, line breaking and spell checking."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    rpr = doc.styles["Normal"].element.get_or_add_rPr()
    lang = OxmlElement("w:lang")
    for attr, value in (("w:val", "zh-CN"), ("w:eastAsia", "zh-CN")):
        lang.set(qn(attr), value)
    rpr.append(lang)


def _prose(doc: docx.document.Document, paragraph: Paragraph) -> None:
    from docx.enum.text import WD_COLOR_INDEX
    from docx.shared import Pt

    p = doc.add_paragraph()
    p.paragraph_format.first_line_indent = Pt(PROSE_PT * INDENT_CHARS)
    p.paragraph_format.line_spacing = LINE_SPACING
    for segment in paragraph:
        run = p.add_run(segment.text)
        tables._set_fonts(run, PROSE_PT, bold=segment.placeholder)
        if segment.placeholder:
            run.font.highlight_color = WD_COLOR_INDEX.YELLOW  # a gap to fill must catch the eye


def _part(doc: docx.document.Document, part: Part, landscape: bool) -> bool:
    """Write one part; returns whether the page is now landscape."""
    from docx.enum.section import WD_SECTION

    wanted = bool(part.table) and tables.needs_landscape(part.table)
    if wanted != landscape:
        tables._page(doc.add_section(WD_SECTION.NEW_PAGE), wanted)
    if part.table:
        # Prose before it has no known height: plan from the top of a page, so only a table taller than a
        # page is split (each piece titled 续, its header and group labels repeated, as render does).
        pieces, _, _ = tables.plan(part.table, wanted, 0.0)
        for i, piece in enumerate(pieces):
            title = part.table.title if i == 0 else f"{part.table.title}（续）"
            tables._table(doc, piece, wanted, title, i > 0)
        doc.add_paragraph()  # Word needs a paragraph after a table
    else:
        tables._paragraph(doc, part.spec.heading, tables.H2_PT)
        for paragraph in part.paragraphs:
            _prose(doc, paragraph)
    return wanted


def build_docx(report: Document) -> docx.document.Document:
    import docx

    doc = docx.Document()
    tables._set_fonts(doc.styles["Normal"], PROSE_PT)
    _lang(doc)
    tables._page(doc.sections[0], landscape=False)
    doc.core_properties.title, doc.core_properties.author = report.title, "gkxl"
    doc.core_properties.language = "zh-CN"
    tables._paragraph(doc, report.title, TITLE_PT, center=True)
    for paragraph in report.preamble:
        _prose(doc, paragraph)
    landscape = False
    for part in report.parts:
        landscape = _part(doc, part, landscape)
    return doc


def write_docx(report: Document, path: Path) -> None:
    build_docx(report).save(str(path))
