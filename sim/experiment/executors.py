"""Where replications run: in this process, or in local worker processes.

Every task carries its own seed, so results do not depend on the executor or on the
number of workers. An interrupt (Ctrl-C) stops the work and keeps what has finished.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import Generic, TypeVar

__all__ = ["Interrupted", "LocalExecutor", "default_jobs"]

T = TypeVar("T")
R = TypeVar("R")


def default_jobs() -> int:
    """Return the number of usable cores."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


class Interrupted(Exception, Generic[R]):
    """Work stopped by Ctrl-C; ``finished`` maps task index to the results that completed."""

    def __init__(self, finished: dict[int, R]) -> None:
        super().__init__(f"interrupted after {len(finished)} finished task(s)")
        self.finished = finished


class LocalExecutor:
    """Run tasks in this process (``jobs == 1``) or in a pool of ``jobs`` processes."""

    def __init__(self, jobs: int | None = None) -> None:
        self.jobs = max(1, jobs if jobs is not None else default_jobs())

    def map(self, function: Callable[[T], R], tasks: Sequence[T],
            on_done: Callable[[int], None] | None = None) -> list[R]:
        """Return ``[function(task) for task in tasks]`` in task order.

        ``on_done(index)`` is called as each task finishes. Raises :class:`Interrupted`
        holding the finished results on KeyboardInterrupt.
        """
        finished: dict[int, R] = {}
        workers = min(self.jobs, len(tasks))
        try:
            if workers <= 1:
                for index, task in enumerate(tasks):
                    finished[index] = function(task)
                    if on_done:
                        on_done(index)
            else:
                self._map_pool(function, tasks, workers, finished, on_done)
        except KeyboardInterrupt:
            raise Interrupted(finished) from None
        return [finished[index] for index in range(len(tasks))]

    @staticmethod
    def _map_pool(function: Callable[[T], R], tasks: Sequence[T], workers: int,
                  finished: dict[int, R], on_done: Callable[[int], None] | None) -> None:
        context = multiprocessing.get_context("forkserver")
        pool = ProcessPoolExecutor(max_workers=workers, mp_context=context)
        try:
            pending: dict[Future[R], int] = {
                pool.submit(function, task): index for index, task in enumerate(tasks)
            }
            while pending:
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    index = pending.pop(future)
                    finished[index] = future.result()
                    if on_done:
                        on_done(index)
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
