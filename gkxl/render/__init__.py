"""Render a report's tables (parts 二, 三, 四) in the official layout, as HTML or DOCX.

Both writers are thin over one grid model (gkxl.render.grid), which is derived from the form definition.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from gkxl.atomic import write_atomic
from gkxl.errors import UsageError

if TYPE_CHECKING:
    from gkxl.check.validate import FileResult
    from gkxl.read.reader import Report

FORMATS = {".html": "html", ".htm": "html", ".docx": "docx"}


WRITERS = {"html": "gkxl.render.html:write_html", "docx": "gkxl.render.docx:write_docx"}


def output_format(path: str | Path) -> str:
    """'html' or 'docx' from the output file's suffix; anything else is a usage error."""
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        shown = f"“{suffix}”" if suffix else "没有扩展名"
        raise UsageError(f"不支持的输出格式（{shown}）：输出文件请以 .html 或 .docx 结尾", path)
    return FORMATS[suffix]


def write_document(path: Path, content: object, writers: dict[str, str]) -> None:
    """Write `content` atomically with the writer for the output's format: `writers` maps 'html' and 'docx'
    to "module:function", imported only for the format asked for."""
    from importlib import import_module

    module, name = writers[output_format(path)].split(":")
    write = getattr(import_module(module), name)
    write_atomic(path, lambda tmp: write(content, tmp))


def banner_text(result: FileResult) -> str | None:
    """The line shown above the tables of a workbook that does not pass (None when it passes)."""
    if result.ok:
        return None
    return f"校验未通过：{result.verdict.removeprefix('不通过：')}。本表数字有误，请改正后重新生成，勿作正式发布。"


def render(report: Report, path: str | Path, banner: str | None = None) -> Path:
    """Write `report`'s tables to `path` (format by suffix), atomically; `banner` is shown above them."""
    from gkxl.render.grid import report_grid

    path = Path(path)
    output_format(path)  # an unknown suffix is refused before any work
    write_document(path, report_grid(report, banner), WRITERS)
    return path
