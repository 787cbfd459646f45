"""Merge unit reports into one summary report: refuse on any doubt, otherwise sum cell by cell.

Every input is read and validated first. The merge refuses (and writes nothing) when any input cannot be
read, has hard errors (unless allowed), is of another form or year than the rest, lacks its unit or year,
or would be counted twice (same unit, same file content, or a summary given together with one of its own
units). Sums are exact: counts as int, money as Decimal. A cell blank in every input stays blank in the
summary; otherwise a blank counts as 0 (each blank is already a warning on its own input).
"""

from __future__ import annotations

import os
import unicodedata
from collections import Counter
from collections.abc import Callable, Sequence
from decimal import Decimal

from gkxl.check.findings import Finding, count
from gkxl.errors import UsageError
from gkxl.form.model import Form, load_form
from gkxl.form.record import Record
from gkxl.merge.inputs import Checked, check_inputs
from gkxl.merge.values import cell_rows
from gkxl.read.reader import Report, unit_key
from gkxl.read.values import Number, plain_decimal

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (merge's path: no pathlib either)
if TYPE_CHECKING:
    from pathlib import Path

DEFAULT_UNIT = "汇总"
UnitKey = Callable[[str | None, str | None], str]  # (unit name, unit code) -> the unit's identity
MAX_INPUTS = 2500  # 汇总明细 has a column per input; beyond this its sheet outgrows what the reader accepts


class MergeResult(Record):
    _fields = ("inputs", "problems", "output", "form_id", "unit", "year", "allow_errors", "findings", "skipped")
    _factories = (("findings", list), ("skipped", list))

    def __init__(
        self,
        inputs: list[Checked],
        problems: list[list[str]],  # refusal reasons, per input
        output: str | Path | None = None,  # set when the summary was written: `out` as the caller gave it
        form_id: str | None = None,
        unit: str | None = None,
        year: int | None = None,
        allow_errors: bool = False,
        findings: list[Finding] | None = None,  # of the written summary
        skipped: list[str | Path] | None = None,  # the output file, found in an input folder
    ) -> None:
        self.inputs, self.problems, self.output, self.form_id, self.unit = inputs, problems, output, form_id, unit
        self.year, self.allow_errors = year, allow_errors
        self.findings = [] if findings is None else findings
        self.skipped = [] if skipped is None else skipped

    @property
    def merged(self) -> bool:
        return self.output is not None

    @property
    def ok(self) -> bool:
        return self.merged and count(self.findings, "error") == 0

    def to_json(self) -> dict:
        from gkxl.merge.summary import verdict

        inputs = []
        for c, problems in zip(self.inputs, self.problems, strict=True):
            entry = {"path": str(c.path), "sha256": c.sha256, "unit": c.unit, "year": c.year, "form": c.form_id}
            entry |= {"errors": c.errors, "warnings": c.warnings, "summary_of": len(c.sources)}
            entry |= {"status": c.judged.status if not c.error else "unreadable"}
            entry["verdict"] = "refused" if problems else ("merged" if self.merged else "not merged")
            entry["verdict_text"] = verdict(c, self.allow_errors) if self.merged else "；".join(problems) or "未汇总"
            entry["problems"] = problems
            entry["error"] = c.error
            entry["findings"] = [f.to_json() for f in c.findings]
            inputs.append(entry)
        summary = None
        if self.merged:
            summary = {"errors": count(self.findings, "error"), "warnings": count(self.findings, "warning")}
            summary["findings"] = [f.to_json() for f in self.findings]
        return {
            "merged": self.merged,
            "ok": self.ok,
            "output": str(self.output) if self.output else None,
            "form": self.form_id,
            "unit": self.unit,
            "year": self.year,
            "allow_errors": self.allow_errors,
            "skipped": [str(p) for p in self.skipped],
            "inputs": inputs,
            "summary": summary,
        }


def resolve_inputs(args: Sequence[str | Path], out: str | Path) -> tuple[list, list]:
    """(inputs, skipped): folders expanded; OUT found in a folder is skipped, OUT named as an input is refused.
    Inputs given as plain text stay text (no pathlib on a small merge's path); otherwise they are Paths."""
    from gkxl.read.inputs import expand_inputs, expand_texts

    if os.path.splitext(out)[1].lower() not in (".xlsx", ".xlsm"):
        raise UsageError("输出文件应为 .xlsx 工作簿（或带按钮的 .xlsm）", out)
    target, name = os.path.realpath(out), _name_key(out)

    def is_out(path: str | Path) -> bool:  # the name first: resolving a thousand paths costs more than the sums
        return _name_key(path) == name and os.path.realpath(path) == target

    if any(is_out(a) and not os.path.isdir(a) for a in args):
        raise UsageError("输出文件不能是输入文件之一，请换一个输出文件名", out)
    paths = expand_texts(list(args), keep_empty=True)  # an empty folder is refused, not skipped
    if paths is None:
        paths = expand_inputs(list(args), keep_empty=True)
    skipped = [p for p in paths if is_out(p)]
    kept = [p for p in paths if p not in skipped]
    if all(os.path.isdir(p) for p in kept):  # nothing but empty folders
        raise UsageError("没有找到要汇总的工作簿（.xlsx/.xlsm）")
    if len(kept) > MAX_INPUTS:
        raise UsageError(f"一次最多汇总 {MAX_INPUTS} 份报告，请分批汇总（如先按片区汇总，再汇总各片区的汇总表）")
    return kept, skipped


def _name_key(path: str | Path) -> str:
    # File systems that ignore case (Windows, macOS) or normalise Unicode (macOS) may give OUT another spelling.
    return unicodedata.normalize("NFC", os.path.basename(path)).casefold()


def _majority(values: list) -> object:
    """The most common value; on a tie, the one seen first."""
    if not values:
        return None
    counts = Counter(values)
    return max(counts, key=counts.__getitem__)  # the first of the most common (most_common imports heapq)


def name_key(unit: str | None, code: str | None = None) -> str:
    """Without a roster a unit is its name, ignoring width and spaces."""
    return unit_key(unit)


def refusals(
    inputs: Sequence[Checked], year: int | None = None, allow_errors: bool = False, key: UnitKey = name_key
) -> list[list[str]]:
    """Why each input may not be merged ([] for a good one). The merge goes ahead only if all are [].
    `key` says which unit an input is (a roster's matches codes and aliases)."""
    readable = [c for c in inputs if not c.error]
    form_id = _majority([c.form_id for c in readable])
    ref_year = year or _majority([c.year for c in readable if c.form_id == form_id and c.year])
    problems = [_own_problems(c, form_id, ref_year, year is not None, allow_errors) for c in inputs]
    _duplicates(inputs, problems, key)
    _double_counting(inputs, problems, key)
    return problems


def _own_problems(c: Checked, form_id: str | None, year: int | None, given: bool, allow_errors: bool) -> list[str]:
    if c.error:
        return [f"无法读取：{c.error}"]
    out = []
    if c.form_id != form_id:
        out.append(f"表式为 {c.form_id}，其他报告为 {form_id}：不同表式的报告不能汇总")
    if c.year is None:
        out.append("未填写年度：无法确认与其他报告属于同一年度")
    elif year is not None and c.year != year:
        out.append(f"年度为 {c.year}，{'要求汇总的年度' if given else '其他报告'}为 {year}")
    if not c.unit:
        out.append("未填写填报单位名称：汇总明细和重复检查都需要单位名称")
    if c.empty:
        out.append("报告未填写（全部填报单元格都是空白）：空白报告不能汇总  [V-EMPTY]")
    elif c.errors and not allow_errors:
        out.append(f"有 {c.errors} 处必须修改的错误（改正后再汇总，或用 --allow-errors 仍然汇总）：")
        out.extend(f"  {f.message}  [{f.rule}]" for f in c.findings if f.severity == "error")
    return out


def _duplicates(inputs: Sequence[Checked], problems: list[list[str]], key: UnitKey) -> None:
    by_sha: dict[str, Checked] = {}
    by_unit: dict[str, Checked] = {}
    for c, own in zip(inputs, problems, strict=True):
        if c.error:
            continue
        if c.sha256 in by_sha:
            own.append(f"与 {by_sha[c.sha256].path} 内容完全相同（同一份报告重复提交）")
            continue
        by_sha[c.sha256] = c
        unit = key(c.unit, c.unit_code) if c.unit else None
        if unit and unit in by_unit:
            own.append(f"填报单位“{c.unit}”与 {by_unit[unit].path} 重复：同一单位只能汇总一次")
        elif unit:
            by_unit[unit] = c


def _inside(summary: Checked, key: UnitKey) -> tuple[set[str], set[str]]:
    return {s.sha256 for s in summary.sources}, {key(s.unit, None) for s in summary.sources}


def _double_counting(inputs: Sequence[Checked], problems: list[list[str]], key: UnitKey) -> None:
    """A summary given together with one of its own units (or with another summary sharing a unit)."""
    for i, summary in enumerate(inputs):
        if summary.error or not summary.is_summary:
            continue
        shas, units = _inside(summary, key)
        for j, other in enumerate(inputs):
            if j == i or other.error:
                continue
            if other.sha256 in shas or (other.unit and key(other.unit, other.unit_code) in units):
                problems[i].append(
                    f"这是汇总表，已包含 {other.path}（{other.unit}）的数据：两者同时汇总会重复计算，请去掉其中一个"
                )
            elif other.is_summary and j < i:
                other_shas, other_units = _inside(other, key)
                if summary.sha256 in other_shas or key(summary.unit, summary.unit_code) in other_units:
                    continue  # `other` contains this summary: already reported on `other`
                common = sorted({s.unit for s in summary.sources if key(s.unit, None) in other_units})
                if common or shas & other_shas:
                    shown = "、".join(common[:5]) + (f"等 {len(common)} 个单位" if len(common) > 5 else "")
                    problems[i].append(f"与汇总表 {other.path} 都包含 {shown or '同一份报告'}：同时汇总会重复计算")


def sum_values(form: Form, columns: Sequence[dict[str, Number | None]]) -> dict[str, Number | None]:
    """Cell-by-cell sums: exact, blank as 0, but blank when blank in every input."""
    out: dict[str, Number | None] = {}
    keys = [cell.key for cell in form.cells]
    for cell, row in zip(form.cells, cell_rows(form.id, keys, columns), strict=True):
        present = [v for v in row if v is not None]
        if not present:
            out[cell.key] = None
        elif cell.kind == "money":
            out[cell.key] = plain_decimal(sum(present, Decimal(0)))
        else:
            out[cell.key] = sum(present, 0)
    return out


def merge(
    args: Sequence[str | Path],
    out: str | Path,
    unit: str = DEFAULT_UNIT,
    year: int | None = None,
    allow_errors: bool = False,
    workers: int | None = None,
    advance: Callable[[int], None] | None = None,
    key: UnitKey = name_key,
) -> MergeResult:
    """Check every input; if none is refused, write the summary to `out` and validate it. `key` names an
    input's unit for the duplicate checks (default: its name; `gkxl merge --roster` passes the roster's)."""
    from gkxl.merge.summary import write_summary

    paths, skipped = resolve_inputs(args, out)
    inputs = check_inputs(paths, workers, advance)
    problems = refusals(inputs, year, allow_errors, key)
    result = MergeResult(inputs, problems, unit=unit, allow_errors=allow_errors, skipped=skipped)
    if any(problems):
        return result
    form = load_form(inputs[0].form_id)
    result.form_id, result.year = form.id, year or inputs[0].year
    summary = Report(form, sum_values(form, [c.values for c in inputs]), unit=unit, year=result.year)
    result.findings = write_summary(out, summary, inputs, allow_errors)
    result.output = out
    return result
