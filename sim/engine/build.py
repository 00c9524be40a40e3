"""Build a line's run-time objects for one replication: holders, stations and release.

Every line is built in general form (a serial line arrives as its general twin, see
:mod:`sim.model.serial`): one holder per material (a buffer, a delay it soaks in, a source
of raw material or a sink of finished material) and one :class:`StationRun` per machine
station. When the line draws one raw material, its release is counted (the
:class:`LineMonitor` then knows jobs released, scrapped and in the line): under push
without interarrival it is taken without limit, under push with an interarrival one unit
arrives at a time, and under CONWIP a unit leaving gives back the raw units it was made of.
"""

from __future__ import annotations

import math
from collections.abc import Generator
from typing import Any

import simpy

from sim.engine.buffer import Buffer, Source
from sim.engine.delay import Delay
from sim.engine.demand import DemandRun, ScrapReturn, StockSink, TypeStockSink
from sim.engine.lot import Lot
from sim.engine.mix import StationMix, TypeCounts, TypeSink
from sim.engine.monitor import BLOCKED, IDLE, OFF_SHIFT, Departures, LineMonitor, Sink
from sim.engine.ramp import learning_curves
from sim.engine.rng import sampler, stream
from sim.engine.sequencing import TypeRelease
from sim.engine.station import StationRun, Wiring
from sim.model.demand_plan import demand_plan
from sim.model.line import Line
from sim.model.mix_demand import release_claims, type_recipes
from sim.model.product_checks import typed_materials, typed_stations
from sim.model.serial import entry_material, release_per_unit
from sim.model.shift_plan import finishes_cycle, worked_calendars
from sim.model.station import Station

__all__ = ["LineBuild"]


class LineBuild:
    """The run-time objects of one replication of a general line."""

    def __init__(
        self,
        env: simpy.Environment,
        line: Line,
        bins: int,
        bin_width: float,
        warmup: float,
        seed: int,
        replication: int,
    ) -> None:
        assert line.general, "serial lines are built from their general twin"
        self.env = env
        self.line = line
        self.bins = bins
        self.bin_width = bin_width
        self.warmup = warmup
        self.seed = seed
        self.replication = replication
        self.stations: list[StationRun] = []
        self.delays: dict[str, Delay] = {}
        self.buffers: dict[str, Buffer | Source] = {}
        self.sinks: dict[str, Sink] = {}
        self.inspections = {s.defects.found_at for s in line.stations if s.defects is not None}
        self.material_bins: dict[str, list[float]] = {}
        self.entry = entry_material(line)
        """The raw material whose release is counted, or ``None`` (several raw materials)."""
        self.monitor = LineMonitor(env, bins, bin_width) if self.entry is not None else None
        self.arrivals = line.release.policy == "push" and line.release.interarrival is not None
        self.arrivals_blocked = False
        mix = line.products
        self.typed = set(typed_stations(line, mix.release_at)) if mix is not None else set()
        """Stations whose lots carry a type of the product mix (none without a mix)."""
        self.mixes: dict[str, StationMix] = {}
        self.delay_types: dict[str, TypeCounts] = {}
        self.plan = demand_plan(line)
        self.demand: DemandRun | None = None
        """The orders and finished-goods store, when the line has a demand."""
        self.release: TypeRelease | None = None
        """What the demand authorises the release station of a product mix to start."""
        self._build()

    def _sink(self, name: str, release_per_unit: float | None) -> Sink:
        sold = self.plan is not None and name == self.plan.material
        args = (self.env, name, self.bins, self.bin_width, self.warmup, self.monitor)
        mix = self.line.products
        if sold and mix is not None:
            sink: Sink = TypeStockSink(*args, release_per_unit, types=len(mix.types))
        elif sold:
            sink = StockSink(*args, release_per_unit)
        elif mix is not None:
            sink = TypeSink(*args, release_per_unit, types=len(mix.types))
        else:
            sink = Sink(*args, release_per_unit)
        self.sinks[name] = sink
        return sink

    def _build(self) -> None:
        env, line, entry, monitor = self.env, self.line, self.entry, self.monitor
        assert line.materials is not None
        produced = {s.output_material for s in line.stations}
        consumed = {m for s in line.stations for m in (s.inputs or {})}
        holders: dict[str, Buffer | Source | Delay | Sink] = {}
        per_unit = release_per_unit(line, entry) if entry is not None else {}
        learning = learning_curves(line)
        calendars = worked_calendars(line)
        for spec in line.stations:
            if spec.kind == "delay":
                soaked = next(iter(spec.inputs or {}))
                out_material = spec.output_material or ""
                holders[soaked] = self.delays[spec.name] = Delay(
                    env,
                    spec.name,
                    spec.cycle_time,
                    spec.capacity,
                    spec.scrap,
                    line.materials[out_material].discrete,
                    self.seed,
                    self.replication,
                )
        released = line.release.policy == "conwip" or self.arrivals
        gated = self._gated(produced)
        for name, material in line.materials.items():
            if name in holders:
                continue
            if name in gated:  # raw material the demand releases
                holders[name] = self.buffers[name] = Buffer(env, name)
            elif name == entry and not released:
                # Taken without limit, but counted as released when taken.
                holders[name] = self.buffers[name] = Source(env, name, monitor)
            elif name not in produced and name != entry:
                holders[name] = self.buffers[name] = Source(env, name)
            elif name not in consumed:
                holders[name] = self._sink(name, per_unit.get(name))
            else:
                capacity = math.inf if material.buffer is None else material.buffer
                holders[name] = self.buffers[name] = Buffer(env, name, capacity)
        if self.plan is not None:
            self._demand(gated, monitor)
        for spec in line.stations:
            out_material = spec.output_material or ""
            out = holders[out_material]
            assert not isinstance(out, Source)
            if spec.kind == "delay":
                delay = self.delays[spec.name]
                delay.out = out
                delay.monitor = self._departures(out_material)
                delay.release_per_unit = per_unit.get(out_material)
                if spec.name in self.typed and line.products is not None:
                    delay.types = self.delay_types[spec.name] = TypeCounts(len(line.products.types))
                continue
            # Raw materials are never short and carry no history: a run does not take them
            # as lots (what it uses is cycles x quantity), except the counted one.
            buffered = {
                m: q
                for m, q in (spec.inputs or {}).items()
                if m == entry or not isinstance(holders[m], Source)
            }
            wiring = Wiring(
                [(holders[m], q) for m, q in buffered.items()],  # type: ignore[misc]
                out,
                (spec.output or {})[out_material],
                line.materials[out_material].discrete,
                tuple(line.materials[m].discrete for m in buffered),
                release_per_unit=per_unit.get(out_material),
                rework_to=_rework_queue(line, spec, holders),
            )
            self.stations.append(
                StationRun(
                    env,
                    spec,
                    wiring,
                    self.seed,
                    self.replication,
                    self._departures(out_material),
                    calendars.get(spec.name),
                    spec.name in self.inspections,
                    learning.get(spec.name),
                    typed=spec.name in self.typed,
                    finish_cycle=finishes_cycle(line, spec),
                )
            )
            if spec.name in self.typed and line.products is not None:
                run = self.stations[-1]
                run.mix = self.mixes[spec.name] = StationMix(
                    run,
                    line.products,
                    typed_materials(line, line.products.release_at),
                    self.seed,
                    self.replication,
                    self.release,
                )
        if self.demand is not None:
            self.demand.start()
        if entry is None or not released:
            return
        assert monitor is not None
        first = holders[entry]
        assert isinstance(first, Buffer)
        if line.release.policy == "conwip":
            assert line.release.wip is not None
            monitor.conwip_entry = first
            monitor.release(0.0, line.release.wip)
            first.put(Lot(float(line.release.wip), 0.0))
        else:
            env.process(self._arrivals(first, monitor))

    def _gated(self, produced: set[str | None]) -> dict[str, dict[str, float]]:
        """Under a demand, each raw material the sold material is made of, with the units
        of it in one unit of each material made from it (:func:`release_per_unit`)."""
        if self.plan is None:
            return {}
        sold = self.plan.material
        gated = {}
        for name in self.line.materials or {}:
            if name not in produced:
                per_unit = release_per_unit(self.line, name)
                if per_unit.get(sold, 0.0) > 0:
                    gated[name] = per_unit
        return gated

    def _demand(self, gated: dict[str, dict[str, float]], monitor: LineMonitor | None) -> None:
        """Make the demand: the gated raw buffers it fills, and the store it sells from."""
        assert self.plan is not None
        sold = self.plan.material
        mix = self.line.products
        recipes = [gated] if mix is None else type_recipes(self.line, list(gated))
        gates = []
        returns = []
        for recipe in recipes:  # each type's recipe (one without a mix)
            type_gates = []
            type_returns: dict[str, list[tuple[Buffer, float]]] = {}
            for name, per_unit in recipe.items():
                buffer = self.buffers[name]
                assert isinstance(buffer, Buffer)
                type_gates.append((buffer, per_unit[sold]))
                for material, per in per_unit.items():
                    type_returns.setdefault(material, []).append((buffer, per))
            gates.append(type_gates)
            returns.append(type_returns)
        claims = None
        if mix is not None:
            self.release = TypeRelease(len(mix.types))
            claims = release_claims(self.line)
        self.demand = DemandRun(
            self.env,
            self.plan,
            gates,
            returns,
            monitor,
            self.entry,
            self.seed,
            self.replication,
            self.release,
            tuple(mix.names) if mix is not None else (),
            claims,
        )
        store = self.sinks[sold]
        assert isinstance(store, StockSink | TypeStockSink)
        store.demand = self.demand

    def _departures(self, material: str) -> Departures | None:
        """Who a station or delay making ``material`` tells of its scrap."""
        if self.demand is None:
            return self.monitor
        return ScrapReturn(self.demand, material, self.monitor)

    def _arrivals(self, first: Buffer, monitor: LineMonitor) -> Generator[simpy.Event, Any, None]:
        """Push release: a unit arrives every interarrival and waits at the door while full."""
        env = self.env
        assert self.line.release.interarrival is not None
        interarrival = sampler(
            self.line.release.interarrival,
            stream(self.seed, self.replication, "release", "interarrival"),
        )
        while True:
            yield env.timeout(interarrival())
            now = env.now
            monitor.release(now)
            lot = Lot(1.0, now)
            if not first.put(lot):
                event = env.event()
                first.block(event, lot)
                self.arrivals_blocked = True
                yield event
                self.arrivals_blocked = False

    def material_holders(self) -> dict[str, Buffer | Delay]:
        """Where each material waits or soaks, in flow order (as the file lists them); raw
        and finished materials have no holder."""
        soaks = {
            next(iter(self.line.station(name).inputs or {})): delay
            for name, delay in self.delays.items()
        }
        holders: dict[str, Buffer | Delay] = {}
        for name in self.line.materials or {}:
            holder = soaks.get(name, self.buffers.get(name))
            if isinstance(holder, Buffer | Delay):
                holders[name] = holder
        return holders

    def queue_areas(self) -> dict[str, float]:
        """Each machine station's queue: the time integral of its input buffer when it is
        the buffer's only taker and takes nothing else held [units x time unit]."""
        takers: dict[str, int] = {}
        for spec in self.line.stations:
            for material in spec.inputs or {}:
                takers[material] = takers.get(material, 0) + 1
        areas = {}
        for run in self.stations:
            inputs = list(run.spec.inputs or {})
            holder = self.buffers.get(inputs[0]) if len(inputs) == 1 else None
            if isinstance(holder, Buffer) and takers[inputs[0]] == 1:
                areas[run.name] = holder.area
        return areas

    def sample_materials(self) -> Generator[simpy.Event, Any, None]:
        """SimPy process: the level area of each buffer and delay in each bin of the window."""
        env = self.env
        holders = self.material_holders()
        self.material_bins = {name: [0.0] * self.bins for name in holders}

        before = {name: holder.area_at(env.now) for name, holder in holders.items()}
        for index in range(self.bins):
            if index == self.bins - 1:
                # The last edge is the end of the run, where this process is not resumed.
                self.last_material_bin = (before, holders)
                return
            yield env.timeout(self.bin_width)
            for name, holder in holders.items():
                now_area = holder.area_at(env.now)
                self.material_bins[name][index] = now_area - before[name]
                before[name] = now_area

    def close_material_bins(self) -> None:
        """Record the last bin of each material at the end of the run."""
        before, holders = self.last_material_bin
        for name, holder in holders.items():
            self.material_bins[name][-1] = holder.area - before[name]

    def reset(self, now: float) -> None:
        """Start measuring at ``now`` (end of the warm-up)."""
        if self.monitor is not None:
            self.monitor.reset(now)
        if self.demand is not None:
            self.demand.reset(now)
        for sink in self.sinks.values():
            sink.reset()
        for run in self.stations:
            run.reset(now)
        for delay in self.delays.values():
            delay.reset_counters()
        for station_mix in self.mixes.values():
            station_mix.reset(now)
        for counts in self.delay_types.values():
            counts.reset()
        for buffer in self.buffers.values():
            buffer.measure_from_now()

    def stuck(self) -> bool:
        """Whether nothing can happen any more: every machine waits for material or room,
        no lot is soaking and no arrival is coming (the samplers of the measured window
        still have events pending, so an empty event queue cannot tell)."""
        if self.arrivals and not self.arrivals_blocked:
            return False
        if self.demand is not None:  # waiting for orders is idling, not a deadlock
            return False
        if any(delay.soaking for delay in self.delays.values()):
            return False
        if any(run.rework is not None and run.rework.on_bench for run in self.stations):
            return False
        return all(
            machine.clock.state in (IDLE, BLOCKED) or _never_on(run, machine)
            for run in self.stations
            for machine in run.machines
        )

    def waiting_report(self) -> str:
        """What each stuck station waits for, for the deadlock error."""
        waiting = []
        for run in self.stations:
            idle = sum(1 for m in run.machines if m.clock.state == IDLE)
            blocked = sum(1 for m in run.machines if m.clock.state == BLOCKED)
            if idle:
                needs = ", ".join(
                    f"{run.batch_min * q:g} of {b.name} (has {b.available():g})"
                    for b, q in run.inputs
                )
                waiting.append(f"{run.name}: {idle} machine(s) wait for {needs}")
            if blocked:
                waiting.append(
                    f"{run.name}: {blocked} machine(s) blocked by a full "
                    f"{getattr(run.out, 'name', 'output')}"
                )
            if any(_never_on(run, m) for m in run.machines):
                waiting.append(f"{run.name}: never staffed (its shifts give no time)")
        return "; ".join(waiting) or "no station is active"


def _rework_queue(line: Line, spec: Station, holders: dict[str, Any]) -> Buffer | None:
    """The buffer that units ``spec`` sends back to be reworked re-enter: the held input of
    the rework target (the loader checked there is one)."""
    if spec.rework is None:
        return None
    target = line.station(spec.rework.to)
    for material in target.inputs or {}:
        holder = holders[material]
        if isinstance(holder, Buffer):
            return holder
    raise AssertionError(f"rework target {target.name!r} has no queue")


def _never_on(run: StationRun, machine: Any) -> bool:
    """Whether ``machine`` is off shift for good: its station's shifts give no time."""
    calendar = run.calendar
    return machine.clock.state == OFF_SHIFT and calendar is not None and calendar.on_per_period <= 0
