"""Write a file under its final name only once it is complete."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from gkxl.errors import OutputError, os_reason

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (merge's path: no pathlib either)
if TYPE_CHECKING:
    from pathlib import Path


@contextmanager
def atomic_path(target: str | Path, clean: bool = True) -> Iterator[Path]:
    """Yield a temporary path beside `target`; rename it over `target` when the block succeeds. With `clean`,
    first delete the stale temporary files of `target` a killed run left (a job writing thousands of files
    into one folder cleans once instead). The temporary path is text when `target` is, else a Path."""
    _check_replaceable(target)
    try:
        os.makedirs(folder_of(target), exist_ok=True)
        if clean:
            remove_stale_temps(target)
        tmp_path = _new_temp(target)
    except OSError as exc:
        raise OutputError(f"无法写入（{os_reason(exc)}）", target) from None
    if not isinstance(target, str):
        from pathlib import Path

        tmp_path = Path(tmp_path)
    try:
        yield tmp_path
        os.replace(tmp_path, target)
    except OSError as exc:
        _close_abandoned(exc)
        raise
    except Exception as exc:
        if not (type(exc).__name__ == "SerialisationError" and str(exc).startswith("IO_")):
            raise
        _close_abandoned(exc)  # lxml's own wording of a failed write (IO_ENOSPC, IO_EFBIG): the disk, not a bug
        raise OutputError(f"无法写入（{_LXML_IO.get(str(exc), '写入失败')}）", target) from None
    finally:
        if os.path.lexists(tmp_path):
            os.unlink(tmp_path)


_LXML_IO = {"IO_ENOSPC": "磁盘空间不足", "IO_EFBIG": "文件超出大小限制", "IO_EDQUOT": "磁盘配额已用完"}


def _close_abandoned(exc: Exception) -> None:
    """Close now, quietly, what the failed write left open: openpyxl's ZipFile on a full disk would otherwise
    fail to close again when collected, after the message, as an "Exception ignored … ZipFile.__del__"."""
    import gc
    import sys
    import traceback

    hook = sys.unraisablehook
    sys.unraisablehook = lambda u: None if isinstance(u.exc_value, OSError) else hook(u)
    try:
        traceback.clear_frames(exc.__traceback__)
        gc.collect()
    finally:
        sys.unraisablehook = hook


STALE_TEMP_S = 3600  # a temporary file untouched this long belongs to a run that was killed


def _check_replaceable(target: str | Path) -> None:
    """An existing folder is not an output; a read-only file (by its mode, whatever the caller's rights: root,
    or anyone who may write the folder, could rename over it) is not replaced."""
    import stat

    try:
        mode = os.stat(target).st_mode
    except OSError:
        return  # not there (yet): the write itself will say what is wrong
    if stat.S_ISDIR(mode):
        raise OutputError("输出位置是一个已有的文件夹，请给出文件名", target)
    if not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH):
        raise OutputError("已有同名文件且设为只读，不覆盖（如需更新，请先取消只读属性）", target)


def folder_of(target: str | Path) -> str:
    """The folder of `target`, as Path(target).parent names it ('.' for a bare name): text or Path alike."""
    return os.path.dirname(os.fspath(target)) or "."


def _name(target: str | Path) -> str:
    return os.path.basename(os.fspath(target))


def remove_stale_temps(target: str | Path) -> None:
    """Delete the temporary files of `target` (named as `_new_temp` names them) that a killed run left."""
    pattern = re.compile(rf"\.{re.escape(_name(target))}\.[0-9a-f]{{8}}\.tmp")
    try:
        entries = list(os.scandir(folder_of(target)))
    except OSError:
        return
    now = time.time()
    for entry in entries:
        if pattern.fullmatch(entry.name):
            try:
                if now - entry.stat(follow_symlinks=False).st_mtime > STALE_TEMP_S:
                    os.unlink(entry.path)
            except OSError:
                pass  # gone already, or not ours to delete


def _new_temp(target: str | Path) -> str:
    """A new empty file beside `target`. Unlike mkstemp's (0600) it gets the permissions of any new file
    (umask), so outputs in a shared folder stay readable by others."""
    folder, name = os.path.split(os.fspath(target))
    while True:
        tmp = os.path.join(folder, f".{name}.{os.urandom(4).hex()}.tmp")
        try:
            os.close(os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666))
            return tmp
        except FileExistsError:
            continue


def write_atomic(target: str | Path, write: Callable[[Path], None]) -> None:
    with atomic_path(target) as tmp:
        write(tmp)
