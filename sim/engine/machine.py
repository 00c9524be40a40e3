"""A machine of a station as one SimPy process: take jobs, set up, process, fail, scrap, pass on.

The hot path costs one timeout event per cycle: taking from a stocked buffer and putting
into a buffer with room need no event. Failures need no interrupts either: with an
operating-time basis the machine knows how much processing is left before its next
failure, so a job in process is split at the failure and resumes after repair
(preemptive-resume); with a calendar basis failures that fall while the machine waits are
settled when it next acts.
"""

from __future__ import annotations

import math
from collections.abc import Generator
from typing import TYPE_CHECKING, Any

from sim.engine.monitor import BLOCKED, BUSY, DOWN, IDLE, SETUP, MachineClock

if TYPE_CHECKING:
    import simpy

    from sim.engine.station import StationRun

__all__ = ["Machine"]


class Machine:
    """One of a station's identical parallel machines."""

    __slots__ = ("clock", "cycles_to_setup", "env", "next_failure", "station", "up_left")

    def __init__(self, env: simpy.Environment, station: StationRun) -> None:
        self.env = env
        self.station = station
        self.clock = MachineClock(station.state_time, env.now)
        failures = station.failures
        self.up_left = failures.time_to_failure() if failures else math.inf
        """Operating time left before the next failure [time unit] (operating basis)."""
        self.next_failure = env.now + self.up_left
        """Calendar time of the next failure [time unit] (calendar basis)."""
        self.cycles_to_setup = station.setup_every

    def run(self) -> Generator[simpy.Event, Any, None]:
        """The SimPy process body: the lean loop where the station allows it."""
        station = self.station
        if station.batch_max == 1 and station.failures is None and not station.setup_every:
            return self._run_single()
        return self._run_general()

    def _run_single(self) -> Generator[simpy.Event, Any, None]:
        """One job at a time, no failures, no setups: the hot path of most lines."""
        env = self.env
        station = self.station
        clock = self.clock
        switch = clock.switch
        take_one = station.inbuf.take_one
        getters = station.inbuf.getters
        put = station.out.put
        putters = getattr(station.out, "putters", None)
        process_time = station.process_time
        scrap = station.scrap
        uniform = station.uniform
        leave = station.monitor.leave
        timeout = env.timeout
        event = env.event
        while True:
            job = take_one()
            if job is None:
                switch(IDLE, env.now)
                waiting = event()
                getters.append((waiting, 1, 1))
                job = (yield waiting)[0]
                switch(BUSY, env.now)
            elif clock.state != BUSY:
                switch(BUSY, env.now)
            yield timeout(process_time())
            station.cycles += 1
            if scrap and uniform() < scrap:
                station.scrapped += 1
                leave(job, False)
            elif not put(job):
                switch(BLOCKED, env.now)
                waiting = event()
                putters.append((waiting, job))  # type: ignore[union-attr]
                yield waiting

    def _run_general(self) -> Generator[simpy.Event, Any, None]:
        """Batches, setups and failures."""
        env = self.env
        station = self.station
        clock = self.clock
        inbuf = station.inbuf
        out = station.out
        low, high = station.batch_min, station.batch_max
        process_time = station.process_time
        scrap = station.scrap
        uniform = station.uniform
        leave = station.monitor.leave
        failures = station.failures
        calendar = failures is not None and failures.calendar
        while True:
            jobs = inbuf.take(low, high)
            if jobs is None:
                clock.switch(IDLE, env.now)
                event = env.event()
                inbuf.getters.append((event, low, high))
                jobs = yield event
            if calendar:
                yield from self._settle(env.now)
            if station.setup_every:
                self.cycles_to_setup -= 1
                if self.cycles_to_setup < 0:
                    self.cycles_to_setup = station.setup_every - 1
                    station.setups += 1
                    yield from self._work(station.setup_time(), SETUP)
            duration = process_time()
            if failures is None or (not calendar and duration <= self.up_left):
                # No failure can fall inside this job: one timeout, no sub-generator.
                if clock.state != BUSY:
                    clock.switch(BUSY, env.now)
                if failures is not None:
                    self.up_left -= duration
                yield env.timeout(duration)
            else:
                yield from self._work(duration, BUSY)
            station.cycles += 1
            station.batch_jobs += len(jobs)
            for job in jobs:
                if scrap and uniform() < scrap:
                    station.scrapped += 1
                    leave(job, False)
                elif not out.put(job):
                    clock.switch(BLOCKED, env.now)
                    event = env.event()
                    out.putters.append((event, job))  # type: ignore[union-attr]
                    yield event
                    if calendar:
                        yield from self._settle(env.now)

    def _work(self, duration: float, state: int) -> Generator[simpy.Event, Any, None]:
        """Spend ``duration`` [time unit] in ``state``, broken by failures and repairs."""
        env = self.env
        clock = self.clock
        clock.switch(state, env.now)
        failures = self.station.failures
        if failures is None:
            yield env.timeout(duration)
            return
        if failures.calendar:
            while env.now + duration > self.next_failure:
                run = self.next_failure - env.now
                if run > 0:
                    yield env.timeout(run)
                duration -= run
                yield from self._repair()
                self.next_failure = env.now + failures.time_to_failure()
                clock.switch(state, env.now)
        elif state == BUSY:
            while duration > self.up_left:
                if self.up_left > 0:
                    yield env.timeout(self.up_left)
                duration -= self.up_left
                yield from self._repair()
                self.up_left = failures.time_to_failure()
                clock.switch(state, env.now)
            self.up_left -= duration
        yield env.timeout(duration)

    def _repair(self) -> Generator[simpy.Event, Any, None]:
        self.clock.switch(DOWN, self.env.now)
        self.station.repairs += 1
        yield self.env.timeout(self.station.failures.time_to_repair())  # type: ignore[union-attr]

    def settle_waiting(self, now: float) -> float:
        """Move calendar failures that fell while waiting from the waiting state to down.

        Returns the repair time still to run at ``now`` [time unit] (0 when up).
        """
        clock = self.clock
        failures = self.station.failures
        assert failures is not None
        remaining = 0.0
        while self.next_failure <= now:
            start = self.next_failure
            end = start + failures.time_to_repair()
            self.station.repairs += 1
            overlap = max(0.0, min(end, now) - max(start, clock.since))
            clock.totals[DOWN] += overlap
            clock.totals[clock.state] -= overlap
            if end > now:
                remaining = end - now
                self.next_failure = end + failures.time_to_failure()
                break
            self.next_failure = end + failures.time_to_failure()
        return remaining

    def _settle(self, now: float) -> Generator[simpy.Event, Any, None]:
        remaining = self.settle_waiting(now)
        if remaining > 0:
            self.clock.switch(DOWN, now)
            yield self.env.timeout(remaining)


