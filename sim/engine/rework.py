"""Rework at run time: failed units sent back to an earlier station instead of scrapped.

Units that fail a check (scrap, or a defect found there) are sent back with the rework
probability, drawn binomially from the station's ``rework`` stream, as a lot of their own
that counts its passes through the check. It waits at a rework bench for the rework time
(if any) and re-enters the target station's queue whatever its buffer holds (a rework rack
beside the station), so a loop never deadlocks on its own buffer. A unit that fails its
last allowed pass is scrapped.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from sim.engine.hits import hit_counter
from sim.engine.lot import Lot
from sim.engine.rng import sampler, stream, uniforms

if TYPE_CHECKING:
    import simpy

    from sim.engine.buffer import Buffer
    from sim.model.grades import Rework

__all__ = ["ReworkLoop", "ReworkLot"]


class ReworkLot(Lot):
    """A lot sent back to be reworked: it knows how often it has been checked."""

    __slots__ = ("passes",)

    def __init__(
        self,
        qty: float,
        start: float,
        work: float,
        defects: dict[str, float] | None,
        passes: int,
    ) -> None:
        super().__init__(qty, start, work, defects)
        self.passes = passes
        """Passes through the check so far [-]."""

    def part(self, qty: float) -> Lot:
        """Split off ``qty`` units as a new lot with the same history and passes."""
        self.qty -= qty
        defects = self.defects.copy() if self.defects else None
        return ReworkLot(qty, self.start, self.work, defects, self.passes)


class ReworkLoop:
    """One station's rework: what it sends back, where, and its counts [output unit]."""

    def __init__(
        self,
        env: simpy.Environment,
        station: str,
        spec: Rework,
        target: Buffer,
        discrete: bool,
        seed: int,
        replication: int,
    ) -> None:
        self.env = env
        self.target = target
        self.max_passes = spec.passes
        rng = stream(seed, replication, station, "rework")
        self._count = hit_counter(spec.share, discrete, uniforms(rng), rng)
        self._bench: Callable[[], float] | None = (
            None
            if spec.time is None
            else sampler(spec.time, stream(seed, replication, station, "rework-time"))
        )
        self.on_bench = 0
        """Lots waiting at the rework bench now [-]."""
        self.reset()

    def reset(self) -> None:
        """Zero the counts (end of warm-up)."""
        self.checked = 0.0
        """Units checked, every pass [unit]."""
        self.first_checked = 0.0
        """Units checked on their first pass [unit]."""
        self.first_failed = 0.0
        """Units that failed their first pass [unit]."""
        self.reworked = 0.0
        """Units sent back [unit]."""
        self.limit_scrapped = 0.0
        """Units scrapped because they failed their last allowed pass [unit]."""

    def check(self, lot: Lot) -> int:
        """Count ``lot`` as checked; return its pass through the check (1 = first)."""
        passes = lot.passes + 1 if isinstance(lot, ReworkLot) else 1
        self.checked += lot.qty
        if passes == 1:
            self.first_checked += lot.qty
        return passes

    def send_back(self, lot: Lot, failed: float, passes: int) -> float:
        """Send back the reworked part of ``failed`` units of ``lot`` (already taken out of
        it), on pass ``passes``; return the units to scrap."""
        if passes == 1:
            self.first_failed += failed
        if passes >= self.max_passes:
            self.limit_scrapped += failed
            return failed
        back = self._count(failed)
        if back <= 0:
            return failed
        self.reworked += back
        defects = lot.defects.copy() if lot.defects else None
        rework = ReworkLot(back, lot.start, lot.work, defects, passes)
        if self._bench is None:
            self.target.put_back(rework)
        else:
            self.on_bench += 1
            done = self.env.timeout(self._bench())
            done.callbacks.append(lambda _event: self._return(rework))
        return failed - back

    def _return(self, lot: ReworkLot) -> None:
        self.on_bench -= 1
        self.target.put_back(lot)
