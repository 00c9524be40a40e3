"""Buffers between stations: finite or unlimited, with blocking and direct hand-off.

A job is its release time [time unit]. Machines that find too few jobs register a getter
event; machines that find the buffer full register a putter event holding their finished
job (blocking after service). Whoever changes the buffer serves the waiting side at once,
so no polling and no extra events are needed.
"""

from __future__ import annotations

import math
from collections import deque
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import simpy

    from sim.engine.monitor import LineMonitor

__all__ = ["Buffer", "Sink", "Source"]


class Buffer:
    """The input buffer of a station; ``capacity`` counts jobs waiting, not in process."""

    __slots__ = ("area", "capacity", "env", "getters", "jobs", "last", "name", "putters")

    def __init__(self, env: simpy.Environment, name: str, capacity: float = math.inf) -> None:
        self.env = env
        self.name = name
        self.capacity = capacity
        self.jobs: deque[float] = deque()
        self.getters: deque[tuple[simpy.Event, int, int]] = deque()
        self.putters: deque[tuple[simpy.Event, float]] = deque()
        self.area = 0.0
        self.last = 0.0

    def _mark(self) -> None:
        """Add the time-weighted level since the last change to ``area`` [jobs x time]."""
        now = self.env.now
        self.area += len(self.jobs) * (now - self.last)
        self.last = now

    def take(self, low: int, high: int) -> list[float] | None:
        """Take between ``low`` and ``high`` jobs, or ``None`` if fewer than ``low`` are there.

        Jobs held by blocked upstream machines count: they move in as room appears.
        """
        jobs = self.jobs
        putters = self.putters
        if len(jobs) + len(putters) < low or self.getters:
            return None
        self._mark()
        taken: list[float] = []
        while jobs and len(taken) < high:
            taken.append(jobs.popleft())
        while putters and len(taken) < high:
            event, job = putters.popleft()
            taken.append(job)
            event.succeed()
        if putters:
            self._admit()
        return taken

    def take_one(self) -> float | None:
        """Take the oldest job, or ``None`` if there is none (single-job consumers only)."""
        jobs = self.jobs
        if jobs:
            now = self.env.now
            self.area += len(jobs) * (now - self.last)
            self.last = now
            job = jobs.popleft()
            if self.putters:
                self._admit()
            return job
        if self.putters:
            event, job = self.putters.popleft()
            event.succeed()
            return job
        return None

    def _admit(self) -> None:
        """Move jobs of blocked upstream machines in while there is room."""
        putters = self.putters
        jobs = self.jobs
        while putters and len(jobs) < self.capacity:
            event, job = putters.popleft()
            jobs.append(job)
            event.succeed()

    def put(self, job: float) -> bool:
        """Add a finished job; ``False`` when there is no room (the caller blocks)."""
        getters = self.getters
        if getters:
            event, low, high = getters[0]
            if len(self.jobs) + 1 >= low:
                getters.popleft()
                self._mark()
                jobs = self.jobs
                taken = [jobs.popleft() for _ in range(min(len(jobs), high - 1))]
                taken.append(job)
                event.succeed(taken)
                return True
        jobs = self.jobs
        if len(jobs) < self.capacity:
            now = self.env.now
            self.area += len(jobs) * (now - self.last)
            self.last = now
            jobs.append(job)
            return True
        return False

    def level(self) -> int:
        """Jobs waiting now [-]."""
        return len(self.jobs)

    def measure_from_now(self) -> None:
        """Zero the level area (end of warm-up)."""
        self._mark()
        self.area = 0.0

    def close(self) -> None:
        """Bring the level area up to now (end of run)."""
        self._mark()


class Source:
    """Unlimited raw material in front of the first station (push with no interarrival)."""

    __slots__ = ("env", "getters", "monitor", "name", "putters")

    def __init__(self, env: simpy.Environment, monitor: LineMonitor) -> None:
        self.env = env
        self.monitor = monitor
        self.name = "source"
        self.getters: deque[tuple[simpy.Event, int, int]] = deque()
        self.putters: deque[tuple[simpy.Event, float]] = deque()

    def take_one(self) -> float:
        """Release one new job now."""
        now = self.env.now
        self.monitor.release(now)
        return now

    def take(self, low: int, high: int) -> list[float]:
        """Release ``high`` new jobs now."""
        now = self.env.now
        self.monitor.release(now, high)
        return [now] * high

    area = 0.0

    def level(self) -> int:
        return 0

    def measure_from_now(self) -> None:
        """Nothing to measure: raw material is unlimited."""

    def close(self) -> None:
        """Nothing to measure: raw material is unlimited."""


class Sink:
    """The end of the line: every job put here leaves as good output."""

    __slots__ = ("monitor",)

    def __init__(self, monitor: LineMonitor) -> None:
        self.monitor = monitor

    def put(self, job: float) -> bool:
        self.monitor.leave(job, good=True)
        return True
