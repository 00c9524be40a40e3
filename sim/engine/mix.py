"""A product mix at run time: each typed station's plan per type, its machines' body, and
the counts by type.

From the release station on every lot carries its type (``Lot.product``, an index into
the mix's types). A typed machine works one type per run: the release station starts the
type its sequence (:mod:`sim.engine.sequencing`) gives, idling while a demand authorises
no type; a later station takes the type it is set up for while lots of it wait in its
typed input buffer (passing over lots of other types, as an operator takes the trays of
the running type from a rack), else the type of the oldest lot. A type's lots are
*closed* when lots of another type wait too; a station then starts with what the run
holds even below its batch minimum (a campaign's last formation rack starts part full),
and a remnant smaller than one cycle (the odd jelly roll of two per cell) is scrapped. A
machine whose next run is of another type than its last one first spends the station's
changeover time in setup.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sim.engine.buffer import Buffer, Source
from sim.engine.lot import EPS, Lot
from sim.engine.monitor import BLOCKED, BUSY, IDLE, SETUP, Sink
from sim.engine.rng import lot_sums, sampler, stream
from sim.engine.sequencing import (
    CampaignSequence,
    DueDateSequence,
    TypeRelease,
    release_sequence,
)
from sim.model.distributions import Constant, Distribution
from sim.model.products import ProductMix

if TYPE_CHECKING:
    from sim.engine.machine import Machine
    from sim.engine.station import StationRun

__all__ = ["StationMix", "TypeCounts", "TypePlan", "TypeSink", "run_mix", "type_run"]

Process = Generator[float | None, Any, None]

WAKE_ON_ARRIVAL = 1e-6
"""Units above what a buffer holds that a typed machine waits for: it wakes when the
next lot comes, of whatever type [material unit]."""


class TypeCounts:
    """Counts by type over the measured window [output unit, -]."""

    __slots__ = ("cycles", "passed", "released", "scrapped", "units_out")

    def __init__(self, types: int) -> None:
        self.units_out = [0.0] * types
        self.scrapped = [0.0] * types
        self.cycles = [0.0] * types
        self.released = [0.0] * types
        """Units a release station started (before its scrap) [output unit]."""
        self.passed = [0.0] * types
        """Units passed on downstream (units out less those a grading sold) [output unit]."""

    def reset(self) -> None:
        """Zero every count (end of warm-up)."""
        for counts in (self.units_out, self.scrapped, self.cycles, self.released, self.passed):
            counts[:] = [0.0] * len(counts)


@dataclass(frozen=True, slots=True)
class TypePlan:
    """How a station works one type: run time of n cycles [time unit], its ideal time per
    cycle [time unit], what a cycle takes of each input [material unit], its inspection."""

    run_time: Callable[[float], float]
    ideal_time_per_cycle: float
    per_cycle: tuple[float, ...]
    inspect: Callable[[Lot], None] | None


def _run_time(
    batched: bool, cycle_time: Callable[[], float], lot_sum: Callable[[int], float] | None
) -> Callable[[float], float]:
    """Run time of ``cycles`` as :meth:`StationRun.run_time` draws it [time unit]."""

    def run_time(cycles: float) -> float:
        if batched or cycles == 1:
            return cycle_time()
        if lot_sum is None:
            return cycles * cycle_time()
        whole = int(cycles)
        total = lot_sum(whole) if whole else 0.0
        if cycles > whole:
            total += (cycles - whole) * cycle_time()
        return total

    return run_time


def _scaled(run_time: Callable[[float], float], factor: float) -> Callable[[float], float]:
    return lambda cycles: run_time(cycles) / factor


class StationMix:
    """A typed station's plan per type, its changeover matrix, sequence and counts."""

    def __init__(
        self,
        run: StationRun,
        mix: ProductMix,
        typed_materials: set[str],
        seed: int,
        replication: int,
        release: TypeRelease | None = None,
    ) -> None:
        """``release``: what a demand authorises of each type (``None`` without one)."""
        spec = run.spec
        names = mix.names
        self.names = names
        self.counts = TypeCounts(len(names))
        self.grader = run.grader
        if self.grader is not None:
            self.grader.count_types(len(names))
        self.changeovers = 0
        """Changeovers started in the measured window [-]."""
        self.changeover_time = 0.0
        """Time of the changeovers finished, in the measured window, summed over the
        machines [time unit]."""
        self.changing: list[tuple[float, float] | None] = [None] * spec.machines
        """Each machine's changeover under way: (start, its time) [time unit]."""
        self.window_start = 0.0
        """When the measured window began [time unit]."""
        self.matrix = [[mix.changeover(spec.name, a, b) for b in names] for a in names]
        """From type index -> to type index -> changeover time [time unit]."""
        self.last: list[int | None] = [None] * spec.machines
        """Each machine's last type (``None`` before its first run)."""
        input_names = [getattr(buffer, "name", "") for buffer, _ in run.inputs]
        carriers = [i for i, name in enumerate(input_names) if name in typed_materials]
        self.carrier: int | None = carriers[0] if carriers else None
        """Index of the typed input; ``None`` at the release station."""
        self.sequence: CampaignSequence | DueDateSequence | None = (
            release_sequence(mix, spec.lot, run.out_per_cycle, release)
            if spec.name == mix.release_at
            else None
        )
        plans = []
        for name in names:
            changes = mix.types[name].stations.get(spec.name)
            run_time: Callable[[float], float] = run.run_time
            ideal = spec.ideal_time_per_cycle
            if changes is not None and (changes.process_time or changes.speed):
                own: Distribution = (
                    changes.process_time
                    if changes.process_time is not None
                    else Constant(value=1.0 / changes.speed)  # type: ignore[operator]
                )
                draw = sampler(own, stream(seed, replication, spec.name, f"process:{name}"))
                sums = (
                    None
                    if own.cv == 0
                    else lot_sums(own, stream(seed, replication, spec.name, f"lot:{name}"))
                )
                run_time = _run_time(run.batched, draw, sums)
                ideal = own.mean / spec.batch.size if spec.batch is not None else own.mean
            elif changes is not None and changes.speed_factor is not None:
                run_time = _scaled(run.run_time, changes.speed_factor)
                ideal /= changes.speed_factor
            quantities = dict(spec.inputs or {})
            if changes is not None and changes.inputs:
                quantities.update(changes.inputs)
            per_cycle = tuple(
                quantities.get(input_name, per) if input_name else per
                for input_name, (_, per) in zip(input_names, run.inputs, strict=True)
            )
            scrap = changes.scrap if changes is not None and changes.scrap is not None else None
            plans.append(TypePlan(run_time, ideal, per_cycle, run.inspector(scrap)))
        self.plans = plans
        if any(
            (changes := t.stations.get(spec.name)) is not None and changes.scrap
            for t in mix.types.values()
        ):
            run.checks_quality = True  # a type scraps here though the station does not

    def reset(self, now: float) -> None:
        """Zero the counts of the measured window, which starts at ``now`` [time unit]."""
        self.counts.reset()
        self.changeovers = 0
        self.changeover_time = 0.0
        self.window_start = now

    def _in_window(self, start: float, done: float) -> float:
        """Of a changeover begun at ``start`` with ``done`` of it worked [time unit], the
        part inside the window [time unit]."""
        return max(0.0, done - max(0.0, self.window_start - start))

    def changeover_done(self, machine: int) -> None:
        """Count machine ``machine``'s changeover, which has just ended."""
        under_way = self.changing[machine]
        assert under_way is not None
        self.changeover_time += self._in_window(*under_way)
        self.changing[machine] = None

    def changeover_time_at(self, now: float) -> float:
        """Changeover time in the window up to ``now``, those under way included (their
        time so far, at most their length) [time unit]."""
        total = self.changeover_time
        for under_way in self.changing:
            if under_way is not None:
                start, length = under_way
                total += self._in_window(start, min(length, now - start))
        return total

    def ideal_time_per_cycle(self, default: float) -> float:
        """Ideal time per cycle over the cycles of each type [time unit] (``default`` when
        nothing was made)."""
        cycles = self.counts.cycles
        total = math.fsum(cycles)
        if total <= 0:
            return default
        return (
            math.fsum(c * p.ideal_time_per_cycle for c, p in zip(cycles, self.plans, strict=True))
            / total
        )


def type_run(buffer: Buffer, preferred: int | None) -> tuple[float, bool, int]:
    """Return (units, closed, type) of the type a machine works next from ``buffer``,
    blocked upstream lots included: ``preferred`` (the type it is set up for) while any
    lot of it waits, else the type of the oldest lot; ``closed`` when lots of another
    type wait too, so that no more of this one comes before them; type -1 when the
    buffer is empty."""
    units: dict[int, float] = {}
    oldest = -1
    for lot in buffer.lots:
        if oldest < 0:
            oldest = lot.product
        units[lot.product] = units.get(lot.product, 0.0) + lot.qty
    for _, lot in buffer.putters:
        if oldest < 0:
            oldest = lot.product
        units[lot.product] = units.get(lot.product, 0.0) + lot.qty
    if oldest < 0:
        return 0.0, False, -1
    product = preferred if preferred is not None and preferred in units else oldest
    return units[product], len(units) > 1, product


def run_mix(machine: Machine) -> Process:
    """The body of a typed machine: choose the type and the cycles of the next run,
    change over, work, pass on (the general body of :class:`Machine`, by type)."""
    env = machine.env
    station = machine.station
    clock = machine.clock
    mix = station.mix
    assert mix is not None
    inputs = station.inputs
    carrier = mix.carrier
    typed = inputs[carrier][0] if carrier is not None else None
    assert typed is None or isinstance(typed, Buffer), "a typed material waits in a buffer"
    sequence = mix.sequence
    low, high = station.batch_min, station.batch_max
    settle = station.settles_waiting
    pauses = station.shift_pauses
    prepares = bool(station.setup_every or station.setup_interval or station.maintenance_every)
    out = station.out
    counts = mix.counts
    while True:
        if settle:
            yield from machine._settle()
        while True:
            run_units, closed = math.inf, False
            if sequence is not None:
                product, left = sequence.next_run()
                if product < 0:  # the demand authorises no type yet
                    clock.switch(IDLE, env.now)
                    sequence.wait(machine)
                    yield None
                    if settle:
                        yield from machine._settle()
                    continue
                least, cycles = min(low, left), min(high, left)
            else:
                assert typed is not None
                run_units, closed, product = type_run(typed, mix.last[machine.index])
                if product < 0:
                    clock.switch(IDLE, env.now)
                    typed.wait(machine, WAKE_ON_ARRIVAL)
                    yield None
                    if settle:
                        yield from machine._settle()
                    continue
                least, cycles = low, high
            plan = mix.plans[product]
            short = -1
            for index, (buffer, _) in enumerate(inputs):
                if isinstance(buffer, Source):
                    continue
                per = plan.per_cycle[index]
                available = (run_units if index == carrier else buffer.available()) + EPS
                if index == carrier and closed and available < least * per:
                    least = max(1, int(available / per))  # the run's tail
                if available < least * per:
                    short = index
                    break
                if available < cycles * per:
                    cycles = int(available / per)
            if short < 0:
                break
            buffer, per = inputs[short]
            if short == carrier and closed:
                _scrap_remnant(station, mix, product, run_units, per)
                continue
            clock.switch(IDLE, env.now)
            if short == carrier:  # the run may grow, or close when another type comes
                buffer.wait(machine, buffer.available() + WAKE_ON_ARRIVAL)
            else:
                buffer.wait(machine, least * per)
            yield None
            if settle:
                yield from machine._settle()
        taken = []
        for index, (buffer, _) in enumerate(inputs):
            amount = cycles * plan.per_cycle[index]
            if index == carrier:
                taken.append((typed.take_of(amount, product), amount))  # type: ignore[union-attr]
            else:
                taken.append((buffer.take(amount), amount))
        if typed is not None:
            typed.wake_takers()  # what is left may start another machine
        if sequence is not None:
            sequence.started(product, cycles)
            counts.released[product] += cycles * station.out_per_cycle
        started = env.now
        last = mix.last[machine.index]
        mix.last[machine.index] = product
        if last is not None and last != product and mix.matrix[last][product] > 0:
            change = mix.matrix[last][product]
            station.setups += 1
            mix.changeovers += 1
            mix.changing[machine.index] = (env.now, change)
            yield from machine._work(change, SETUP)
            mix.changeover_done(machine.index)
        if prepares and (
            station.setup_every
            or env.now >= machine.setup_due
            or env.now >= machine.maintenance_due
        ):
            yield from machine._prepare(cycles)
        duration = plan.run_time(cycles)
        if (
            duration <= machine.up_left
            and duration <= machine.stop_left
            and env.now + duration <= machine.next_failure
            and (not pauses or env.now + duration <= machine._shift_end())
        ):
            if clock.state != BUSY:
                clock.switch(BUSY, env.now)
            machine.up_left -= duration
            machine.stop_left -= duration
            yield duration
        else:
            yield from machine._work(duration, BUSY)
        station.cycles += cycles
        counts.cycles[product] += cycles
        scrapped, made = station.scrapped, station.units_out
        lots = station.finish(taken, cycles, duration, started, plan.inspect, product)
        counts.scrapped[product] += station.scrapped - scrapped
        counts.units_out[product] += station.units_out - made
        counts.passed[product] += math.fsum(lot.qty for lot in lots)
        if clock.observer is not None:
            good = math.fsum(lot.qty for lot in lots)
            clock.observer.finished(clock.key, good, station.scrapped - scrapped, env.now)
        for lot in lots:
            lot.product = product
            if not out.put(lot):
                clock.switch(BLOCKED, env.now)
                out.block(machine, lot)
                yield None
                if settle:
                    yield from machine._settle()


def _scrap_remnant(
    station: StationRun, mix: StationMix, product: int, units: float, per_cycle: float
) -> None:
    """Scrap the end of a closed run too small for one cycle: counted as scrap here, in
    output units [output unit]."""
    carrier = mix.carrier
    assert carrier is not None
    buffer = station.inputs[carrier][0]
    assert isinstance(buffer, Buffer)
    taken = buffer.take_of(units, product)
    lost = units / per_cycle * station.out_per_cycle
    station.scrapped += lost
    mix.counts.scrapped[product] += lost
    for lot in taken:
        station.lost_work += lot.qty / per_cycle * station.out_per_cycle * lot.work
    if station.monitor is not None:
        start = taken[0].start if taken else station.env.now
        station.monitor.leave(Lot(lost, start, product=product), False, station.release_per_unit)


class TypeSink(Sink):
    """A sink that also counts good units and flow-time sums by type."""

    def __init__(self, *args: Any, types: int, **kwargs: Any) -> None:
        self.types = types
        super().__init__(*args, **kwargs)

    def reset(self) -> None:
        """Start measuring now (end of warm-up), by type too."""
        super().reset()
        self.units_by_type = [0.0] * self.types
        self.flow_by_type = [0.0] * self.types

    def put(self, lot: Lot) -> bool:
        """Take a finished lot and count it by type."""
        self.units_by_type[lot.product] += lot.qty
        self.flow_by_type[lot.product] += (self.env.now - lot.start) * lot.qty
        return super().put(lot)
