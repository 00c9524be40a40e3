"""Shift calendars: when a station is staffed, as on-intervals of a repeating pattern.

Built once per line from its shifts (:attr:`sim.model.line.Line.calendars`) and read by
the engine, the warnings and the cost roll-up alike.
"""

from __future__ import annotations

import math
from bisect import bisect_right

__all__ = ["ShiftCalendar"]


class ShiftCalendar:
    """On-time of a station: the union of its shifts, repeating every ``period`` [time unit]."""

    def __init__(self, intervals: list[tuple[float, float]], period: float) -> None:
        merged: list[list[float]] = []
        for start, end in intervals:
            lo = start % period
            hi = lo + (end - start)
            if hi > period:  # a shift over the end of the pattern wraps around
                merged += [[lo, period], [0.0, min(hi - period, period)]]
            else:
                merged.append([lo, hi])
        merged.sort()
        union: list[list[float]] = []
        for lo, hi in merged:
            if union and lo <= union[-1][1]:
                union[-1][1] = max(union[-1][1], hi)
            else:
                union.append([lo, hi])
        self.period = period
        self.starts = [lo for lo, _ in union]
        self.ends = [hi for _, hi in union]
        self.on_per_period = sum(hi - lo for lo, hi in union)
        """Staffed time per pattern [time unit]."""

    @property
    def always_on(self) -> bool:
        """Whether the station is staffed all the time."""
        return self.on_per_period >= self.period - 1e-12

    def on_time_until(self, t: float) -> float:
        """Staffed time in [0, t) [time unit]."""
        cycles, offset = divmod(t, self.period)
        on = cycles * self.on_per_period
        for lo, hi in zip(self.starts, self.ends, strict=True):
            if offset <= lo:
                break
            on += min(offset, hi) - lo
        return on

    def off_time(self, a: float, b: float) -> float:
        """Unstaffed time in [a, b) [time unit]."""
        if b <= a:
            return 0.0
        return (b - a) - (self.on_time_until(b) - self.on_time_until(a))

    def next_on(self, t: float) -> float:
        """The first staffed instant at or after ``t`` [time unit]."""
        if self.on_per_period <= 0:
            return math.inf
        cycles, offset = divmod(t, self.period)
        index = bisect_right(self.starts, offset) - 1
        if index >= 0 and offset < self.ends[index]:
            return t
        if index + 1 < len(self.starts):
            return cycles * self.period + self.starts[index + 1]
        return (cycles + 1) * self.period + self.starts[0]

    def on_interval(self, t: float) -> tuple[float, float]:
        """The first staffed interval that ends after ``t``, as (start, end) [time unit]; a
        start at or before ``t`` means staffed now. ``(inf, inf)`` when never staffed."""
        if self.on_per_period <= 0:
            return math.inf, math.inf
        cycles, offset = divmod(t, self.period)
        base = cycles * self.period
        index = bisect_right(self.starts, offset) - 1
        if index < 0:
            index = 0
        elif base + self.ends[index] <= t:  # the interval is over (or ends now)
            index += 1
        if index == len(self.starts):
            base += self.period
            index = 0
        return base + self.starts[index], base + self.ends[index]
