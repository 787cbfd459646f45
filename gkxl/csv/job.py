"""`gkxl csv` as a library: keep an output folder of CSV files in step with a set of workbooks.

Run by a scheduler every night, so: unchanged inputs are skipped (see gkxl.csv.manifest), every file is written
atomically, one run at a time holds the folder (gkxl.csv.lock), a bad input is logged and skipped while the
rest go on, and a run that changes nothing writes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from gkxl import __version__
from gkxl.csv.lock import folder_lock
from gkxl.csv.manifest import MANIFEST_NAME, Entry, Manifest, outputs_present, same_stat
from gkxl.csv.names import ALL_STEM, assign_names
from gkxl.errors import GkxlError, os_reason
from gkxl.parallel import default_workers, map_ordered
from gkxl.read.files import file_sha256

if TYPE_CHECKING:
    from gkxl.csv.convert import Converted

ALL_NAME = f"{ALL_STEM}.csv"
Log = Callable[[str, str, str], None]  # (status word, subject, reason)
# Status words of the log lines and the JSON summary.
OK, ERRORS, FAILED, UNCHANGED, REMOVED = "OK", "ERRORS", "FAILED", "UNCHANGED", "REMOVED"


@dataclass
class Outcome:
    word: str
    path: str
    entry: Entry

    def to_json(self) -> dict:
        e = self.entry
        out = e.outputs[0] if e.outputs else None
        return {"path": self.path, "status": self.word, "state": e.status, "output": out, "unit": e.unit,
                "year": e.year, "form": e.form, "rows": e.rows, "reason": e.reason}  # fmt: skip


Plan = Entry | Callable[[], Outcome]  # an input to convert (with its new entry), or its outcome without converting


@dataclass
class JobResult:
    outdir: Path
    outcomes: list[Outcome] = field(default_factory=list)
    all_written: bool = False

    @property
    def exit_code(self) -> int:
        """0 all fine; 1 some current input could not be read or has errors (even if unchanged since)."""
        current = (o for o in self.outcomes if o.word != REMOVED)
        return 1 if any(o.entry.status != "ok" for o in current) else 0

    def count(self, word: str) -> int:
        return sum(1 for o in self.outcomes if o.word == word)

    def to_json(self) -> dict:
        return {
            "outdir": str(self.outdir),
            "all": ALL_NAME,
            "all_written": self.all_written,
            "exit_code": self.exit_code,
            "files": [o.to_json() for o in self.outcomes],
        }


class CsvJob:
    def __init__(
        self, outdir: Path, bom: bool = True, wide: bool = False, log: Log = lambda *a: None, jobs: int | None = None
    ):
        self.outdir = outdir
        self.jobs = jobs  # worker processes for the conversions; None: all cores when there are many
        self.settings = {"bom": bom, "wide": wide}
        self.log = log
        self.dirty = False  # the manifest needs saving
        self.changed = False  # some CSV was written or removed: all.csv needs rebuilding
        self.fresh = False  # the manifest was made with these settings: its entries can be trusted
        self.crashed = False  # a conversion failed for a reason not the input's (a full disk, a killed worker)

    def run(self, paths: list[Path]) -> JobResult:
        """Convert `paths` into the output folder; raise GkxlError when the run cannot happen at all."""
        if self.outdir.exists() and not self.outdir.is_dir():
            raise GkxlError("输出位置是一个已有的文件，不是文件夹；请给出输出文件夹", self.outdir)
        try:
            self.outdir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise GkxlError(f"无法创建输出文件夹（{os_reason(exc)}）", self.outdir) from None
        with folder_lock(self.outdir, lambda reason: self.log("LOCK", str(self.outdir), f"接管过期的锁：{reason}")):
            return self._locked_run(paths)

    def _locked_run(self, paths: list[Path]) -> JobResult:
        self.listing = _remove_temp_files(self.outdir, _listing(self.outdir))
        dropped: list[str] = []
        old = Manifest.load(self.outdir, dropped)
        manifest_path = str(self.outdir / MANIFEST_NAME)
        if old is None and MANIFEST_NAME in self.listing:
            self.log("WARN", manifest_path, "清单无法读取，全部重新转换")
        for why in dropped:
            self.log("WARN", manifest_path, why)
        manifest = Manifest(self.settings)
        previous = old.entries if old else {}
        self.fresh = old is not None and old.settings == self.settings
        keys = input_keys(paths)
        result = JobResult(self.outdir)
        for key in sorted(set(previous) - set(keys)):
            result.outcomes.append(self._remove(key, previous[key]))
        kept = {k: e.name for k, e in previous.items() if k in keys}
        names = assign_names({k: p.stem for k, p in keys.items()}, kept)
        plans = {key: self._plan(path, names[key], previous.get(key)) for key, path in keys.items()}
        with closing(self._conversions(keys, plans)) as converted:
            for key, plan in plans.items():  # in input order, each as soon as its conversion is done
                done = isinstance(plan, Entry)
                outcome = self._finish(keys[key], next(converted), previous.get(key)) if done else plan()
                manifest.entries[key] = outcome.entry
                result.outcomes.append(outcome)
        if self.crashed:  # a worker that was killed (and its pool with it) left a file half-written
            _remove_temp_files(self.outdir, _listing(self.outdir))
        self._reconcile(manifest)
        self.dirty = self.dirty or bool(dropped) or old is None or old.settings != self.settings
        self.dirty = self.dirty or set(previous) != set(keys)
        if self.changed or ALL_NAME not in self.listing:
            self._write_all(manifest)
            result.all_written = True
        if self.dirty:
            manifest.save(self.outdir)
        return result

    def _reconcile(self, manifest: Manifest) -> None:
        """Delete the CSVs gkxl wrote that no input needs any more (left by a killed run, or by a manifest that
        was lost or damaged): every run leaves the folder as the manifest describes it."""
        needed = {name for e in manifest.entries.values() for name in e.outputs}
        extra = sorted(n for n in self.listing - needed - {ALL_NAME} if n.endswith(".csv"))
        if not extra:
            return
        from gkxl.csv.convert import is_gkxl_output

        for name in extra:
            if (self.outdir / name).exists() and is_gkxl_output(self.outdir / name):
                self._delete([name])
                self.changed = True
                self.log(REMOVED, str(self.outdir / name), "不属于本次任何输入（上次运行中断或清单丢失时留下），已删除")

    def _remove(self, key: str, entry: Entry) -> Outcome:
        self._delete(entry.outputs)
        self.changed = True
        self.log(REMOVED, key, f"不在本次输入中，已删除 {'、'.join(entry.outputs) or '（无输出）'}")
        return Outcome(REMOVED, key, entry)

    def _delete(self, names: list[str]) -> None:
        for name in names:
            (self.outdir / name).unlink(missing_ok=True)
            self.listing.discard(name)

    def _plan(self, path: Path, name: str, old: Entry | None) -> Plan:
        """Decide by stat and hash whether `path` needs converting; its log line waits for its turn."""
        try:
            st = path.stat()
            usable = old is not None and self.fresh and old.gkxl == __version__
            if usable and same_stat(old, st) and outputs_present(old, self.listing):
                return partial(self._unchanged, path, old)
            sha = file_sha256(path)  # a pipe, a device or a huge file is refused before a byte is read
        except GkxlError as exc:
            return partial(self._failed, path, Entry(name, -1, 0, ""), old, exc.message)
        except OSError as exc:
            return partial(self._failed, path, Entry(name, -1, 0, ""), old, f"无法读取文件（{os_reason(exc)}）")
        entry = Entry(name, st.st_size, st.st_mtime_ns, sha)
        if usable and old.sha256 == sha and outputs_present(old, self.listing):
            self.dirty = True  # touched, not changed: remember the new mtime, keep the CSV
            touched = Entry(**{**old.__dict__, "size": entry.size, "mtime_ns": entry.mtime_ns})
            return partial(self._unchanged, path, touched)
        return entry

    def _conversions(self, keys: dict[str, Path], plans: dict[str, Plan]) -> Iterator[Converted]:
        """Convert the inputs that need it, in worker processes when there are many (or --jobs says so)."""
        todo = [(keys[key], plan) for key, plan in plans.items() if isinstance(plan, Entry)]
        if not todo:
            return (c for c in ())  # an unchanged re-run: nothing to convert, so none of the reading code is loaded
        from gkxl.csv.convert import convert_job, worker_died

        workers = default_workers(len(todo)) if self.jobs is None else self.jobs
        return map_ordered(partial(convert_job, outdir=self.outdir, **self.settings), todo, workers, worker_died)

    def _unchanged(self, path: Path, entry: Entry) -> Outcome:
        note = {"ok": "", "errors": f"，上次：{entry.reason}", "failed": f"，上次无法读取：{entry.reason}"}
        self.log(UNCHANGED, str(path), f"未变化{note[entry.status]}")
        return Outcome(UNCHANGED, str(path), entry)

    def _failed(self, path: Path, entry: Entry, old: Entry | None, reason: str) -> Outcome:
        # A file that cannot be read has no rows: its previous CSV no longer matches it.
        self._delete(old.outputs if old else [])
        self.changed = self.dirty = True
        entry.status, entry.reason, entry.outputs = "failed", reason, []
        self.log(FAILED, str(path), reason)
        return Outcome(FAILED, str(path), entry)

    def _finish(self, path: Path, converted: Converted, old: Entry | None) -> Outcome:
        """Log a conversion done by a worker, and delete what it made stale or left behind."""
        from gkxl.csv.convert import possible_outputs

        entry = converted.entry
        if converted.error is not None:
            return self._failed(path, entry, old, converted.error)
        if converted.crash is not None:
            self.crashed = True
            self._delete(possible_outputs(entry.name))  # what was written before the failure
            # Not the input's fault (a full disk, a bug): forget its signature so the next run tries again.
            entry.size, entry.mtime_ns, entry.sha256 = -1, 0, ""
            return self._failed(path, entry, old, f"转换失败（{converted.crash}）")
        self._delete([n for n in (old.outputs if old else []) if n not in entry.outputs])
        self.listing.update(entry.outputs)
        self.changed = self.dirty = True
        word = OK if entry.status == "ok" else ERRORS
        where = f"{entry.unit or '（单位未填）'} {entry.year or '？'}年 表式{entry.form}"
        self.log(word, str(path), f"→ {entry.outputs[0]}，{where}，{entry.rows} 行{converted.note}")
        return Outcome(word, str(path), entry)

    def _write_all(self, manifest: Manifest) -> None:
        """all.csv, streamed file by file; a workbook given twice under different names (the same bytes) is
        in it once, with a warning."""
        from gkxl.csv.export import COLUMNS
        from gkxl.csv.files import concat_csv

        sources, seen = [], {}
        for key, e in sorted(manifest.entries.items()):
            if not e.outputs:
                continue
            if e.sha256 in seen:
                why = f"与 {seen[e.sha256]} 内容完全相同（同一份报告重复提交），{ALL_NAME} 中只保留一份"
                self.log("WARN", key, why)
                continue
            seen[e.sha256] = key
            sources.append(self.outdir / e.outputs[0])
        try:
            concat_csv(self.outdir / ALL_NAME, COLUMNS, sources, self.settings["bom"])
        except OSError as exc:
            raise GkxlError(f"无法写入 {ALL_NAME}（{os_reason(exc)}）", self.outdir) from None
        self.listing.add(ALL_NAME)


def _listing(outdir: Path) -> set[str]:
    """The names in the output folder, listed once per run."""
    import os

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


def input_keys(paths: list[Path]) -> dict[str, Path]:
    """Each input by its key in the manifest: its absolute path, its folder resolved once (not one resolve,
    i.e. a stat per path component, for each of thousands of files)."""
    import os

    folders: dict[str, str] = {}
    out = {}
    for path in paths:
        parent, name = os.path.split(os.fspath(path))
        if parent not in folders:
            folders[parent] = os.path.realpath(parent or ".")
        out[os.path.join(folders[parent], name)] = path
    return out


def run_csv(
    paths: list[Path],
    outdir: Path,
    bom: bool = True,
    wide: bool = False,
    log: Log | None = None,
    jobs: int | None = None,
) -> JobResult:
    return CsvJob(outdir, bom, wide, log or (lambda *a: None), jobs).run(paths)
