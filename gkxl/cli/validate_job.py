"""`gkxl validate`'s work, without Click (the fast dispatcher runs it directly): each file is checked — in
worker processes when there are many — and printed as soon as it and the files before it are done, in input
order. Only counts are kept, so memory stays flat however many files a folder holds."""

from __future__ import annotations

import sys
from functools import partial

from gkxl.cli.common import (
    EXIT_CANNOT_RUN,
    EXIT_FINDINGS,
    EXIT_OK,
    WORKBOOK_SUFFIXES,
    check_output_file,
    check_output_folder,
    color_for,
    echo,
    fail,
    unique_inputs,
)

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (the validate hot path)
if TYPE_CHECKING:
    from pathlib import Path


def run(
    inputs: list[Path],
    as_json: bool = False,
    annotate: Path | None = None,
    form_id: str | None = None,
    show_info: bool = False,
    previous: Path | None = None,
    jobs: int | None = None,
    strict: bool = False,
) -> int:
    """Check the workbooks named by `inputs` (files or folders; Paths, or text as typed) and print the results;
    the exit code."""
    paths = _expanded(inputs, annotate is None and previous is None)
    if paths is None:
        from pathlib import Path

        from gkxl.read.inputs import expand_inputs

        annotate = Path(annotate) if annotate is not None else None
        previous = Path(previous) if previous is not None else None
        paths = expand_inputs(unique_inputs([Path(a) for a in inputs]), keep_empty=True)
    if not paths:
        fail("没有找到要校验的工作簿（.xlsx/.xlsm）")
    targets = _annotate_targets(annotate, paths) if annotate else dict.fromkeys(paths)
    last_year = _last_year(previous, as_json) if previous else None
    color = not as_json and color_for(sys.stdout)
    check = partial(check_one, form_id, show_info, as_json, color, last_year)
    out = JsonStream() if as_json else TextStream()
    for text, status in _checked(check, list(targets.items()), jobs, as_json):
        out.add(text, status)
    out.close({"previous_unreadable": last_year.problems} if last_year and last_year.problems else {})
    if out.counts.get("unreadable"):
        return EXIT_CANNOT_RUN
    failing = sum(n for status, n in out.counts.items() if status != "ok") if strict else out.counts.get("errors", 0)
    return EXIT_OK if failing == 0 else EXIT_FINDINGS


def _expanded(inputs: list, plain: bool) -> list[str] | None:
    """One INPUT typed as text, its files as text, when that takes no pathlib (the common `gkxl validate
    ONE.xlsx` or `FOLDER/`): the same names, printed the same, as the Path objects would give."""
    if not plain or len(inputs) != 1 or not isinstance(inputs[0], str):
        return None
    from gkxl.read.inputs import expand_text

    return expand_text(inputs[0], keep_empty=True)


def _checked(check, items: list, jobs: int | None, as_json: bool):
    if len(items) == 1 or jobs == 1:
        return map(check, items)  # no process pool to import (the one-file path is the hot one)
    from gkxl.parallel import default_workers, map_ordered

    return map_ordered(check, items, jobs or default_workers(len(items)), partial(_broken, as_json))


def check_one(form_id, show_info, as_json, color, last_year, item: tuple[Path, Path | None]) -> tuple[str, str]:
    """Check (and annotate) one file, in a worker or not: (its printed text, its status)."""
    from gkxl.check.validate import check_file

    path, target = item
    result = check_file(path, None, last_year, as_given=True)
    if form_id and result.report and result.report.form.id != form_id:
        result = _other_form(result, form_id)
    if target and result.report:
        _annotate(result, target)
    status = "unreadable" if result.error else result.status
    return _shown(result, show_info, as_json, color, target), status


def _other_form(result, form_id: str):
    from gkxl.check.validate import FileResult
    from gkxl.errors import GkxlError

    found = result.report.form.id
    message = f"这是表式 {found} 的工作簿（见封面“表式”），不是 --form 指定的 {form_id}，未校验"
    other = FileResult(result.path, error=GkxlError(message, result.path))
    other.verdict_text = f"未校验：表式为 {found}，不是 {form_id}"
    return other


def _annotate(result, target: Path) -> None:
    from gkxl.errors import GkxlError, os_reason
    from gkxl.workbook.annotate import annotate

    try:
        annotate(result.path, result.findings, target)
        result.annotated = target
    except GkxlError as exc:
        result.error = exc
    except OSError as exc:  # a full disk, say: this copy is lost, the other files go on
        result.error = GkxlError(f"标注副本写入失败（{os_reason(exc)}）", target)


def _shown(result, show_info: bool, as_json: bool, color: bool, target: Path | None) -> str:
    annotated = getattr(result, "annotated", None)
    if as_json:
        data = result.to_json()
        if target:
            data["annotated"] = str(annotated) if annotated else None
        return json_text(data, "    ")
    from gkxl.cli.results import format_result

    text = format_result(result, show_info, color)
    return text + f"\n  已写出标注副本：{annotated}" if annotated else text


def _broken(as_json: bool, item: tuple[Path, Path | None], exc: Exception) -> tuple[str, str]:
    """A worker died (killed, out of memory): its files are reported as not checked."""
    from gkxl.check.validate import FileResult
    from gkxl.errors import GkxlError

    result = FileResult(item[0], error=GkxlError(f"未能校验：校验进程意外退出（{type(exc).__name__}）", item[0]))
    return _shown(result, False, as_json, False, None), "unreadable"


def _annotate_targets(out: Path, paths: list[Path]) -> dict[Path, Path]:
    """Where each annotated copy goes: OUT itself for one file (a folder: inside it), else inside folder OUT."""
    from gkxl.read.inputs import output_names

    if len(paths) == 1 and not out.is_dir():
        source = paths[0]
        suffixes = (source.suffix.lower(),) if source.suffix.lower() in WORKBOOK_SUFFIXES else WORKBOOK_SUFFIXES
        return {source: check_output_file(out, suffixes, "标注副本")}
    check_output_folder(out, "多个文件的标注副本（--annotate）", creates=True)
    stems = output_names(paths)
    return {p: out / f"{stems[p]}.校验{p.suffix}" for p in paths}


def _last_year(previous: Path, as_json: bool):
    from gkxl.check.crossyear import LastYear
    from gkxl.errors import GkxlError

    try:
        last_year = LastYear.load(previous)
    except GkxlError as exc:
        fail(f"上年报告无法读取：{exc}")
    for problem in last_year.problems:
        if not as_json:
            echo(f"注意：上年文件夹中的文件无法读取，已跳过：{problem}", fg="yellow", err=True)
    return last_year


def _indent(text: str, prefix: str) -> str:
    return prefix + text.replace("\n", "\n" + prefix)


def json_text(value: object, prefix: str = "") -> str:
    """`prefix` + json.dumps(value, ensure_ascii=False, indent=2) with `prefix` after every line break, the
    same text, built with json's C string encoder: an indented json.dumps runs json's pure-Python encoder,
    which took longer than checking the file. For the documents validate prints (str keys; dicts, lists,
    str, int, float, bool, None); anything else goes to json.dumps itself."""
    try:  # json's C encoder itself: importing the json package imports json.decoder, and with it `re`
        from _json import encode_basestring
    except ImportError:  # an interpreter without the C accelerator
        from json.encoder import encode_basestring

    out: list[str] = [prefix]
    _json_parts(value, "\n" + prefix, out, encode_basestring)
    return "".join(out)


_INFINITY = float("inf")


def _json_parts(value: object, newline: str, out: list[str], quote) -> None:
    kind = type(value)
    if kind is str:
        out.append(quote(value))
    elif value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif kind is int:
        out.append(int.__repr__(value))
    elif kind is float:
        if value != value:
            out.append("NaN")
        elif value in (_INFINITY, -_INFINITY):
            out.append("Infinity" if value > 0 else "-Infinity")
        else:
            out.append(float.__repr__(value))
    elif kind is dict and all(type(k) is str for k in value):
        if not value:
            out.append("{}")
            return
        inner = newline + "  "
        first = True
        for key, item in value.items():
            out.append(("{" if first else ",") + inner + quote(key) + ": ")
            first = False
            _json_parts(item, inner, out, quote)
        out.append(newline + "}")
    elif kind in (list, tuple):
        if not value:
            out.append("[]")
            return
        inner = newline + "  "
        for i, item in enumerate(value):
            out.append(("[" if i == 0 else ",") + inner)
            _json_parts(item, inner, out, quote)
        out.append(newline + "]")
    else:  # a str or int subclass, a non-str key, or something json refuses: json's own verdict
        import json

        out.append(json.dumps(value, ensure_ascii=False, indent=2).replace("\n", newline))


class TextStream:
    """Each file's lines as they come, then (for several files) how many got each verdict."""

    def __init__(self) -> None:
        self.n = 0
        self.counts: dict[str, int] = {}

    def count(self, status: str) -> None:
        self.n += 1
        self.counts[status] = self.counts.get(status, 0) + 1

    def add(self, text: str, status: str) -> None:
        self.count(status)
        echo(text)

    def close(self, extra: dict) -> None:
        if self.n > 1:
            from gkxl.cli.results import status_counts

            echo(f"\n共 {self.n} 个文件：{status_counts(self.counts)}")


class JsonStream(TextStream):
    """The document `{"files": [...], ...}` written file by file, the same text as `json.dumps(..., indent=2)`."""

    def add(self, text: str, status: str) -> None:
        sys.stdout.write(('{\n  "files": [\n' if self.n == 0 else ",\n") + text)
        sys.stdout.flush()
        self.count(status)

    def close(self, extra: dict) -> None:
        out = "\n  ]" if self.n else '{\n  "files": []'
        for key, value in extra.items():  # (only with --previous: json imported then)
            import json

            out += f",\n  {json.dumps(key)}: " + json.dumps(value, ensure_ascii=False, indent=2).replace("\n", "\n  ")
        echo(out + "\n}")
