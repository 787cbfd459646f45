"""Write the whole report (DOCX or HTML, by the output's suffix), atomically."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from gkxl.atomic import write_atomic
from gkxl.render import output_format
from gkxl.report.document import Document, build

if TYPE_CHECKING:
    from gkxl.read.reader import Report
    from gkxl.report.prose import Prose


def write_report(report: Report, path: str | Path, prose: Prose | None = None) -> Document:
    """Write the six-part report of `report` (a read workbook) with the clerk's `prose` to `path`."""
    path = Path(path)
    kind = output_format(path)
    document = build(report, prose)
    if kind == "html":
        from gkxl.report.to_html import write_html as write
    else:
        from gkxl.report.to_docx import write_docx as write
    write_atomic(path, lambda tmp: write(document, tmp))
    return document
