"""A stand-in executor for interruption tests: runs tasks in this process, in order, and
reports Ctrl-C (``Interrupted`` with what finished) once a budget of tasks is spent."""

from __future__ import annotations

from typing import Any

from sim.experiment.executors import Interrupted

__all__ = ["StopAfter"]


class StopAfter:
    """Runs tasks in order over every ``map`` call and reports Ctrl-C after ``count`` of
    them in all."""

    workers = 1

    def __init__(self, count: int) -> None:
        self.count = count

    def map(self, function: Any, tasks: Any, on_done: Any = None, on_result: Any = None) -> Any:
        finished = {}
        for index, task in enumerate(tasks):
            if self.count == 0:
                raise Interrupted(finished)
            self.count -= 1
            finished[index] = function(task)
            if on_result:
                on_result(index, finished[index])
            if on_done:
                on_done(index)
        return [finished[i] for i in range(len(tasks))]

    def close(self) -> None:
        pass

    def __enter__(self) -> StopAfter:
        return self

    def __exit__(self, *args: Any) -> None:
        pass
