"""Observations of one replication: counts, flow times, WIP and machine states.

The monitor only counts; turning counts into KPIs is the analysis layer's job. Everything
is reset at the end of the warm-up so that the window [warmup, warmup + horizon] is measured.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import simpy

    from sim.engine.buffer import Buffer

__all__ = ["BLOCKED", "BUSY", "DOWN", "IDLE", "SETUP", "STATES", "LineMonitor", "MachineClock"]

BUSY, IDLE, BLOCKED, DOWN, SETUP = range(5)
STATES = ("busy", "idle", "blocked", "down", "setup")
"""Machine states in index order: processing, starved, holding a finished job, under
repair, changing over."""


class MachineClock:
    """The state of one machine and since when [time unit]; time is added to its station."""

    __slots__ = ("since", "state", "totals")

    def __init__(self, totals: list[float], now: float) -> None:
        self.totals = totals
        self.state = IDLE
        self.since = now

    def switch(self, state: int, now: float) -> None:
        """Close the current state at ``now`` and enter ``state``."""
        self.totals[self.state] += now - self.since
        self.state = state
        self.since = now


class LineMonitor:
    """Line-level counts: released, good out, scrapped, WIP area, flow times, exits per bin."""

    def __init__(self, env: simpy.Environment, bins: int, bin_width: float, start: float) -> None:
        self.env = env
        self.conwip_entry: Buffer | None = None
        """CONWIP: where a replacement job enters when one leaves; ``None`` for push."""
        self.released_total = 0
        self.good_total = 0
        self.scrapped_total = 0
        self.wip = 0
        self.bin_width = bin_width
        self.start = start
        self.exits = [0] * bins
        self.wip_area_per_bin = [0.0] * bins
        self.reset(0.0)

    def reset(self, now: float) -> None:
        """Start measuring at ``now`` (end of warm-up)."""
        self.released = 0
        self.good = 0
        self.scrapped = 0
        self.wip_area = 0.0
        self.wip_last = now
        self.flow_sum = 0.0
        self.flow_sumsq = 0.0
        self.wip_start = self.wip

    def _mark(self, now: float) -> None:
        self.wip_area += self.wip * (now - self.wip_last)
        self.wip_last = now

    def release(self, now: float, count: int = 1) -> None:
        """Record ``count`` jobs entering the line at ``now``."""
        self._mark(now)
        self.wip += count
        self.released += count
        self.released_total += count

    def leave(self, job: float, good: bool) -> None:
        """Record a job (its release time [time unit]) leaving, good or scrapped.

        Under CONWIP a new job enters the line at the same instant, so WIP does not change.
        """
        now = self.env.now
        entry = self.conwip_entry
        if entry is None:
            self._mark(now)
            self.wip -= 1
        else:
            self.released += 1
            self.released_total += 1
        if good:
            self.good += 1
            self.good_total += 1
            flow = now - job
            self.flow_sum += flow
            self.flow_sumsq += flow * flow
            index = int((now - self.start) / self.bin_width)
            if 0 <= index < len(self.exits):
                self.exits[index] += 1
        else:
            self.scrapped += 1
            self.scrapped_total += 1
        if entry is not None:
            entry.put(now)

    def sample_bins(self, env: simpy.Environment):  # type: ignore[no-untyped-def]
        """SimPy process: record the WIP area of each bin of the measured window."""
        for index in range(len(self.wip_area_per_bin)):
            before = self.wip_area + self.wip * (env.now - self.wip_last)
            yield env.timeout(self.bin_width)
            after = self.wip_area + self.wip * (env.now - self.wip_last)
            self.wip_area_per_bin[index] = after - before
