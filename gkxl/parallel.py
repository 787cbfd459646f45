"""Run a function over many inputs on every core, results in input order (`gkxl merge`, `gkxl csv`).

Inputs go to worker processes in chunks (few round trips); results come back in input order as soon as the
chunks before them are done, so a caller can log or save as it goes. Workers ignore Ctrl+C: on an interrupt
the parent drops the chunks not yet started and waits for the running ones, so no worker is cut off in the
middle of writing a file.

A batch too small to pay for a pool (importing and starting one costs more than ten workbooks take) is shared,
on Linux, with forked copies of the process itself, one slice each: a fork costs about a millisecond.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (~2.5 ms on a small merge's path)
if TYPE_CHECKING:
    from typing import TypeVar

    T = TypeVar("T")
    R = TypeVar("R")

PARALLEL_MIN = 48  # below this many inputs, starting a pool of worker processes costs more than it saves
FORK_MIN = 6  # from this many, a smaller batch is shared with forked children (where the system can fork)
CHUNK = 24  # at most this many inputs per task: few enough round trips, and results that still stream


def cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def default_workers(n_inputs: int) -> int:
    if n_inputs >= PARALLEL_MIN or (n_inputs >= FORK_MIN and can_fork()):
        return max(1, cores())
    return 1


def can_fork() -> bool:
    """Whether a small batch may be shared with forked children: a system where forking is Python's own default
    for worker processes (not Windows, which cannot, nor macOS, whose system libraries may not survive it), and
    no other thread running (a caller's thread could hold a lock the child would wait for)."""
    import sys

    if not hasattr(os, "fork") or sys.platform == "darwin":
        return False
    threading = sys.modules.get("threading")
    return threading is None or threading.active_count() == 1


def map_ordered(
    func: Callable[[T], R],
    items: Sequence[T],
    workers: int,
    on_error: Callable[[T, Exception], R] | None = None,
) -> Iterator[R]:
    """`func(item)` for every item, in order; in `workers` processes when > 1 (`func` must then pickle:
    a module-level function or a functools.partial of one). `on_error(item, exc)` stands in for the items of
    a chunk whose worker failed (e.g. was killed: the pool is then broken, so every chunk not yet done
    fails too, and all workers have stopped by the time it is called); without it, the failure is raised."""
    if workers <= 1 or len(items) <= 1:
        yield from map(func, items)
        return
    if len(items) < PARALLEL_MIN and can_fork():
        yield from _forked(func, items, workers, on_error)
        return
    pool_class = globals().get("ProcessPoolExecutor") or __getattr__("ProcessPoolExecutor")
    size = max(1, min(CHUNK, len(items) // (workers * 4)))  # small enough that every worker gets a share
    chunks = [items[i : i + size] for i in range(0, len(items), size)]
    pool = pool_class(max_workers=min(workers, len(chunks)), initializer=_ignore_interrupt)
    try:
        futures = [pool.submit(_run_chunk, func, chunk) for chunk in chunks]
        failure: Exception | None = None
        for i, chunk in enumerate(chunks):
            future, futures[i] = futures[i], None  # a chunk's results are dropped once handed on: flat memory
            try:
                results = future.result()
            except Exception as exc:
                if on_error is None:
                    raise
                if failure is None:  # stop every worker first: none may still write while the caller cleans up
                    failure = exc
                    pool.shutdown(wait=True, cancel_futures=True)
                results = [on_error(item, failure) for item in chunk]
            yield from results
    finally:  # done, interrupted or abandoned: cancel what has not started, let the running chunks finish
        pool.shutdown(wait=True, cancel_futures=True)


def __getattr__(name: str):
    if name == "ProcessPoolExecutor":  # imported on first use: the one-process path never pays its ~15 ms
        from concurrent.futures import ProcessPoolExecutor

        return ProcessPoolExecutor
    raise AttributeError(f"module 'gkxl.parallel' has no attribute {name!r}")


def _run_chunk(func: Callable[[T], R], chunk: Sequence[T]) -> list[R]:
    return [func(item) for item in chunk]


def _ignore_interrupt() -> None:
    import signal  # in the worker only: a small merge runs without it

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides what an interrupt stops


def _forked(func: Callable[[T], R], items: Sequence[T], workers: int, on_error) -> Iterator[R]:
    """`map_ordered` for a small batch, in `workers` processes: this one and forked children, forked at once
    (each then loads what its first item needs, at the same time as the others, instead of one after the
    other). Each of `workers - 1` children does one slice, sending each result back, pickled, through a pipe
    as soon as it has it, while this process does the last slice (the larger one when they do not divide
    evenly). A child that dies (killed, out of memory) loses only the items it had not sent, as a pool's
    worker loses its chunk."""
    workers = min(workers, len(items))
    size = len(items) // workers
    slices = [items[i * size : (i + 1) * size] for i in range(workers - 1)]
    children: list[tuple[int, int] | None] = [_fork(func, part) for part in slices]
    try:
        mine = items[(workers - 1) * size :]
        own = [_attempt(func, item) for item in mine]  # failures raised in input order, below
        for i, part in enumerate(slices):
            yield from _results(children[i][1], part, on_error)
            _reap(children[i])
            children[i] = None
        yield from (_settle(item, ok, value, on_error) for item, (ok, value) in zip(mine, own, strict=True))
    finally:  # done, interrupted or abandoned: every child is waited for, none left running
        for child in children:
            if child is not None:
                _reap(child)


def _attempt(func: Callable[[T], R], item: T) -> tuple[bool, object]:
    """(True, func(item)) or (False, the exception it raised): a child's message, made here."""
    try:
        return True, func(item)
    except Exception as exc:
        return False, exc


def _settle(item: T, ok: bool, value: object, on_error) -> R:
    """The result of `item`: its value, or for a failure what `on_error(item, exc)` gives (raised without it)."""
    if ok:
        return value
    if on_error is None:
        raise value
    return on_error(item, value)


def _results(read: int, part: Sequence[T], on_error) -> Iterator[R]:
    """A child's results for `part`, in order; what it failed or, dead, did not send, as `on_error` says."""
    for k, item in enumerate(part):
        message = _receive(read)
        if message is None:  # the child died: the rest of its slice is lost
            failure = ChildProcessError("工作进程意外结束")
            if on_error is None:
                raise failure
            yield from (on_error(other, failure) for other in part[k:])
            return
        yield _settle(item, *message, on_error)


_LENGTH = 8  # bytes of the length that comes before each pickled message


def _fork(func: Callable[[T], R], part: Sequence[T]) -> tuple[int, int]:
    """(pid, read end of its pipe) of a child computing `func` over `part`, sending (True, result) or
    (False, exception) for each item."""
    read, write = os.pipe()
    pid = os.fork()
    if pid:
        os.close(write)
        return pid, read
    try:  # the child: never returns, never runs the parent's exit handlers or flushes its buffers
        os.close(read)
        _ignore_interrupt()
        import _pickle

        for item in part:
            message = _attempt(func, item)
            try:
                data = _pickle.dumps(message, 4)
            except Exception as exc:  # a result or an exception that does not pickle
                data = _pickle.dumps((False, ChildProcessError(f"{type(exc).__name__}: {exc}")), 4)
            view = memoryview(len(data).to_bytes(_LENGTH, "little") + data)
            while view:
                view = view[os.write(write, view) :]
    finally:
        os._exit(0)


def _receive(read: int) -> tuple[bool, object] | None:
    """The next message from a child, or None when it ended without sending a whole one."""
    head = _read_exactly(read, _LENGTH)
    data = _read_exactly(read, int.from_bytes(head, "little")) if head is not None else None
    if data is None:
        return None
    import _pickle

    try:
        return _pickle.loads(data)
    except Exception:
        return None


def _read_exactly(read: int, size: int) -> bytes | None:
    chunks, left = [], size
    while left:
        chunk = os.read(read, min(left, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _reap(child: tuple[int, int]) -> None:
    """Close the pipe and wait for the child (which, its pipe closed, cannot block on writing)."""
    pid, read = child
    os.close(read)
    os.waitpid(pid, 0)
