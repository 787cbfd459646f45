"""`gkxl csv` as a library: keep an output folder of CSV files in step with a set of workbooks.

Run by a scheduler every night, so: unchanged inputs are skipped (see gkxl.csv.manifest), every file is written
atomically, one run at a time holds the folder (gkxl.csv.lock), a bad input is logged and skipped while the
rest go on, and a run that changes nothing writes nothing.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import closing
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from gkxl import __version__
from gkxl.csv.lock import folder_lock
from gkxl.csv.manifest import MANIFEST_NAME, Entry, ManifestWriter, load, outputs_present, same_stat
from gkxl.csv.names import ALL_STEM, assign_names
from gkxl.errors import GkxlError, os_reason
from gkxl.parallel import default_workers, map_ordered

if TYPE_CHECKING:
    from gkxl.csv.convert import Converted

ALL_NAME = f"{ALL_STEM}.csv"
Log = Callable[[str, str, str], None]  # (status word, subject, reason)
# Status words of the log lines and the JSON summary.
OK, ERRORS, FAILED, UNCHANGED, REMOVED = "OK", "ERRORS", "FAILED", "UNCHANGED", "REMOVED"
WORDS = (OK, ERRORS, FAILED, UNCHANGED, REMOVED)
# What the first pass decides for an input (the second logs it in input order, as conversions come back):
# (CONVERT, name, old outputs, size, mtime_ns) | (KEEP, old line, touched entry or None, status, reason)
# | (FAIL, name, reason)
CONVERT, KEEP, FAIL = 0, 1, 2


def file_json(word: str, path: str, e: Entry) -> dict:
    out = e.outputs[0] if e.outputs else None
    return {"path": path, "status": word, "state": e.status, "output": out, "unit": e.unit, "year": e.year,
            "form": e.form, "rows": e.rows, "reason": e.reason}  # fmt: skip


class JobResult:
    """What a run did: counts by status word, and (when asked for: `--json`) one summary per input. Nothing
    else is kept per input, so memory does not grow with the number of inputs."""

    def __init__(self, outdir: Path, record: bool = True):
        self.outdir = outdir
        self.counts = dict.fromkeys(WORDS, 0)
        self.files: list[dict] | None = [] if record else None
        self.bad = False  # some current input could not be read or has errors
        self.all_written = False

    def add(self, word: str, path: str, entry: Entry | Callable[[], Entry], status: str) -> None:
        """Count an outcome; `entry` may be a function giving it, called only when summaries are kept."""
        self.counts[word] += 1
        if word != REMOVED and status != "ok":
            self.bad = True
        if self.files is not None:
            self.files.append(file_json(word, path, entry if isinstance(entry, Entry) else entry()))

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def exit_code(self) -> int:
        """0 all fine; 1 some current input could not be read or has errors (even if unchanged since)."""
        return 1 if self.bad else 0

    def count(self, word: str) -> int:
        return self.counts[word]

    def to_json(self) -> dict:
        return {
            "outdir": str(self.outdir),
            "all": ALL_NAME,
            "all_written": self.all_written,
            "exit_code": self.exit_code,
            "files": self.files or [],
        }


class CsvJob:
    def __init__(
        self,
        outdir: Path,
        bom: bool = True,
        wide: bool = False,
        log: Log = lambda *a: None,
        jobs: int | None = None,
        record: bool = True,
    ):
        self.outdir = outdir
        self.jobs = jobs  # worker processes for the conversions; None: all cores when there are many
        self.settings = {"bom": bom, "wide": wide}
        self.log = log
        self.record = record  # keep one summary per input for to_json
        self.changed = False  # some CSV was written or removed: all.csv needs rebuilding
        self.fresh = False  # the manifest was made with these settings: its entries can be trusted
        self.crashed = False  # a conversion failed for a reason not the input's (a full disk, a killed worker)
        self.said = 0  # how many of the old manifest's dropped entries were logged

    def run(self, paths: Sequence[str | Path]) -> JobResult:
        """Convert `paths` into the output folder; raise GkxlError when the run cannot happen at all."""
        if self.outdir.exists() and not self.outdir.is_dir():
            raise GkxlError("输出位置是一个已有的文件，不是文件夹；请给出输出文件夹", self.outdir)
        try:
            self.outdir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise GkxlError(f"无法创建输出文件夹（{os_reason(exc)}）", self.outdir) from None
        with folder_lock(self.outdir, lambda reason: self.log("LOCK", str(self.outdir), f"接管过期的锁：{reason}")):
            self.writer = ManifestWriter(self.outdir, self.settings)
            try:
                return self._locked_run(paths)
            finally:
                self.writer.discard()  # a failed or interrupted run: the old manifest stays

    def _locked_run(self, paths: Sequence[str | Path]) -> JobResult:
        self.listing = _remove_temp_files(self.outdir, _listing(self.outdir))
        self.unclaimed = set(self.listing)  # the files no entry has claimed yet (see _reconcile)
        old = self.old = load(self.outdir)
        if old is None and MANIFEST_NAME in self.listing:
            self.log("WARN", str(self.outdir / MANIFEST_NAME), "清单无法读取，全部重新转换")
        self.fresh = old is not None and old.settings == self.settings
        keys = input_keys(paths)
        result = JobResult(self.outdir, self.record)
        removed = sorted(k for k in old.lines if k not in keys) if old else []
        for key in removed:
            taken = old.take(key)
            if taken is not None:
                self._remove(key, taken[0], result)
        self._say_dropped()
        stems = {k: os.path.splitext(os.path.basename(p))[0] for k, p in keys.items()}
        names = assign_names(stems, old.names(keys) if old else {})
        del stems
        self.sources: list[tuple[str, str, bytes]] = []  # (key, long CSV, sha256) of each entry: for all.csv
        plans = [self._plan(key, path, names[key]) for key, path in keys.items()]
        del names
        self._say_dropped()
        dirty = old is None or old.rewrite or old.settings != self.settings or bool(removed)
        if dirty or any(plan[0] != KEEP or plan[2] is not None for plan in plans):
            self.writer.open()
        todo = [
            (str(p), plan[1], plan[3], plan[4]) for p, plan in zip(keys.values(), plans, strict=True) if not plan[0]
        ]
        with closing(self._conversions(todo)) as converted:
            del todo
            for (key, path), plan in zip(keys.items(), plans, strict=True):  # in input order
                if plan[0] == CONVERT:
                    word, entry = self._finish(key, str(path), next(converted), plan[2])
                elif plan[0] == KEEP:
                    self._unchanged(key, str(path), plan, result)  # its outputs were claimed by _plan
                    continue
                else:
                    word, entry = self._failed(key, str(path), Entry(plan[1], -1, 0, ""), plan[2])
                result.add(word, str(path), entry, entry.status)
                if entry.outputs:
                    self.sources.append((key, entry.outputs[0], _digest(entry.sha256)))
                self.unclaimed.difference_update(entry.outputs)
        del plans
        if self.crashed:  # a worker that was killed (and its pool with it) left a file half-written
            _remove_temp_files(self.outdir, _listing(self.outdir) - {self.writer.temp_name()})
        self._reconcile()
        if self.changed or ALL_NAME not in self.listing:
            self._write_all()
            result.all_written = True
        self.writer.commit()
        return result

    def _say_dropped(self) -> None:
        """Log the old manifest's entries that could not be used (said once each)."""
        if self.old is None:
            return
        for why in self.old.dropped[self.said :]:
            self.log("WARN", str(self.outdir / MANIFEST_NAME), why)
        self.said = len(self.old.dropped)

    def _reconcile(self) -> None:
        """Delete the CSVs gkxl wrote that no input needs any more (left by a killed run, or by a manifest that
        was lost or damaged): every run leaves the folder as the manifest describes it."""
        extra = sorted(n for n in self.unclaimed if n.endswith(".csv") and n != ALL_NAME and n in self.listing)
        self.unclaimed = set()
        if not extra:
            return
        from gkxl.csv.convert import is_gkxl_output

        for name in extra:
            if (self.outdir / name).exists() and is_gkxl_output(self.outdir / name):
                self._delete([name])
                self.changed = True
                self.log(REMOVED, str(self.outdir / name), "不属于本次任何输入（上次运行中断或清单丢失时留下），已删除")

    def _remove(self, key: str, entry: Entry, result: JobResult) -> None:
        self._delete(entry.outputs)
        self.changed = True
        self.log(REMOVED, key, f"不在本次输入中，已删除 {'、'.join(entry.outputs) or '（无输出）'}")
        result.add(REMOVED, key, entry, entry.status)

    def _delete(self, names: list[str]) -> None:
        for name in names:
            (self.outdir / name).unlink(missing_ok=True)
            self.listing.discard(name)

    def _plan(self, key: str, path: str | Path, name: str) -> tuple:
        """Decide by stat (and, for a file touched since, by hash) whether `path` needs converting. An input
        never seen before is not hashed here: its worker hashes the bytes it converts."""
        taken = self.old.take(key) if self.old is not None else None
        old, line = taken if taken is not None else (None, None)
        try:
            st = os.stat(path)
        except OSError as exc:
            return self._cannot_read(old, name, f"无法读取文件（{os_reason(exc)}）")
        usable = old is not None and self.fresh and old.gkxl == __version__ and old.name == name
        stale = old.outputs if old is not None else []
        if not usable or not outputs_present(old, self.listing):
            return (CONVERT, name, stale, st.st_size, st.st_mtime_ns)
        if same_stat(old, st):
            return self._keep(key, line, old, None)
        from gkxl.read.files import file_sha256

        try:
            sha = file_sha256(Path(path))  # a pipe, a device or a huge file is refused before a byte is read
        except GkxlError as exc:
            return self._cannot_read(old, name, exc.message)
        if old.sha256 == sha:  # touched, not changed: remember the new mtime, keep the CSV
            return self._keep(key, line, old, old.replace(size=st.st_size, mtime_ns=st.st_mtime_ns))
        return (CONVERT, name, stale, st.st_size, st.st_mtime_ns)

    def _keep(self, key: str, line: bytes, old: Entry, touched: Entry | None) -> tuple:
        """The plan of an unchanged input: its outputs are claimed now, so that its entry need not be held (or
        parsed again) until its turn."""
        if old.outputs:
            self.sources.append((key, old.outputs[0], _digest(old.sha256)))
            self.unclaimed.difference_update(old.outputs)
        return (KEEP, line, touched, old.status, old.reason)

    def _cannot_read(self, old: Entry | None, name: str, reason: str) -> tuple:
        if old is not None:
            self._delete(old.outputs)  # a file that cannot be read has no rows: its old CSV no longer matches it
        return (FAIL, name, reason)

    def _conversions(self, todo: list[tuple[str, str, int, int]]) -> Iterator[Converted]:
        """Convert the inputs that need it, in worker processes when there are many (or --jobs says so)."""
        if not todo:
            return (c for c in ())  # an unchanged re-run: nothing to convert, so none of the reading code is loaded
        from gkxl.csv.convert import convert_job, worker_died

        workers = default_workers(len(todo)) if self.jobs is None else self.jobs
        return map_ordered(partial(convert_job, outdir=self.outdir, **self.settings), todo, workers, worker_died)

    def _unchanged(self, key: str, path: str, plan: tuple, result: JobResult) -> None:
        from gkxl.csv.manifest import entry_from_line

        _, line, touched, status, reason = plan
        note = {"ok": "", "errors": f"，上次：{reason}", "failed": f"，上次无法读取：{reason}"}
        self.log(UNCHANGED, path, f"未变化{note.get(status, '')}")
        self.writer.add(key, touched, None if touched else line)
        result.add(UNCHANGED, path, touched or partial(entry_from_line, line), status)

    def _failed(self, key: str, path: str, entry: Entry, reason: str) -> tuple[str, Entry]:
        self.changed = True
        entry.status, entry.reason, entry.outputs = "failed", reason, []
        self.log(FAILED, path, reason)
        self.writer.add(key, entry)
        return FAILED, entry

    def _finish(self, key: str, path: str, converted: Converted, stale: list[str]) -> tuple[str, Entry]:
        """Log a conversion done by a worker, and delete what it made stale or left behind."""
        entry = converted.entry
        if converted.error is not None:
            self._delete(stale)  # a file that cannot be read has no rows: its old CSV no longer matches it
            return self._failed(key, path, entry, converted.error)
        if converted.crash is not None:
            from gkxl.csv.convert import possible_outputs

            self.crashed = True
            self._delete([*stale, *possible_outputs(entry.name)])  # what was written before the failure
            # Not the input's fault (a full disk, a bug): forget its signature so the next run tries again.
            entry.size, entry.mtime_ns, entry.sha256 = -1, 0, ""
            return self._failed(key, path, entry, f"转换失败（{converted.crash}）")
        self._delete([n for n in stale if n not in entry.outputs])
        self.listing.update(entry.outputs)
        self.changed = True
        word = OK if entry.status == "ok" else ERRORS
        where = f"{entry.unit or '（单位未填）'} {entry.year or '？'}年 表式{entry.form}"
        self.log(word, path, f"→ {entry.outputs[0]}，{where}，{entry.rows} 行{converted.note}")
        self.writer.add(key, entry)
        return word, entry

    def _write_all(self) -> None:
        """all.csv, streamed file by file; a workbook given twice under different names (the same bytes) is
        in it once, with a warning."""
        from gkxl.csv.export import COLUMNS
        from gkxl.csv.files import concat_csv

        self.sources.sort()
        sources, seen = [], {}
        for key, output, sha in self.sources:
            if sha in seen:
                why = f"与 {seen[sha]} 内容完全相同（同一份报告重复提交），{ALL_NAME} 中只保留一份"
                self.log("WARN", key, why)
                continue
            seen[sha] = key
            sources.append(self.outdir / output)
        try:
            concat_csv(self.outdir / ALL_NAME, COLUMNS, sources, self.settings["bom"])
        except OSError as exc:
            raise GkxlError(f"无法写入 {ALL_NAME}（{os_reason(exc)}）", self.outdir) from None
        self.listing.add(ALL_NAME)


def _digest(sha256: str) -> bytes:
    """A SHA-256 as 32 bytes (half the memory of its hex text), to tell identical inputs apart."""
    try:
        return bytes.fromhex(sha256)
    except ValueError:
        return sha256.encode()


def _listing(outdir: Path) -> set[str]:
    """The names in the output folder, listed once per run."""
    try:
        with os.scandir(outdir) as entries:
            return {entry.name for entry in entries}
    except OSError as exc:
        raise GkxlError(f"无法读取输出文件夹（{os_reason(exc)}）", outdir) from None


def _remove_temp_files(outdir: Path, listing: set[str]) -> set[str]:
    """Temporary files of a run that was killed (a crash or power cut leaves them; a normal error does not).
    Returns the listing without them."""
    import re

    temp = re.compile(rf"\..*\.csv\.[0-9a-z]+\.tmp|\.{re.escape(MANIFEST_NAME)}\.[0-9a-z]+\.tmp")
    for name in [n for n in listing if n.endswith(".tmp") and temp.fullmatch(n)]:
        (outdir / name).unlink(missing_ok=True)
        listing.discard(name)
    return listing


def input_keys(paths: Sequence[str | Path]) -> dict[str, str | Path]:
    """Each input by its key in the manifest: its absolute path, its folder resolved once (not one resolve,
    i.e. a stat per path component, for each of thousands of files)."""
    folders: dict[str, str] = {}  # a folder as given: its resolved path with a separator, or "" if the same
    out = {}
    for path in paths:
        text = os.fspath(path)
        parent, name = os.path.split(text)
        prefix = folders.get(parent)
        if prefix is None:
            real = os.path.realpath(parent or ".")
            prefix = folders[parent] = "" if real == parent else os.path.join(real, "")
        same = not prefix and len(text) == len(parent) + 1 + len(name)  # 'a//b' is keyed as 'a/b'
        out[text if same else (prefix or os.path.join(parent, "")) + name] = path  # one string if its own key
    return out


def run_csv(
    paths: Sequence[str | Path],
    outdir: Path,
    bom: bool = True,
    wide: bool = False,
    log: Log | None = None,
    jobs: int | None = None,
    record: bool = True,
) -> JobResult:
    """Run the job; `record=False` keeps only counts (no per-file summaries for to_json): flat memory."""
    return CsvJob(outdir, bom, wide, log or (lambda *a: None), jobs, record).run(paths)
