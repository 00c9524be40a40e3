"""Stopping a worker pool after Ctrl-C: the workers are asked to stop (SIGUSR1) and leave
by themselves, never killed while they write a result into the pool's pipe.

A worker killed halfway through sending a result leaves half a message in the pipe, and
Python 3.11's pool manager thread waits for the rest forever: ``linesim run --jobs 2``
interrupted at that moment never exited (seen once in CI, a 90-minute hang). These tests
interrupt exactly when results are in flight and when workers are deep in a task."""

from __future__ import annotations

import multiprocessing.process
import os
import signal
import sys
import time

import pytest

from sim.experiment.executors import Interrupted, LocalExecutor

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")

PAYLOAD = 64 * 2**20
"""Bytes of a large result: several pipe writes long, so a kill lands mid-message [B]."""


def large(index: int) -> bytes:
    """A task whose result takes a while to cross the pipe."""
    return bytes([index % 256]) * PAYLOAD


def spin(seconds: float) -> float:
    """A task that keeps its worker busy in Python for ``seconds`` [s]."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        pass
    return seconds


def interrupt_self(_index: int) -> None:
    """A progress callback that interrupts this process at its first call, as Ctrl-C does."""
    os.kill(os.getpid(), signal.SIGINT)


@pytest.fixture
def kills(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Record every kill of a worker process (none is expected)."""
    seen: list[int] = []
    original = multiprocessing.process.BaseProcess.kill

    def kill(process: multiprocessing.process.BaseProcess) -> None:
        seen.append(process.pid or 0)
        original(process)

    monkeypatch.setattr(multiprocessing.process.BaseProcess, "kill", kill)
    return seen


@pytest.mark.parametrize("round_", range(3))
def test_an_interrupt_while_results_cross_the_pipe_ends_the_pool(
    kills: list[int], round_: int
) -> None:
    """Interrupted at the first result while the other worker sends its own: map raises
    Interrupted with the finished results, and no worker is killed."""
    with pytest.raises(Interrupted) as caught:
        LocalExecutor(2).map(large, list(range(8)), on_done=interrupt_self)
    finished = caught.value.finished
    assert finished, "the first result is kept"
    assert all(result == large(index) for index, result in finished.items())
    assert kills == []


def test_workers_deep_in_a_task_stop_when_asked(kills: list[int]) -> None:
    """Workers each ten minutes into a task stop at the request; only the finished
    task comes back and no worker is killed (a kill would come after the grace period
    of STOP_GRACE seconds)."""
    tasks = [0.0, 600.0, 600.0, 600.0, 600.0]
    with pytest.raises(Interrupted) as caught:
        LocalExecutor(2).map(spin, tasks, on_done=interrupt_self)
    assert caught.value.finished == {0: 0.0}
    assert kills == []


def test_a_pool_kept_open_stops_and_the_next_map_starts_a_new_one(kills: list[int]) -> None:
    """Inside ``with``, an interrupted map stops its pool; the executor runs the next map
    on fresh workers."""
    with LocalExecutor(2) as executor:
        with pytest.raises(Interrupted):
            executor.map(spin, [0.0, 600.0, 600.0], on_done=interrupt_self)
        assert executor.map(spin, [0.0, 0.0, 0.0]) == [0.0, 0.0, 0.0]
    assert kills == []
