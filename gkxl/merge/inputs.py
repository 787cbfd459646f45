"""Read and validate the inputs of a merge, on every core when there are many.

Each input is checked in a worker process and comes back as a small picklable `Checked` (the form travels
as its id, not as the whole definition), so the parent only sums and writes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from gkxl.check.findings import Finding, count, count_explained, explanations
from gkxl.check.verdict import Verdict, verdict
from gkxl.errors import GkxlError
from gkxl.form.record import Record
from gkxl.merge.sheets import SOURCES_SHEET, SUMMARY_MARK, Source, read_sources
from gkxl.merge.values import CellValues
from gkxl.parallel import default_workers, map_ordered
from gkxl.read.values import Number

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (merge's path: no pathlib either)
if TYPE_CHECKING:
    from pathlib import Path


class Checked(Record):
    """One input read and validated: its values and findings, or why it could not be read (a record,
    gkxl.form.record: no dataclasses on merge's path)."""

    _fields = ("path", "sha256", "form_id", "unit", "unit_code", "year", "values", "findings", "error", "sources")
    _factories = (("values", dict), ("findings", list), ("sources", list))

    def __init__(
        self,
        path: str | Path,  # as given: text from the command line, a Path from a library caller
        sha256: str = "",
        form_id: str | None = None,
        unit: str | None = None,
        unit_code: str | None = None,  # 单位代码 on the cover, when filled
        year: int | None = None,
        values: Mapping[str, Number | None] | None = None,  # CellValues once read
        findings: list[Finding] | None = None,
        error: str | None = None,  # the reader's message: the file could not be read
        sources: list[Source] | None = None,  # when the input is itself a summary
    ) -> None:
        self.path, self.sha256, self.form_id, self.unit, self.unit_code = path, sha256, form_id, unit, unit_code
        self.year, self.error = year, error
        self.values = {} if values is None else values
        self.findings = [] if findings is None else findings
        self.sources = [] if sources is None else sources

    @property
    def errors(self) -> int:
        return count(self.findings, "error")

    @property
    def warnings(self) -> int:
        return count(self.findings, "warning")

    @property
    def explained(self) -> int:
        return count_explained(self.findings)

    @property
    def explanations(self) -> str:
        return "；".join(explanations(self.findings))

    @property
    def judged(self) -> Verdict:
        """The input's own verdict (errors | incomplete | unexplained | ok), as `gkxl validate` gives it."""
        return verdict(self.findings)

    @property
    def empty(self) -> bool:
        """Every statutory cell blank (V-EMPTY): refused even with --allow-errors, there is nothing to add."""
        return any(f.rule == "V-EMPTY" for f in self.findings)

    @property
    def is_summary(self) -> bool:
        return bool(self.sources)


def check_input(path: str | Path) -> Checked:
    """Read, validate and fingerprint one input; never raises for a bad file."""
    from gkxl.check.validate import check_file

    checked = Checked(path)
    result = check_file(path, digest=True, as_given=True)  # read once (after its size is checked) and hashed
    if result.error:
        checked.error = result.error.message
        return checked
    report = result.report
    checked.sha256 = report.sha256  # of the bytes whose values are summed
    checked.form_id, checked.unit, checked.year = report.form.id, report.unit, report.year
    checked.unit_code = report.unit_code
    checked.values, checked.findings = CellValues.of(report.form.id, report.values), result.findings
    if SOURCES_SHEET in report.sheets:
        try:
            checked.sources = read_sources(path)
        except GkxlError as exc:
            checked.error = exc.message
    if SUMMARY_MARK in report.marks and not checked.sources and not checked.error:
        checked.error = (f"这是 gkxl 汇总的汇总表，但其“{SOURCES_SHEET}”工作表已被删除或清空：无法确认其中包含"
                         "哪些单位，与其他报告一起汇总可能重复计算，请使用原汇总表")  # fmt: skip
    return checked


def check_inputs(
    paths: Sequence[str | Path], workers: int | None = None, advance: Callable[[int], None] | None = None
) -> list[Checked]:
    """Check every input, in order. `advance(n)` is called as inputs finish (for a progress bar)."""
    workers = default_workers(len(paths)) if workers is None else workers
    out = []
    common: dict = {}
    items = list(paths)
    for path, checked in zip(items, map_ordered(check_input, items, workers), strict=True):
        if checked.path == path:
            checked.path = path  # the caller's own object, which it keeps anyway: the worker's copy is dropped
        out.append(_shared(checked, common))
        if advance:
            advance(1)
    return out


# A finding's fields that repeat from input to input (its rule, cell key, the form's labels, …): each input
# comes from a worker with copies of its own (~0.6 kB of a finding's ~1 kB).
_REPEATED = ("rule", "severity", "sheet", "cell", "key", "row_path", "col_path", "blank_parts", "path", "related")


def _shared(checked: Checked, common: dict) -> Checked:
    """`checked` with one copy, kept in `common`, of each value its findings repeat from other inputs (equal
    values: the findings compare, hash and print as before)."""
    checked.form_id = _one(checked.form_id, common)
    for finding in checked.findings:
        fields = finding.__dict__  # a frozen record: its own __init__ sets its fields so, too
        for name in _REPEATED:
            if name in fields:
                fields[name] = _one(fields[name], common)
    return checked


def _one(value: object, common: dict) -> object:
    """The copy of `value` in `common`: only texts and tuples of texts, which no value of another type equals
    (1 == 1.0 == True would otherwise swap a value's type)."""
    if type(value) is str or (type(value) is tuple and all(type(v) is str for v in value)):
        return common.setdefault(value, value)
    return value
