"""Import published reports (text, HTML, Word, PDF) into standard workbooks.

`import_report(path)` reads the file into lines (gkxl.importer.source), matches them against every form
version (gkxl.importer.match), keeps the reading that fits best, and validates the resulting report.
A report whose tables cannot be found or whose numbers cannot be placed unambiguously is refused with a
message naming exactly what is missing; nothing is written for it.

The hybrid layout (form 2021 表二 with a single 2019-style （六）其他处理 row in 表三) is imported as form 2021:
the single row goes into （六）3.其他, （六）1 and 2 stay not filled, and a warning (IMPORT-HYBRID) says so.
"""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path

from gkxl.check.validate import FileResult
from gkxl.errors import GkxlError
from gkxl.form.model import FORM_IDS, load_form
from gkxl.importer.match import Match, match_lines
from gkxl.importer.report import build_report
from gkxl.importer.source import SUFFIXES, cell_readings, read_source
from gkxl.importer.title import title_meta

MAX_LISTED = 12


class ImportRefused(GkxlError):
    """The report was read, but its tables cannot be turned into a workbook without guessing."""


@dataclass
class ImportResult(FileResult):
    """A checked file, plus how its tables were read and where its workbook was written."""

    match: Match | None = None
    output: Path | None = None
    candidates: list[Match] = field(default_factory=list)
    source: object | None = field(default=None, repr=False)  # what was read (the report check reads its text)
    text_findings: list | None = None  # the report check's findings on its text (R-*); None: not read

    def to_json(self) -> dict:
        return {
            **super().to_json(),
            "output": str(self.output) if self.output else None,
            "hybrid": bool(self.match and self.match.groups),
            "reading": self.match.reading if self.match else None,
            "missing_tables": self.missing_tables,
            "text_findings": None if self.text_findings is None else [f.to_json() for f in self.text_findings],
        }

    @property
    def missing_tables(self) -> list[str]:
        """Sheets left out of a --partial import."""
        if self.report is None or not self.match or not self.match.errors:
            return []
        keep = {t.id for t in self.match.complete_tables()}
        return [t.sheet for t in self.match.form.tables if t.id not in keep]


def found_tables(match: Match) -> str:
    """What the reading found, table by table: '表二 6/6 行、表三 23/25 行、表四 未找到'."""
    from gkxl.importer.targets import form_targets

    parts = []
    for table in match.form.tables:
        rows = [t for t in form_targets(match.form) if t.table is table and not t.group]
        placed = {id(p.target) for p in match.placed if p.target.table is table}
        if placed or table.id in match.anchors:
            parts.append(f"{table.sheet} {sum(1 for t in rows if id(t) in placed)}/{len(rows)} 行")
        else:
            parts.append(f"{table.sheet} 未找到")
    return "、".join(parts)


def _refusal(match: Match, path: Path) -> ImportRefused:
    problems = [f"已找到：{found_tables(match)}", *match.errors[:MAX_LISTED]]
    if len(match.errors) > MAX_LISTED:
        problems.append(f"……另有 {len(match.errors) - MAX_LISTED} 处")
    complete = [t.sheet for t in match.complete_tables()]
    if complete:
        problems.append(f"{'、'.join(complete)} 完整：可用 --partial 只导入完整的表")
    problems += [f"未归入任何行：{line.where}“{line.shown}”" for line in match.unplaced[:MAX_LISTED]]
    listed = "\n  ".join(problems)
    text = f"无法按表式 {match.form.id} 导入（按{match.reading}读取），未写出工作簿：\n  {listed}"
    return ImportRefused(text, path)


def _option_notes(meta, unit: str | None, year: int | None, path: Path) -> list:
    """A note where --unit or --year differ from the title (they win), and a warning for a unit not taken."""
    from gkxl.importer.report import import_note

    out = []
    if meta.problem and not unit:
        out.append(import_note("IMPORT-TITLE", "warning", meta.problem + "，请在工作簿封面补填", path))
    if unit and meta.unit and unit != meta.unit:
        out.append(import_note("IMPORT-TITLE", "info", f"单位按 --unit 填写为“{unit}”（标题中为“{meta.unit}”）", path))
    if year and meta.year and year != meta.year:
        out.append(import_note("IMPORT-TITLE", "info", f"年度按 --year 填写为 {year}（标题中为 {meta.year}）", path))
    return out


def _partial_notes(match: Match, keep: set[str], path: Path) -> list:
    from gkxl.importer.report import import_note

    out = []
    for table in match.form.tables:
        if match.errors and table.id not in keep:
            why = "；".join(match.table_errors.get(table.id, [])[:3])
            out.append(import_note("IMPORT-PARTIAL", "error", f"{table.sheet}未导入（--partial）：{why}", path))
    return out


def _best(matches: list[Match], year: int | None) -> Match:
    """A clean reading with the most rows wins; among refused ones, the form the title's year and the
    headers point to (so a refusal names the form the report is in), then the most rows found."""

    def rank(m: Match) -> tuple:
        covers = bool(year and m.form.covers_year(year))
        if not m.errors:
            return (True, m.score, covers, 0, 0.0)
        return (False, 0.0, covers, len(m.headers), m.score - 0.01 * len(m.errors))

    return max(matches, key=rank)


def _read_best(source, forms: list, year: int | None, candidates: list[Match]) -> Match:
    """Match the readings to every form; the one-cell-per-line and fallback readings only when needed."""

    def add(readings) -> Match:
        candidates.extend(match_lines(lines, form, name) for name, lines in readings for form in forms)
        return _best(candidates, year)

    best = add(source.readings)
    if best.errors:  # one cell per line? (matched only when needed: most reports are rows)
        best = add(cell_readings(source))
    if best.errors and source.fallback:
        with suppress(GkxlError):  # the first reading's refusal says more than a failed fallback
            best = add([source.fallback()])
    return best


def import_report(
    path: str | Path,
    form_id: str | None = None,
    unit: str | None = None,
    year: int | None = None,
    partial: bool = False,
) -> ImportResult:
    """Read one published report; the result holds its report and findings, or the reason it was refused.

    `unit` and `year`, when given, win over the title's (with a note where they differ). With `partial`, a
    report some of whose tables are complete is imported with those tables only, each missing one named in an
    IMPORT-PARTIAL error (a township that published no 表四 is still worth auditing)."""
    from gkxl.check.validate import sort_findings, validate
    from gkxl.importer.report import IMPORT_SHEET

    path = Path(path)
    result = ImportResult(path)
    try:
        source = read_source(path)
    except GkxlError as exc:
        result.error = exc
        return result
    result.source = source
    meta = title_meta(source.head)
    notes = _option_notes(meta, unit, year, path)
    unit, year = unit or meta.unit, year or meta.year  # the options always win
    forms = [load_form(form_id)] if form_id else [load_form(f) for f in FORM_IDS]
    best = _read_best(source, forms, year, result.candidates)
    result.match = best
    keep = {t.id for t in best.complete_tables()}
    if best.errors and not (partial and keep):
        result.error = _refusal(best, path)
        return result
    report, read_notes = build_report(best, unit, year, path, keep if best.errors else None)
    result.report = report
    findings = notes + read_notes + _partial_notes(best, keep, path) + validate(report)
    if best.errors:  # the rules of a table not imported would only repeat that it is blank
        missing = {t.sheet for t in best.form.tables if t.id not in keep}
        findings = [f for f in findings if f.sheet not in missing]
    result.findings = sort_findings(report.form, findings, leading=(IMPORT_SHEET,))
    return result


def output_paths(paths: list[Path], outdir: Path) -> dict[Path, Path]:
    """OUTDIR/<stem>.xlsx; '<name>.xlsx' when another input has the same stem (a.pdf and a.txt), and '-2' …
    after that when the same name comes from several folders: no workbook overwrites another."""
    from gkxl.read.inputs import output_names

    def name(p: Path) -> str:  # a.pdf and a.txt stay told apart by their suffix
        return p.name if any(q.stem == p.stem and q.name != p.name for q in paths) else p.stem

    names = output_names(paths, name)
    return {p: outdir / f"{names[p]}.xlsx" for p in paths}


def write_result(result: ImportResult, target: Path) -> None:
    from gkxl.workbook.sample import write_report

    try:
        write_report(result.report, target)
    except GkxlError as exc:
        result.error = exc
        return
    result.output = target


__all__ = ["SUFFIXES", "ImportRefused", "ImportResult", "import_report", "output_paths", "write_result"]
