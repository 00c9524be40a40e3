"""Grading at run time: a station's good units sorted into grades as lots leave it.

A lot is split into grades by a multinomial draw from the station's ``grade`` streams,
made as binomial draws conditional on what is left, the largest grade taking the rest
(each a comparison or a bisection in a cached table, :func:`sim.engine.hits.hit_counter`;
a lot of one piece: one uniform), or by the expected shares for web or bulk material. The
grades that go on stay in the lot (they are not told apart downstream); the others are
sold and leave the line here; units below the lowest threshold are rejected as scrap.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable
from itertools import accumulate
from typing import TYPE_CHECKING

from sim.engine.hits import hit_counter
from sim.engine.lot import EPS, Lot
from sim.engine.rng import stream, uniforms

if TYPE_CHECKING:
    from sim.engine.station import StationRun
    from sim.model.grades import Grades

__all__ = ["Grader"]


class Grader:
    """Sorts the lots a station passes on into grades and counts them [output unit]."""

    def __init__(self, station: StationRun, grades: Grades, seed: int, replication: int) -> None:
        self.station = station
        self.names = tuple(grade.name for grade in grades.bins)
        shares = grades.shares()
        self.shares = shares
        """Probability of each grade, then of a reject [-]."""
        self.on = grades.on
        self.by_type: list[list[float]] | None = None
        """Of each type of a product mix, its units of each grade, then rejected [output
        unit] (``None`` but at a typed station, :meth:`count_types`)."""
        self._cumulative = list(accumulate(shares[:-1]))
        rng = stream(seed, replication, station.name, "grade")
        uniform = uniforms(rng)
        self._uniform = uniforms(stream(seed, replication, station.name, "grade-piece"))
        self._largest = max(range(len(shares)), key=lambda index: shares[index])
        left = 1.0
        self._counters: list[tuple[int, Callable[[float], float]]] = []
        """(grade index, counter of its units among those left), the largest grade last
        and not drawn: it takes what is left."""
        for index, share in enumerate(shares):
            if index == self._largest:
                continue
            conditional = min(share / left, 1.0) if left > 0 else 0.0
            self._counters.append((index, hit_counter(conditional, True, uniform, rng)))
            left -= share
        self.reset()

    def reset(self) -> None:
        """Zero the counts (end of warm-up)."""
        self.graded = [0.0] * len(self.names)
        """Good units of each grade [output unit]."""
        self.rejected = 0.0
        """Units below the lowest grade, scrapped here [output unit]."""
        if self.by_type is not None:
            self.by_type = [[0.0] * len(self.shares) for _ in self.by_type]

    def count_types(self, types: int) -> None:
        """Count the units of each grade by type too, of a mix of ``types`` types [-]
        (at a typed station, whose lots carry their type)."""
        self.by_type = [[0.0] * len(self.shares) for _ in range(types)]

    def _split(self, qty: float) -> list[float]:
        """Units of a lot of ``qty`` in each grade, then rejected."""
        if not self.station.discrete:
            return [qty * share for share in self.shares]
        if qty == 1.0:
            counts = [0.0] * len(self.shares)
            counts[bisect_right(self._cumulative, self._uniform())] = 1.0
            return counts
        counts = [0.0] * len(self.shares)
        left = float(round(qty))
        for index, count in self._counters:
            if left <= 0:
                break
            drawn = count(left)
            counts[index] = drawn
            left -= drawn
        counts[self._largest] = left
        return counts

    def sort(self, lot: Lot) -> None:
        """Grade ``lot``: keep the grades that go on in it, sell the others, scrap the
        rejects (each counted at the station and told to the line monitor)."""
        counts = self._split(lot.qty)
        station = self.station
        if self.by_type is not None:
            row = self.by_type[lot.product]
            for index, count in enumerate(counts):
                row[index] += count
        sold = 0.0
        kept = 0.0
        graded = self.graded
        on = self.on
        for index in range(len(graded)):  # the grades, not the reject after them
            count = counts[index]
            graded[index] += count
            if on[index]:
                kept += count
            else:
                sold += count
        rejected = counts[-1]
        monitor = station.monitor
        if rejected > EPS:
            self.rejected += rejected
            station.scrapped += rejected
            station.lost_work += rejected * lot.work
            if monitor is not None:
                monitor.leave(
                    Lot(rejected, lot.start, product=lot.product), False, station.release_per_unit
                )
        if sold > EPS:
            station.units_out += sold
            if monitor is not None:
                monitor.leave(
                    Lot(sold, lot.start, product=lot.product), True, station.release_per_unit
                )
        lot.qty = kept
