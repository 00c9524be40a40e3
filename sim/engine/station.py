"""A station at run time: its samplers, buffers, machines, quality rules and counters."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from itertools import islice
from typing import TYPE_CHECKING

import numpy as np

from sim.engine.calendar import ShiftCalendar
from sim.engine.lot import EPS, Lot, combine
from sim.engine.machine import Machine
from sim.engine.monitor import STATES
from sim.engine.rng import block_iterator, sampler, stream, uniforms
from sim.model.distributions import Exponential

if TYPE_CHECKING:
    import simpy

    from sim.engine.buffer import Buffer, Source
    from sim.engine.delay import Delay
    from sim.engine.monitor import LineMonitor, Sink
    from sim.model.station import Station

__all__ = ["FailureSamplers", "StationRun", "Wiring", "binomial"]


def binomial(
    trials: int, share: float, uniform: Callable[[], float], rng: np.random.Generator
) -> float:
    """Draw Binomial(trials, share) by inverting its distribution function with one
    uniform from the block stream; numpy's sampler takes over when many hits are likely."""
    if share >= 1.0:
        return float(trials)
    if trials * share > 20:
        return float(rng.binomial(trials, share))
    u = uniform()
    probability = (1.0 - share) ** trials
    cumulative = probability
    hits = 0
    odds = share / (1.0 - share)
    while u > cumulative and hits < trials:
        probability *= (trials - hits) / (hits + 1) * odds
        hits += 1
        cumulative += probability
    return float(hits)


@dataclass(frozen=True, slots=True)
class FailureSamplers:
    """Draws of up times and repair times [time unit] for one station's machines."""

    time_to_failure: Callable[[], float]
    time_to_repair: Callable[[], float]
    calendar: bool


@dataclass(frozen=True, slots=True)
class Wiring:
    """Where a station takes from and gives to.

    ``inputs`` pairs each input buffer with the units a cycle takes [material unit];
    ``out_per_cycle`` is what a cycle gives [material unit]; ``discrete`` says the output is
    counted in whole pieces (scrap and defects are then drawn binomially) and
    ``discrete_inputs`` says the same of each input.
    """

    inputs: list[tuple[Buffer | Source, float]]
    out: Buffer | Sink | Delay
    out_per_cycle: float
    discrete: bool
    discrete_inputs: tuple[bool, ...] = ()


class StationRun:
    """Everything one machine station needs during a replication."""

    def __init__(
        self,
        env: simpy.Environment,
        spec: Station,
        wiring: Wiring,
        seed: int,
        replication: int,
        monitor: LineMonitor | None,
        calendar: ShiftCalendar | None,
        inspects: bool,
    ) -> None:
        def rng(purpose: str):  # type: ignore[no-untyped-def]
            return stream(seed, replication, spec.name, purpose)

        self.env = env
        self.name = spec.name
        self.spec = spec
        self.inputs = wiring.inputs
        self.out = wiring.out
        self.out_per_cycle = wiring.out_per_cycle
        self.discrete = wiring.discrete
        self._discrete_inputs = wiring.discrete_inputs or (False,) * len(wiring.inputs)
        self.monitor = monitor
        self.batch_min = spec.batch_min
        self.batch_max = spec.batch_max
        self.batched = spec.batch is not None
        self.out_lot_cycles = spec.lot if self.batched else spec.lot // spec.split
        self.passthrough = (
            len(self.inputs) == 1
            and abs(self.inputs[0][1] - self.out_per_cycle) < EPS
            and spec.split == 1
        )
        """Neither merges nor splits: lots pass on as they came (a batch gathers its pieces
        into output lots of ``lot`` cycles, except a serial line's jobs, which stay jobs)."""
        self.whole_lots = self.passthrough and not self.batched
        self.cycle_time = sampler(spec.cycle_time, rng("process"))
        self._cycle_iter = (
            None if spec.cycle_time.cv == 0 else block_iterator(spec.cycle_time, rng("process-lot"))
        )
        self.scrap = spec.scrap
        self.uniform = uniforms(rng("scrap"))
        self._quality_rng = rng("quality")
        self.inspects = inspects
        self.defect_rate = spec.defects.rate if spec.defects is not None else 0.0
        self.defect_station = spec.defects.found_at if spec.defects is not None else ""
        self.checks_quality = bool(inspects or self.scrap or self.defect_rate)
        self.failures: FailureSamplers | None = None
        if spec.failures is not None:
            self.failures = FailureSamplers(
                sampler(spec.failures.time_to_failure(), rng("failure")),
                sampler(spec.failures.time_to_repair(), rng("repair")),
                spec.failures.basis == "calendar",
            )
        stops = spec.minor_stops
        if stops is not None:
            self.stop_gap: Callable[[], float] | None = sampler(
                Exponential(dist="exponential", mean=stops.mtbf), rng("minor-stop")
            )
            self.stop_length: Callable[[], float] | None = sampler(
                Exponential(dist="exponential", mean=stops.duration), rng("minor-stop-length")
            )
        else:
            self.stop_gap = self.stop_length = None
        setup = spec.setup
        self.setup_every = setup.every or 0 if setup is not None else 0
        self.setup_interval = setup.interval or 0.0 if setup is not None else 0.0
        self.setup_time = sampler(setup.time, rng("setup")) if setup is not None else None
        maintenance = spec.maintenance
        self.maintenance_every = maintenance.every if maintenance is not None else 0.0
        self.maintenance_duration = maintenance.duration if maintenance is not None else 0.0
        self.calendar = calendar if calendar is not None and not calendar.always_on else None
        self.settles_waiting = self.calendar is not None or (
            self.failures is not None and self.failures.calendar
        )
        self.simple = (
            monitor is not None
            and spec.lot == 1
            and not self.batched
            and self.failures is None
            and stops is None
            and setup is None
            and maintenance is None
            and self.calendar is None
            and not inspects
            and spec.defects is None
        )
        self.state_time = [0.0] * len(STATES)
        self.reset_counters()
        self.machine_count = spec.machines
        self.machines = [Machine(env, self, index) for index in range(spec.machines)]
        for machine in self.machines:
            env.process(machine.run())

    def reset_counters(self) -> None:
        """Zero what is counted over the measured window."""
        self.cycles = 0
        self.units_out = 0.0
        self.scrapped = 0.0
        self.found = 0.0
        self.lost_work = 0.0
        self.repairs = 0
        self.setups = 0
        self.minor_stops = 0
        self.maintenances = 0

    def run_time(self, cycles: float) -> float:
        """Processing time of a run of ``cycles`` [time unit]: one draw per batch, else per
        cycle (so a lot of n cycles takes the sum of n cycle times)."""
        if self.batched or cycles == 1:
            return self.cycle_time()
        if self._cycle_iter is None:
            return cycles * self.cycle_time()
        whole = int(cycles)
        # A lot of whole cycles sums its cycle times; a fraction left by scrap upstream of
        # a web or bulk material adds its share of one more.
        total = math.fsum(islice(self._cycle_iter, whole))
        if cycles > whole:
            total += (cycles - whole) * self.cycle_time()
        return total

    def _count(self, units: float, share: float) -> float:
        """Units hit by ``share`` [-]: binomial for pieces, the expected share otherwise."""
        if share <= 0 or units <= EPS:
            return 0.0
        if not self.discrete:
            return units * share
        if units == 1.0:
            return 1.0 if self.uniform() < share else 0.0
        return binomial(round(units), min(share, 1.0), self.uniform, self._quality_rng)

    def finish(
        self, taken: list[tuple[list[Lot], float]], cycles: float, duration: float, started: float
    ) -> list[Lot]:
        """Turn the inputs of a run into output lots, remove what is found bad here.

        ``duration`` is the processing time [time unit] and ``started`` when the run began
        [time unit], the start of output made from raw material only.
        """
        out_units = cycles * self.out_per_cycle
        if self.whole_lots or (self.passthrough and self.monitor is not None):
            # Jobs of a serial line keep their identity, also through a batch.
            lots = taken[0][0]
            added = duration / out_units
            for lot in lots:
                lot.work += added
        else:
            if taken:
                per_unit = [
                    (per_cycle / self.out_per_cycle if discrete else 0.0)
                    for (_, per_cycle), discrete in zip(
                        self.inputs, self._discrete_inputs, strict=True
                    )
                ]
                start, work, defects = combine(
                    (
                        (pieces, total, k)
                        for (pieces, total), k in zip(taken, per_unit, strict=True)
                    ),
                    out_units,
                    earliest=not self.passthrough,
                )
            else:
                start, work, defects = started, 0.0, None
            work += duration / out_units
            size = self.out_lot_cycles
            lots = []
            for first in range(0, cycles, size):
                lots.append(
                    Lot(
                        min(size, cycles - first) * self.out_per_cycle,
                        start,
                        work,
                        dict(defects) if defects else None,
                    )
                )
        if not self.checks_quality:
            for lot in lots:
                self.units_out += lot.qty
            return lots
        kept = []
        for lot in lots:
            self._inspect(lot)
            if lot.qty > EPS:
                kept.append(lot)
                self.units_out += lot.qty
        return kept

    def _inspect(self, lot: Lot) -> None:
        """Remove defects found here and scrap; mark new defects others will find."""
        removed = 0.0
        if self.inspects and lot.defects and self.name in lot.defects:
            found = self._count(lot.qty, lot.defects.pop(self.name))
            self.found += found
            removed += found
        if self.scrap:
            removed += self._count(lot.qty - removed, self.scrap)
        if removed > EPS:
            self.scrapped += removed
            self.lost_work += removed * lot.work
            lot.qty -= removed
            if self.monitor is not None:
                self.monitor.leave(Lot(removed, lot.start), good=False)
        if self.defect_rate and lot.qty > EPS:
            hit = self._count(lot.qty, self.defect_rate) / lot.qty
            if hit > 0:
                defects = lot.defects if lot.defects is not None else {}
                old = defects.get(self.defect_station, 0.0)
                defects[self.defect_station] = 1.0 - (1.0 - old) * (1.0 - hit)
                lot.defects = defects

    def reset(self, now: float) -> None:
        """Close every machine's state at ``now`` and zero the counters (end of warm-up)."""
        for machine in self.machines:
            machine.clock.switch(machine.clock.state, now)
        self.state_time[:] = [0.0] * len(STATES)
        self.reset_counters()

    def close(self, now: float) -> None:
        """Close every machine's state at ``now`` (end of the run)."""
        for machine in self.machines:
            if self.settles_waiting:
                machine.settle_waiting(now)
            machine.clock.switch(machine.clock.state, now)
