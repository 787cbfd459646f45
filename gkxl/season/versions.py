"""One inbox file read into a `Version`: hashed, read, validated, every cell value kept."""

from __future__ import annotations

import hashlib
import os
from decimal import Decimal
from pathlib import Path

from gkxl.season.store import Version

CHUNK = 1 << 20
CHANGING = "文件在读取过程中被改动或移走（可能正在保存），请稍后重新运行"


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _stamp(path: Path) -> tuple:
    st = os.stat(path)
    return (st.st_size, st.st_mtime_ns, st.st_ino)


def read_version(path: Path) -> Version:
    """Read and validate `path`; the hash is of the bytes parsed: a file replaced while being read is read
    again (a mail client saving a resubmission over it), so hash and findings always describe one content."""
    from gkxl.check.validate import check_file

    path = Path(path)
    for _ in range(3):
        try:
            before = _stamp(path)
            sha = file_sha256(path)
        except OSError:
            return _version(path, "", check_file(path))  # the reader names why it cannot be opened
        result = check_file(path)
        try:
            if _stamp(path) == before:
                return _version(path, sha, result)
        except OSError:
            break  # gone while being read
    return Version(_name_sha(path), path.name, "errors", errors=1, error=CHANGING)


def _version(path: Path, sha: str, result) -> Version:
    from gkxl.check.findings import count, count_explained

    if result.report is None or not sha:
        message = result.error.message if result.error else "无法读取"
        return Version(sha or _name_sha(path), path.name, "errors", errors=1, error=message)
    report, findings = result.report, result.findings
    judged = result.judged  # the library's one verdict: the same as validate, merge and csv say
    errors = judged.errors + (1 if result.error else 0)
    warnings = count(findings, "warning")
    return Version(
        sha256=sha,
        file_name=path.name,
        status="errors" if result.error else judged.status,
        errors=errors,
        warnings=warnings,
        blanks=judged.blanks,
        explained=count_explained(findings),
        unit_name=report.unit,
        unit_code=report.unit_code,
        year=report.year,
        form=report.form.id,
        cells=cell_values(report),
        findings=[_finding(f) for f in findings],
    )


def _name_sha(path: Path) -> str:
    # A file that could not even be opened has no content to hash: it is known by its name only.
    return "unreadable:" + hashlib.sha256(str(path).encode()).hexdigest()


def cell_values(report) -> dict:
    """Every filled cell: counts as int, money as exact decimal text, anything else as {'raw': text}."""
    out: dict = {}
    for key, value in report.values.items():
        if isinstance(value, Decimal):
            out[key] = str(value)
        elif value is not None:
            out[key] = value
        elif report.raw.get(key) not in (None, ""):
            out[key] = {"raw": str(report.raw[key])}
    return out


def _finding(f) -> dict:
    return {
        "rule": f.rule, "severity": f.level, "sheet": f.sheet, "cell": f.cell, "key": f.key, "message": f.message,
    }  # fmt: skip


def cell_number(text: object) -> object:
    """A stored cell value back as the reader gives it (Decimal for money, int for counts)."""
    if isinstance(text, str):
        return Decimal(text)
    if isinstance(text, dict):
        return text.get("raw")
    return text
