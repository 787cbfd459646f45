"""Write the whole report (DOCX or HTML, by the output's suffix), atomically."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from gkxl.render import output_format, write_document
from gkxl.report.document import Document, build

if TYPE_CHECKING:
    from gkxl.read.reader import Report
    from gkxl.report.prose import Prose


WRITERS = {"html": "gkxl.report.to_html:write_html", "docx": "gkxl.report.to_docx:write_docx"}


def write_report(report: Report, path: str | Path, prose: Prose | None = None) -> Document:
    """Write the six-part report of `report` (a read workbook) with the clerk's `prose` to `path`."""
    path = Path(path)
    output_format(path)  # an unknown suffix is refused before any work
    document = build(report, prose)
    write_document(path, document, WRITERS)
    return document
