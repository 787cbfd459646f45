"""A lock file in the output folder, so two scheduled runs never write the same folder at once.

The lock is created with O_CREAT|O_EXCL (atomic on local disks and SMB/NFS shares) and holds the owner's
pid and host. A lock left by a process that no longer exists on this host is taken over.
"""

from __future__ import annotations

import os
import socket
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from gkxl.errors import GkxlError

LOCK_NAME = ".gkxl-csv.lock"
UNREADABLE_GRACE_S = 60  # a lock without a pid may be one being written right now


class LockHeld(GkxlError):
    """Another run holds the output folder."""


def pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    if sys.platform == "win32":
        return _windows_pid_alive(pid)
    try:
        os.kill(pid, 0)  # signal 0: existence check only
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by someone else
    return True


def _windows_pid_alive(pid: int) -> bool:
    # os.kill(pid, 0) on Windows would send CTRL_C_EVENT, so ask the kernel instead.
    import ctypes

    kernel32 = ctypes.windll.kernel32
    handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
    if not handle:
        return False
    code = ctypes.c_ulong()
    kernel32.GetExitCodeProcess(handle, ctypes.byref(code))
    kernel32.CloseHandle(handle)
    return code.value == 259  # STILL_ACTIVE


def _owner(path: Path) -> tuple[int | None, str]:
    try:
        pid_text, _, host = path.read_text(encoding="utf-8").partition(" ")
        return int(pid_text), host.strip()
    except (OSError, ValueError):
        return None, ""


def _stale_reason(path: Path) -> str | None:
    """Why the existing lock may be taken over, or None when its owner may still be running."""
    pid, host = _owner(path)
    if pid is None:
        try:
            age = time.time() - path.stat().st_mtime
        except FileNotFoundError:
            return "锁文件已消失"
        return f"锁文件无进程号且已存在 {int(age)} 秒" if age > UNREADABLE_GRACE_S else None
    if host and host != socket.gethostname():
        return None  # another machine's process: cannot check, so respect it
    return None if pid_alive(pid) else f"进程 {pid} 已不存在"


def _create(path: Path) -> bool:
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
    except FileExistsError:
        return False
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(f"{os.getpid()} {socket.gethostname()}\n")
    return True


def _take_over(path: Path, on_takeover: Callable[[str], None]) -> None:
    """Replace a stale lock. Two runs that both found it stale must not both take it over (the second would
    delete the first one's fresh lock), so taking over is itself guarded by an O_EXCL file, and the lock is
    judged again while holding it."""
    guard = path.with_name(path.name + ".takeover")
    busy = LockHeld(f"另一个 gkxl csv 刚刚开始写这个输出文件夹，本次未运行；锁文件：{path}")
    if not _create(guard):
        try:
            if time.time() - guard.stat().st_mtime > UNREADABLE_GRACE_S:
                guard.unlink(missing_ok=True)  # left by a run that died while taking over
        except FileNotFoundError:
            pass
        raise busy
    try:
        reason = _stale_reason(path)
        if reason is None:
            raise busy
        on_takeover(reason)
        path.unlink(missing_ok=True)
        if not _create(path):
            raise busy
    finally:
        guard.unlink(missing_ok=True)


@contextmanager
def folder_lock(folder: Path, on_takeover: Callable[[str], None] = lambda reason: None) -> Iterator[Path]:
    """Hold the lock of `folder` for the block; raise LockHeld when another live run holds it."""
    path = folder / LOCK_NAME
    if not _create(path):
        reason = _stale_reason(path)
        if reason is None:
            pid, host = _owner(path)
            who = f"进程 {pid}" + (f"（{host}）" if host else "") if pid else "另一进程"
            raise LockHeld(f"另一个 gkxl csv 正在写这个输出文件夹（{who}），本次未运行；锁文件：{path}")
        _take_over(path, on_takeover)
    try:
        yield path
    finally:
        path.unlink(missing_ok=True)
