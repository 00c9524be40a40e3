"""Observations of one replication: machine states, job counts and WIP, finished output.

The monitor only counts; turning counts into KPIs is the analysis layer's job. Everything
is reset at the end of the warm-up so that the window [warmup, warmup + horizon] is measured.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from sim.engine.lot import Lot

if TYPE_CHECKING:
    import simpy

    from sim.engine.buffer import Buffer
    from sim.engine.holder import Waiter

__all__ = [
    "BLOCKED",
    "BUSY",
    "DOWN",
    "IDLE",
    "MAINTENANCE",
    "MINOR_STOP",
    "OFF_SHIFT",
    "SETUP",
    "STATES",
    "Departures",
    "LineMonitor",
    "MachineClock",
    "Sink",
    "StateObserver",
]

BUSY, IDLE, BLOCKED, DOWN, SETUP, MINOR_STOP, MAINTENANCE, OFF_SHIFT = range(8)
STATES = ("busy", "idle", "blocked", "down", "setup", "minor_stop", "maintenance", "off_shift")
"""Machine states in index order: processing, starved, holding a finished lot, under
repair, changing over, in a short stop, in planned maintenance, outside its shifts."""


class StateObserver(Protocol):
    """Who watches machines (the ``--trace`` recorder): told of every state change and of
    every finished run of cycles. ``key`` is what the observer gave the clock to know it by."""

    def attach(self, station: str, index: int, clock: MachineClock) -> None:
        """Start watching machine ``index`` of ``station``: set ``clock.observer`` and
        ``clock.key`` (called before the run starts)."""

    def state(self, key: int, state: int, now: float) -> None:
        """Machine ``key`` enters ``state`` (an index of :data:`STATES`) at ``now`` [time unit]."""

    def finished(self, key: int, good: float, scrapped: float, now: float) -> None:
        """Machine ``key`` finished a run at ``now``: ``good`` units passed on, ``scrapped``
        removed here [output unit]."""


class Departures(Protocol):
    """Who is told of units leaving the line (the :class:`LineMonitor`; under a demand,
    :class:`sim.engine.demand.ScrapReturn`, which also gives scrapped raw material back)."""

    def leave(self, lot: Lot, good: bool, release_per_unit: float | None = None) -> None:
        """Units of ``lot`` left the line, good or scrapped."""


class MachineClock:
    """The state of one machine and since when [time unit]; time is added to its station.

    ``observer`` is ``None`` unless the run is traced (then it is told of each change).
    """

    __slots__ = ("key", "observer", "since", "state", "totals")

    def __init__(self, totals: list[float], now: float) -> None:
        self.totals = totals
        self.state = IDLE
        self.since = now
        self.observer: StateObserver | None = None
        self.key = 0

    def switch(self, state: int, now: float) -> None:
        """Close the current state at ``now`` and enter ``state``."""
        if self.observer is not None and state != self.state:
            self.observer.state(self.key, state, now)
        self.totals[self.state] += now - self.since
        self.state = state
        self.since = now


class _Bins:
    """Counts per bin of the measured window, for throughput curves."""

    def __init__(self, bins: int, width: float, start: float) -> None:
        self.width = width
        self.start = start
        self.counts = [0.0] * bins


class Sink:
    """Where a finished material leaves the line; counts good units and flow times (a
    :class:`~sim.engine.holder.Receiver` that always has room)."""

    level = 0.0
    area = 0.0

    def __init__(
        self,
        env: simpy.Environment,
        name: str,
        bins: int,
        bin_width: float,
        start: float,
        monitor: LineMonitor | None = None,
        release_per_unit: float | None = None,
    ) -> None:
        self.env = env
        self.name = name
        self.monitor = monitor
        self.release_per_unit = release_per_unit
        self.bins = _Bins(bins, bin_width, start)
        self._bin_start = start
        self._bin_width = bin_width
        self._counts = self.bins.counts
        """The bins' counts, the same list (read on every put: one look-up less)."""
        self._bin_count = bins
        self.units_total = 0.0
        self.reset()

    def reset(self) -> None:
        """Start measuring now (end of warm-up)."""
        self.units = 0.0
        self.escaped = 0.0
        self.flow_sum = 0.0
        self.flow_sumsq = 0.0

    def put(self, lot: Lot) -> bool:
        """Take a finished lot; undetected defects leave with it as escapes."""
        now = self.env.now
        qty = lot.qty
        flow = now - lot.start
        self.units += qty
        self.units_total += qty
        self.flow_sum += flow * qty
        self.flow_sumsq += flow * flow * qty
        if now >= self._bin_start:
            index = int((now - self._bin_start) / self._bin_width)
            if index < self._bin_count:
                self._counts[index] += qty
        if lot.defects:
            self.escaped += qty * (1.0 - _product_good(lot.defects))
        if self.monitor is not None:
            self.monitor.leave(lot, True, self.release_per_unit)
        return True

    def block(self, waiter: Waiter, lot: Lot) -> None:
        """Never needed: a sink always has room."""
        self.put(lot)
        waiter.succeed()

    def available(self) -> float:
        """Nothing can be taken from a sink."""
        return 0.0

    def measure_from_now(self) -> None:
        """Nothing to do: :meth:`reset` starts the counts."""

    def close(self) -> None:
        """Nothing to do: the counts are kept as lots leave."""


def _product_good(defects: dict[str, float]) -> float:
    good = 1.0
    for share in defects.values():
        good *= 1.0 - share
    return good


class LineMonitor:
    """Units of the line's one raw material released, scrapped, in the line (WIP) and its
    time integral (a serial line's jobs), for a line that draws one raw material."""

    def __init__(self, env: simpy.Environment, bins: int, bin_width: float) -> None:
        self.env = env
        self.conwip_entry: Buffer | None = None
        """CONWIP: where a replacement job enters when one leaves; ``None`` for push."""
        self.released_total = 0.0
        self.scrapped_total = 0.0
        self.wip = 0.0
        self.bin_width = bin_width
        self.wip_area_per_bin = [0.0] * bins
        self.reset(0.0)

    def reset(self, now: float) -> None:
        """Start measuring at ``now`` (end of warm-up)."""
        self.released = 0.0
        self.scrapped = 0.0
        self.wip_area = 0.0
        self.wip_last = now
        self.wip_start = self.wip

    def _mark(self, now: float) -> None:
        self.wip_area += self.wip * (now - self.wip_last)
        self.wip_last = now

    def release(self, now: float, count: float = 1.0) -> None:
        """Record ``count`` jobs entering the line at ``now``."""
        self._mark(now)
        self.wip += count
        self.released += count
        self.released_total += count

    def leave(self, lot: Lot, good: bool, release_per_unit: float | None = None) -> None:
        """Record a job leaving, good or scrapped.

        Under CONWIP a new job enters the line at the same instant, so WIP does not change.
        In a general line a leaving lot of any material frees ``release_per_unit`` units of
        the released material per unit [-], which enter at once.
        """
        entry = self.conwip_entry
        qty = lot.qty if release_per_unit is None else lot.qty * release_per_unit
        if entry is None:
            self._mark(self.env.now)
            self.wip -= qty
        if not good:
            self.scrapped += qty
            self.scrapped_total += qty
        if entry is not None:
            self.released += qty
            self.released_total += qty
            if qty != lot.qty or type(lot) is not Lot:
                entry.put(Lot(qty, self.env.now))
                return
            # The leaving lot is reused for its replacement: nothing else holds it (a sink
            # keeps counts, not lots; scrap leaves as a lot of its own). A lot that was
            # reworked carries its passes, so a fresh one replaces it.
            lot.start = self.env.now
            lot.work = 0.0
            lot.defects = None
            entry.put(lot)

    def _area_now(self, now: float) -> float:
        return self.wip_area + self.wip * (now - self.wip_last)

    def sample_bins(self, env: simpy.Environment):  # type: ignore[no-untyped-def]
        """SimPy process: record the WIP area of each bin of the measured window."""
        self._bin_before = self._area_now(env.now)
        for index in range(len(self.wip_area_per_bin) - 1):
            yield env.timeout(self.bin_width)
            after = self._area_now(env.now)
            self.wip_area_per_bin[index] = after - self._bin_before
            self._bin_before = after

    def close_bins(self, end: float) -> None:
        """Record the last bin, which ends with the run (its edge event never runs)."""
        self.wip_area_per_bin[-1] = self._area_now(end) - self._bin_before
