"""A set of reports as one pandas DataFrame, in the long shape of the CSV export (one row per cell).

The columns are gkxl.csv.export.COLUMNS; `value` holds the exact value (int for counts, decimal.Decimal for
money, None for a blank, never NaN or a float), so sums stay exact. pandas is an optional extra:
`pip install "gkxl[pandas]"`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path

from gkxl.check.validate import FileResult
from gkxl.csv.export import COLUMNS, LABEL_SEPARATOR, worst
from gkxl.errors import UsageError

Item = str | Path | FileResult


def _results(items: Iterable[Item]) -> list[FileResult]:
    """Workbooks are read and checked, published reports (txt, html, docx, pdf) imported; results as given."""
    from gkxl.check.validate import check_file
    from gkxl.importer import SUFFIXES, import_report
    from gkxl.read.inputs import is_candidate

    out: list[FileResult] = []
    for item in items:
        if isinstance(item, FileResult):
            out.append(item)
            continue
        path = Path(item)
        if path.is_dir():
            files = sorted(p for p in path.iterdir() if is_candidate(p) or p.suffix.lower() in SUFFIXES)
            out += _results(p for p in files if not p.name.startswith((".", "~$")))
        elif path.suffix.lower() in SUFFIXES:
            out.append(import_report(path))
        else:
            out.append(check_file(path))
    return out


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    try:
        with path.open("rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                digest.update(chunk)
    except OSError:
        return ""
    return digest.hexdigest()


def _rows(result: FileResult) -> list[tuple]:
    report = result.report
    by_key: dict[str, list] = {}
    for f in result.findings:
        by_key.setdefault(f.key, []).append(f)
    file_status, source, sha = worst(result.findings), str(result.path), _sha256(Path(result.path))
    rows = []
    for cell in report.form.cells:
        found = by_key.get(cell.key, [])
        rules = " ".join(dict.fromkeys(f.rule for f in found))
        rows.append((
            report.unit, report.year, report.form.id, cell.table, cell.sheet, cell.cell, cell.key,
            LABEL_SEPARATOR.join(cell.row_path), LABEL_SEPARATOR.join(cell.col_path), cell.kind,
            report.values.get(cell.key), worst(found), rules, file_status, source, sha,
        ))  # fmt: skip
    return rows


def reports_frame(items: Iterable[Item]):
    """The reports (workbooks, published reports to import, folders of either, or results already read) as a
    long DataFrame. Files that could not be read or were refused give no rows; they are listed, with why,
    in `frame.attrs["not_read"]` ({path: message})."""
    try:
        import pandas as pd
    except ImportError:
        raise UsageError('需要 pandas：pip install "gkxl[pandas]"') from None
    rows, not_read = [], {}
    for result in _results(items):
        if result.report is None:
            not_read[str(result.path)] = result.error.message if result.error else "无法读取"
            continue
        rows += _rows(result)
    frame = pd.DataFrame(rows, columns=list(COLUMNS)).astype({"value": object, "year": "Int64"})
    frame.attrs["not_read"] = not_read
    return frame
