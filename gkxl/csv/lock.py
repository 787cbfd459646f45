"""A lock file in the output folder, so two scheduled runs never write the same folder at once.

The lock is created with O_CREAT|O_EXCL (atomic on local disks and SMB/NFS shares) and holds one line:
`<pid> <host> <boot id> <process start time>` (the last two '-' where the system does not tell them). It is
taken over when its owner is certainly gone:
- on this host: the pid does not exist, or the system has been restarted since (another boot id), or the pid
  now belongs to another process (another start time: pids are reused, PID 1 after every reboot);
- from another host (a shared folder): after FOREIGN_LOCK_S (12 hours; a nightly run takes minutes), as its
  process cannot be checked from here;
- unreadable (no pid, or not a pid): after UNREADABLE_GRACE_S, as it may be one being written right now.
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
FOREIGN_LOCK_S = 12 * 3600  # a lock of another host's run is respected this long
MAX_PID = 1 << 22  # Linux's pid_max limit (4194304); a larger "pid" is not one


class LockHeld(GkxlError):
    """Another run holds the output folder."""


def pid_alive(pid: int) -> bool:
    if not 0 < pid <= MAX_PID:
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


def boot_id() -> str:
    """This boot of the system (Linux), or '-' where it cannot be told."""
    try:
        with open("/proc/sys/kernel/random/boot_id", encoding="ascii") as fh:
            return fh.read().strip() or "-"
    except OSError:
        return "-"


def start_time(pid: int) -> str:
    """When process `pid` started, in clock ticks since boot (Linux), or '-' where it cannot be told."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as fh:
            fields = fh.read().rpartition(")")[2].split()  # the name before ')' may hold spaces
        return fields[19]  # field 22 of proc(5), counted after the name
    except (OSError, IndexError):
        return "-"


class Owner:
    """What a lock file says about the run holding it."""

    def __init__(self, text: str):
        parts = text.split()
        self.pid = int(parts[0]) if parts and parts[0].isdigit() and len(parts[0]) <= 12 else None
        self.host = parts[1] if len(parts) > 1 else ""
        self.boot = parts[2] if len(parts) > 2 else "-"
        self.started = parts[3] if len(parts) > 3 else "-"

    def stale_reason(self, age: float) -> str | None:
        """Why the lock's owner is certainly gone, or None when it may still be running."""
        if self.pid is None:
            return f"锁文件内容无法识别且已存在 {int(age)} 秒" if age > UNREADABLE_GRACE_S else None
        if self.host and self.host != socket.gethostname():
            hours = FOREIGN_LOCK_S // 3600
            return f"另一台计算机（{self.host}）的锁已超过 {hours} 小时" if age > FOREIGN_LOCK_S else None
        if not pid_alive(self.pid):
            return f"进程 {self.pid} 已不存在"
        if self.boot != "-" and self.boot != boot_id():
            return f"系统已重启，进程号 {self.pid} 已属于其他进程"
        if self.started != "-" and self.started != start_time(self.pid):
            return f"进程号 {self.pid} 已被其他进程重用"
        return None


def _owner(path: Path) -> Owner:
    try:
        return Owner(path.read_text(encoding="utf-8", errors="replace")[:500])
    except OSError:
        return Owner("")


def _stale_reason(path: Path) -> str | None:
    """Why the existing lock may be taken over, or None when its owner may still be running."""
    try:
        age = time.time() - path.stat().st_mtime
    except FileNotFoundError:
        return "锁文件已消失"
    return _owner(path).stale_reason(age)


def _create(path: Path) -> bool:
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
    except FileExistsError:
        return False
    pid = os.getpid()
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(f"{pid} {socket.gethostname()} {boot_id()} {start_time(pid)}\n")
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
            owner = _owner(path)
            pid, host = owner.pid, owner.host
            who = f"进程 {pid}" + (f"（{host}）" if host else "") if pid else "另一进程"
            raise LockHeld(f"另一个 gkxl csv 正在写这个输出文件夹（{who}），本次未运行；锁文件：{path}")
        _take_over(path, on_takeover)
    try:
        yield path
    finally:
        path.unlink(missing_ok=True)
