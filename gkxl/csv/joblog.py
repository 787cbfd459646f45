"""Log lines of a scheduled job: one per file, plain text, timestamped, greppable by a status word.

2025-01-31T02:00:03+08:00 OK 乡镇/城关镇.xlsx：→ 城关镇.csv，城关镇人民政府 2024年 表式2021，200 行
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TextIO

Sink = Callable[[str], None]


def log_line(word: str, subject: str, reason: str = "", now: dt.datetime | None = None) -> str:
    stamp = (now or dt.datetime.now()).astimezone().isoformat(timespec="seconds")
    text = f"{stamp} {word} {subject}"
    return f"{text}：{reason}" if reason else text


class JobLog:
    """Writes each line to every sink (the console, an appended log file) as soon as it happens."""

    def __init__(self, *streams: TextIO):
        self.streams = streams

    def __call__(self, word: str, subject: str, reason: str = "") -> None:
        line = log_line(word, subject, " ".join(reason.split()))
        for stream in self.streams:
            stream.write(line + "\n")
            stream.flush()
