"""Log lines of a scheduled job: one per file, plain text, timestamped, greppable by a status word.

2025-01-31T02:00:03+08:00 OK 乡镇/城关镇.xlsx：→ 城关镇.csv，城关镇人民政府 2024年 表式2021，200 行
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from time import monotonic as _monotonic
from typing import TextIO

Sink = Callable[[str], None]


def log_line(word: str, subject: str, reason: str = "", now: dt.datetime | None = None) -> str:
    stamp = now.astimezone().isoformat(timespec="seconds") if now else _stamp()
    text = f"{stamp} {word} {subject}"
    return f"{text}：{reason}" if reason else text


_last: list = [None, ""]  # (second, its timestamp): thousands of lines a second share one


def _stamp() -> str:
    import time

    second = int(time.time())
    if _last[0] != second:
        _last[:] = [second, dt.datetime.fromtimestamp(second).astimezone().isoformat(timespec="seconds")]
    return _last[1]


FILE_WORDS = frozenset(("OK", "ERRORS", "FAILED", "UNCHANGED", "REMOVED"))  # the lines of one file each
FLUSH_S = 0.1  # per-file lines are written at most this late (thousands of unchanged files: a few writes)


class JobLog:
    """Writes each line to every sink (the console, an appended log file) as it happens: per-file lines in
    batches at most FLUSH_S late (one write per batch rather than per line), any other line at once. A sink
    that fails (a log file on a full disk) is said once, by name, on the first one, and dropped: the job goes
    on."""

    def __init__(self, *streams: TextIO):
        self.streams = list(streams)
        self.failed: list[str] = []  # what was said about sinks that failed
        self.pending: list[str] = []
        self.since = 0.0  # when the oldest pending line was logged

    def __call__(self, word: str, subject: str, reason: str = "") -> None:
        from gkxl.errors import printable

        line = log_line(word, printable(subject), " ".join(printable(reason).split()))
        now = _monotonic()
        if not self.pending:
            self.since = now
        self.pending.append(line + "\n")
        if word not in FILE_WORDS or now - self.since >= FLUSH_S:
            self.flush()

    def flush(self) -> None:
        text, self.pending = "".join(self.pending), []
        if not text:
            return
        for stream in list(self.streams):
            try:
                stream.write(text)
                stream.flush()
            except OSError as exc:
                self.drop(stream, exc)

    def drop(self, stream: TextIO, exc: OSError) -> None:
        from gkxl.errors import os_reason

        self.streams.remove(stream)
        said = f"无法写日志文件 {getattr(stream, 'name', '')}（{os_reason(exc)}），此后的日志只写到标准错误输出"
        self.failed.append(said)
        if self.streams:
            self.streams[0].write(f"错误：{said}\n")
            self.streams[0].flush()

    def close(self) -> None:
        """Write what is pending; close the sinks after the first (the console), saying which one failed."""
        self.flush()
        for stream in self.streams[1:]:
            try:
                stream.close()
            except OSError as exc:
                self.drop(stream, exc)
