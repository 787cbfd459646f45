"""Write a report's tables as a Word document (python-docx): merged cells, borders, fitted column widths.

Pages are A4 portrait like the official form; a table whose columns cannot fit the portrait text block
gets a landscape section of its own. Where each table falls on the pages is planned here (row heights are
estimated from the text and column widths), not left to the word processor: a table that fits a page but
not what is left of the current one starts a new page, and one taller than a page is cut into parts,
each on its own page under the repeated header and with its group labels repeated, as on the official form.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from gkxl.render.grid import GridCell, ReportGrid, TableGrid, fit_widths, page_fits, row_lines, split

if TYPE_CHECKING:
    from docx.document import Document
    from docx.table import Table

PAGE_CM, MARGIN_CM = (21.0, 29.7), 2.54
TABLE_PT, BODY_PT, H1_PT, H2_PT = 9.0, 10.5, 16.0, 12.0
LATIN_FONT, CJK_FONT = "Times New Roman", "宋体"
CELL_MARGIN_TWIPS = 57  # 0.1 cm each side
ROW_CM = 0.55
LINE_CM, CELL_PAD_CM = 0.42, 0.12  # one 9-pt line of a table cell, and the cell's top and bottom margins
H1_CM, TITLE_CM, GAP_CM, BANNER_CM = 1.6, 1.1, 0.6, 1.4  # heading, table title, space after a table, banner
MIN_ROWS = 3  # a table starts on a new page rather than with fewer body rows at the foot of one
LEFT_ROLES = ("caption", "row")
LANGUAGE = "zh-CN"  # Word checks spelling and breaks lines as Chinese
BANNER_COLOR = "C00000"


def _em_cm(points: float) -> float:
    return points / 72 * 2.54


def text_width_em(landscape: bool) -> float:
    """Width of the text block in table-font characters."""
    page = PAGE_CM[1] if landscape else PAGE_CM[0]
    return (page - 2 * MARGIN_CM) / _em_cm(TABLE_PT)


def _set_fonts(run_or_style, size: float, bold: bool = False) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt

    font = run_or_style.font
    font.name, font.size, font.bold = LATIN_FONT, Pt(size), bold
    rpr = run_or_style.element.get_or_add_rPr()
    rpr.get_or_add_rFonts().set(qn("w:eastAsia"), CJK_FONT)


def _page(section, landscape: bool) -> None:
    from docx.enum.section import WD_ORIENT
    from docx.shared import Cm

    short, long = Cm(PAGE_CM[0]), Cm(PAGE_CM[1])
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = (long, short) if landscape else (short, long)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(MARGIN_CM))


def _paragraph(doc: Document, text: str, size: float, center: bool = False, new_page: bool = False):
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    p = doc.add_paragraph()
    _set_fonts(p.add_run(text), size, bold=True)
    p.paragraph_format.keep_with_next = True
    p.paragraph_format.page_break_before = new_page
    if center:
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    return p


def _language(doc: Document) -> None:
    """zh-CN for the document defaults and the Normal style (python-docx's template says en-US)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    defaults = doc.styles.element.find(qn("w:docDefaults"))
    targets = [doc.styles["Normal"].element.get_or_add_rPr()]
    if defaults is not None:
        targets.append(defaults.find(qn("w:rPrDefault")).find(qn("w:rPr")))
    for rpr in targets:
        lang = rpr.find(qn("w:lang"))
        if lang is None:
            lang = OxmlElement("w:lang")
            rpr.append(lang)
        lang.set(qn("w:val"), LANGUAGE)
        lang.set(qn("w:eastAsia"), LANGUAGE)
    doc.core_properties.language = LANGUAGE


def _banner(doc: Document, text: str) -> None:
    """The verdict of a workbook with errors, in a red box above the tables: nobody publishes it unawares."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import RGBColor

    p = doc.add_paragraph()
    run = p.add_run(text)
    _set_fonts(run, H2_PT, bold=True)
    run.font.color.rgb = RGBColor.from_string(BANNER_COLOR)
    borders = OxmlElement("w:pBdr")
    for side in ("top", "left", "bottom", "right"):
        el = OxmlElement(f"w:{side}")
        for key, value in (("val", "single"), ("sz", "12"), ("space", "4"), ("color", BANNER_COLOR)):
            el.set(qn(f"w:{key}"), value)
        borders.append(el)
    p._p.get_or_add_pPr().append(borders)


def _fill(plain: list[tuple], cell: GridCell) -> None:
    """Merge the cell's rectangle (from the table's unmerged cells `plain`) and write its text."""
    from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    target = plain[cell.row][cell.col]
    if cell.rowspan > 1 or cell.colspan > 1:
        target = target.merge(plain[cell.row + cell.rowspan - 1][cell.col + cell.colspan - 1])
    target.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    p = target.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.LEFT if cell.role in LEFT_ROLES else WD_ALIGN_PARAGRAPH.CENTER
    _set_fonts(p.add_run(cell.text), TABLE_PT)


def _widths(table: Table, widths_cm: list[float]) -> None:
    """Set the grid and every cell's width (a merged cell gets the sum of its columns): Word reads one,
    LibreOffice the other."""
    from docx.shared import Cm

    for column, width in zip(table.columns, widths_cm, strict=True):
        column.width = Cm(width)
    for tr in table._tbl.tr_lst:
        col = 0
        for tc in tr.tc_lst:
            tc.width = Cm(sum(widths_cm[col : col + tc.grid_span]))
            col += tc.grid_span


def _row_rules(table: Table, grid: TableGrid) -> None:
    """Rows never split and have a minimum height; the table stays on one page where it fits (keep with
    next), and one that must break repeats its column header."""
    from docx.enum.table import WD_ROW_HEIGHT_RULE
    from docx.oxml import OxmlElement
    from docx.shared import Cm

    rows = table.rows
    for i, row in enumerate(rows):
        row.height, row.height_rule = Cm(ROW_CM), WD_ROW_HEIGHT_RULE.AT_LEAST
        tr_pr = row._tr.get_or_add_trPr()
        tr_pr.append(OxmlElement("w:cantSplit"))
        if i < grid.header_rows:
            tr_pr.append(OxmlElement("w:tblHeader"))
        if i < len(rows) - 1:
            for cell in row.cells:
                for p in cell.paragraphs:
                    p.paragraph_format.keep_with_next = True


def _cell_margins(table: Table) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    margins = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        el = OxmlElement(f"w:{side}")
        el.set(qn("w:w"), str(CELL_MARGIN_TWIPS))
        el.set(qn("w:type"), "dxa")
        margins.append(el)
    table._tbl.tblPr.append(margins)


def _table(doc: Document, grid: TableGrid, landscape: bool, title: str, new_page: bool) -> None:
    from docx.enum.table import WD_TABLE_ALIGNMENT

    _paragraph(doc, title, H2_PT, new_page=new_page)
    table = doc.add_table(rows=grid.n_rows, cols=grid.n_cols)
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    _cell_margins(table)
    plain = [row.cells for row in table.rows]  # once: table.cell() rescans the whole table on every call
    for cell in grid.cells:
        _fill(plain, cell)
    em = _em_cm(TABLE_PT)
    widths = fit_widths(grid.widths, grid.min_widths, text_width_em(landscape))
    _widths(table, [w * em for w in widths])
    _row_rules(table, grid)


def needs_landscape(grid: TableGrid) -> bool:
    return not page_fits(grid, text_width_em(landscape=False))


def page_cm(landscape: bool) -> float:
    """Height of the text block."""
    return (PAGE_CM[0] if landscape else PAGE_CM[1]) - 2 * MARGIN_CM


def row_heights(grid: TableGrid, landscape: bool) -> list[float]:
    widths = fit_widths(grid.widths, grid.min_widths, text_width_em(landscape))
    return [max(ROW_CM, n * LINE_CM + CELL_PAD_CM) for n in row_lines(grid, widths)]


def plan(grid: TableGrid, landscape: bool, used: float) -> tuple[list[TableGrid], bool, float]:
    """The table's parts, whether the first starts a new page, and how much of the last page is filled after
    them; `used`: how much of the current page is filled already (cm)."""
    heights = row_heights(grid, landscape)
    page = page_cm(landscape) - TITLE_CM
    left, total, header = page - used, sum(heights), sum(heights[: grid.header_rows])
    new_page = used > 0 and total > left and (total <= page or left < header + MIN_ROWS * ROW_CM)
    parts = split(grid, heights, page, page if new_page else left)
    if len(parts) == 1:
        filled = (0.0 if new_page else used) + TITLE_CM + total
    else:
        body = parts[-1].n_rows - parts[-1].header_rows
        filled = TITLE_CM + header + sum(heights[-body:])
    return parts, new_page, filled + GAP_CM


def build_document(report: ReportGrid) -> Document:
    """The document: heading with unit and year (and the banner of a workbook with errors), then parts
    二, 三, 四."""
    import docx
    from docx.enum.section import WD_SECTION

    doc = docx.Document()
    _set_fonts(doc.styles["Normal"], BODY_PT)
    _language(doc)
    _page(doc.sections[0], landscape=False)
    doc.core_properties.title, doc.core_properties.author = report.heading, "gkxl"
    _paragraph(doc, report.heading, H1_PT, center=True)
    used = H1_CM
    if report.banner:
        _banner(doc, report.banner)
        used += BANNER_CM
    landscape = False
    for grid in report.tables:
        wanted = needs_landscape(grid)
        if wanted != landscape:
            _page(doc.add_section(WD_SECTION.NEW_PAGE), wanted)
            landscape, used = wanted, 0.0
        parts, new_page, used = plan(grid, landscape, used)
        for i, part in enumerate(parts):
            title = grid.title if i == 0 else f"{grid.title}（续）"
            _table(doc, part, landscape, title, new_page or i > 0)
        doc.add_paragraph()  # the space between tables (Word needs a paragraph after a table anyway)
    return doc


def write_docx(report: ReportGrid, path: Path) -> None:
    build_document(report).save(str(path))
