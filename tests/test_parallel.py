"""gkxl.parallel: a batch too small for a pool is shared with forked children, results in input order, a
failure standing in for exactly the items it cost, no child left running."""

from __future__ import annotations

import os
import threading

import pytest

import gkxl.parallel
from gkxl.parallel import FORK_MIN, PARALLEL_MIN, can_fork, default_workers, map_ordered

pytestmark = pytest.mark.skipif(not can_fork(), reason="this system cannot fork")


def square(n: int) -> tuple[int, int]:
    return n * n, os.getpid()


def odd_fails(n: int) -> int:
    if n % 2:
        raise ValueError(f"odd {n}")
    return n


def dies_at_3(n: int) -> int:
    if n == 3:
        os._exit(9)  # as the out-of-memory killer would
    return n


def test_a_small_batch_is_shared_with_forked_children_in_order():
    items = list(range(20))
    out = list(map_ordered(square, items, 3))
    assert [v for v, _ in out] == [n * n for n in items]
    pids = [pid for _, pid in out]
    here = os.getpid()
    assert set(pids[12:]) == {here}  # the last slice (the larger one): here
    assert len(set(pids[:6])) == len(set(pids[6:12])) == 1 and len(set(pids)) == 3  # two children of 6


def test_default_workers_fork_from_a_handful_of_inputs():
    assert default_workers(FORK_MIN - 1) == 1
    assert default_workers(FORK_MIN) == default_workers(PARALLEL_MIN) == max(1, gkxl.parallel.cores())


def test_a_failure_stands_in_for_its_own_items_only():
    out = list(map_ordered(odd_fails, list(range(10)), 2, on_error=lambda n, exc: f"{n}: {exc}"))
    assert out == [n if n % 2 == 0 else f"{n}: odd {n}" for n in range(10)]
    with pytest.raises(ValueError, match="odd 1"):
        list(map_ordered(odd_fails, list(range(10)), 2))


def test_a_dead_child_costs_what_it_had_not_sent():
    out = list(map_ordered(dies_at_3, list(range(10)), 2, on_error=lambda n, exc: type(exc).__name__))
    assert out == [0, 1, 2, "ChildProcessError", "ChildProcessError", 5, 6, 7, 8, 9]  # the child had 0..4
    with pytest.raises(ChildProcessError):
        list(map_ordered(dies_at_3, list(range(10)), 2))


def test_an_abandoned_batch_leaves_no_child_running():
    results = map_ordered(square, list(range(12)), 2)
    assert next(results)[0] == 0
    results.close()  # the caller stops early: the children are waited for
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)  # no child of this process is left, running or unreaped


def test_no_fork_while_another_thread_runs(monkeypatch):
    forked = []
    monkeypatch.setattr(gkxl.parallel, "_fork", lambda *a: forked.append(a))
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert not can_fork() and default_workers(FORK_MIN) == 1
        assert [v for v, _ in map_ordered(square, list(range(8)), 2)] == [n * n for n in range(8)]  # a pool
    finally:
        stop.set()
        thread.join()
    assert forked == []
