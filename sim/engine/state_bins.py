"""Machine time per state in each bin of the measured window, for the report's replay.

At each bin edge the recorder reads every machine station once: its ``state_time`` totals
plus the open interval of each machine's current state up to the edge. The difference of
two edges is the bin's machine time per state. Nothing is done per event, except where a
station reclassifies waiting time after the fact (a failure by calendar time or hours off
shift that fell while a machine waited, see :meth:`sim.engine.machine.Machine.settle_waiting`):
that time moves out of the bins already closed into the right state, so each bin holds
what happened in it and the bins add up to the window's totals.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.engine.monitor import STATES

if TYPE_CHECKING:
    import simpy

    from sim.engine.station import StationRun
    from sim.model.calendar import ShiftCalendar

__all__ = ["StateBins"]


class StateBins:
    """Machine time per state [time unit], summed over a station's machines, per bin of the
    window [``start``, ``start + bins * width``] for each machine station."""

    def __init__(self, runs: list[StationRun], start: float, width: float, bins: int) -> None:
        self.runs = runs
        self.start = start
        self.width = width
        self.bins = bins
        self.closed = 0
        """Bins whose end edge has been read [-]; the next one is open."""
        self._before = np.zeros((len(runs), len(STATES)))
        self.time = np.zeros((len(runs), bins, len(STATES)))
        """Machine time [time unit] per station (in ``runs`` order), bin and state (an array
        rather than lists: a sweep keeps thousands of replications)."""
        for index, run in enumerate(runs):
            run.state_bins = self
            run.state_bins_index = index

    def _read(self, now: float) -> None:
        """Close the open bin at ``now``: cumulative time per state minus the last edge's."""
        cumulative = np.array([run.state_time for run in self.runs]).reshape(self._before.shape)
        for index, run in enumerate(self.runs):
            for machine in run.machines:
                clock = machine.clock
                cumulative[index, clock.state] += now - clock.since
        self.time[:, self.closed] += cumulative - self._before
        self._before = cumulative
        self.closed += 1

    def sample(self, env: simpy.Environment) -> Generator[simpy.Event, Any, None]:
        """SimPy process: read every bin edge of the window but the last (the end of the
        run, where it is not resumed: :meth:`close` reads it)."""
        for _ in range(self.bins - 1):
            yield env.timeout(self.width)
            self._read(env.now)

    def close(self, end: float) -> None:
        """Read the last edge at ``end``, after the stations have closed their states."""
        while self.closed < self.bins:
            self._read(end)

    def reclassify(
        self,
        run: StationRun,
        source: int,
        target: int,
        low: float,
        high: float,
        calendar: ShiftCalendar | None = None,
        on_shift_only: bool = False,
    ) -> None:
        """Move waiting time in [``low``, ``high``] from state ``source`` to ``target``
        (indices of :data:`STATES`) in the bins already closed; the open bin will see the
        station's totals moved whole, so what belongs to closed bins is taken back from it.

        With ``calendar``: only its off-shift hours move (``on_shift_only`` False), or only
        its staffed hours (``on_shift_only`` True).
        """
        if self.closed == 0 or low >= self.start + self.closed * self.width:
            return
        rows = self.time[run.state_bins_index]
        first = max(0, int((low - self.start) / self.width))
        open_row = rows[min(self.closed, self.bins - 1)]
        moves = 0.0
        for bin_index in range(first, self.closed):
            lo = max(low, self.start + bin_index * self.width)
            hi = min(high, self.start + (bin_index + 1) * self.width)
            if hi <= lo:
                continue
            moved = hi - lo
            if calendar is not None:
                off = calendar.off_time(lo, hi)
                moved = moved - off if on_shift_only else off
            if moved <= 0:
                continue
            rows[bin_index, source] -= moved
            rows[bin_index, target] += moved
            moves += moved
        open_row[source] += moves
        open_row[target] -= moves
