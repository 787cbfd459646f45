"""Write a file under its final name only once it is complete."""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from gkxl.errors import OutputError, os_reason


@contextmanager
def atomic_path(target: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside `target`; rename it over `target` when the block succeeds."""
    target = Path(target)
    if target.is_dir():
        raise OutputError("输出位置是一个已有的文件夹，请给出文件名", target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp_path = _new_temp(target)
    except OSError as exc:
        raise OutputError(f"无法写入（{os_reason(exc)}）", target) from None
    try:
        yield tmp_path
        os.replace(tmp_path, target)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


def _new_temp(target: Path) -> Path:
    """A new empty file beside `target`. Unlike mkstemp's (0600) it gets the permissions of any new file
    (umask), so outputs in a shared folder stay readable by others."""
    while True:
        tmp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
        try:
            os.close(os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666))
            return tmp
        except FileExistsError:
            continue


def write_atomic(target: str | Path, write: Callable[[Path], None]) -> None:
    with atomic_path(target) as tmp:
        write(tmp)
