"""Build a line's run-time objects and run one replication, returning raw observations."""

from __future__ import annotations

import math
from array import array
from collections.abc import Generator
from dataclasses import dataclass, field
from typing import Any

import simpy

from sim.engine.bounded import BoundedEnvironment, events_scheduled
from sim.engine.buffer import Buffer, Source
from sim.engine.calendar import ShiftCalendar
from sim.engine.delay import Delay
from sim.engine.lot import Lot
from sim.engine.monitor import (
    BLOCKED,
    IDLE,
    OFF_SHIFT,
    STATES,
    LineMonitor,
    Sink,
    StateObserver,
)
from sim.engine.rng import sampler, stream
from sim.engine.state_bins import StateBins
from sim.engine.station import StationRun, Wiring
from sim.errors import RunError
from sim.model.line import Line

__all__ = ["TIME_BINS", "ReplicationResult", "StationResult", "simulate"]

TIME_BINS = 200
"""Bins of the measured window kept for throughput and WIP curves [-]."""


@dataclass(frozen=True)
class StationResult:
    """What one station did in the measured window.

    ``state_time`` is machine time per state [time unit], summed over the machines, in the
    order of :data:`sim.engine.monitor.STATES` (empty for a delay). Quantities are in the
    station's output unit; ``lost_work`` is the machine time spent on units scrapped here
    [time unit]; ``content_area`` is the time integral of the units in a delay, or of the
    input buffer of a serial station [units x time unit].
    """

    kind: str
    machines: int
    state_time: dict[str, float]
    cycles: float
    units_out: float
    scrapped: float
    found: float
    lost_work: float
    repairs: int
    setups: int
    minor_stops: int
    maintenances: int
    content_area: float
    ideal_time_per_cycle: float
    out_per_cycle: float
    capacity: float = math.inf
    """A delay's most units inside [material unit] (unlimited for machines)."""


@dataclass(frozen=True)
class ReplicationResult:
    """Raw observations of one replication over the window [warmup, warmup + horizon].

    Job counts (``released``, ``good``, ``scrapped``, ``wip_*``) are those of a serial line,
    or of a general line under CONWIP in units of its released raw material (``good`` is
    then its first finished material); zero for a general line under push. ``finished``
    holds per finished material the good units,
    escaped defects and unit-weighted flow-time sums; ``material_area`` the time integral
    of each buffer's level [units x time unit]. ``*_total`` counts run from time 0.
    """

    replication: int
    seed: int
    horizon: float
    warmup: float
    released: float
    good: float
    scrapped: float
    wip_area: float
    wip_start: float
    wip_end: float
    flow_sum: float
    flow_sumsq: float
    released_total: float
    good_total: float
    scrapped_total: float
    stations: dict[str, StationResult]
    finished: dict[str, dict[str, float]] = field(default_factory=dict)
    material_area: dict[str, float] = field(default_factory=dict)
    exits_per_bin: list[float] = field(default_factory=list)
    wip_area_per_bin: list[float] = field(default_factory=list)
    material_area_per_bin: dict[str, list[float]] = field(default_factory=dict)
    state_time_per_bin: dict[str, dict[str, array[float]]] = field(default_factory=dict)
    """Machine station -> state -> machine time in each bin [time unit], summed over its
    machines; a state the station never entered in the window is left out, and the times
    are packed doubles (a sweep keeps many replications; results still compare with ==).
    A station's bins add up to machines x bin width, each state's bins to
    ``StationResult.state_time``."""
    events: int = 0
    """SimPy events scheduled in the whole run, warm-up included [-]."""


class _Build:
    """The run-time objects of one replication."""

    def __init__(
        self,
        env: simpy.Environment,
        line: Line,
        horizon: float,
        warmup: float,
        seed: int,
        replication: int,
    ) -> None:
        self.env = env
        self.line = line
        self.bin_width = horizon / TIME_BINS
        self.warmup = warmup
        self.seed = seed
        self.replication = replication
        self.monitor: LineMonitor | None = None
        self.stations: list[StationRun] = []
        self.delays: dict[str, Delay] = {}
        self.buffers: dict[str, Buffer | Source] = {}
        self.sinks: dict[str, Sink] = {}
        inspections = {s.defects.found_at for s in line.stations if s.defects is not None}
        self.inspections = inspections
        self.material_bins: dict[str, list[float]] = {}
        self.arrivals = line.release.policy == "push" and line.release.interarrival is not None
        self.arrivals_blocked = False

    def sink(
        self,
        name: str,
        monitor: LineMonitor | None = None,
        release_per_unit: float | None = None,
    ) -> Sink:
        sink = Sink(
            self.env, name, TIME_BINS, self.bin_width, self.warmup, monitor, release_per_unit
        )
        self.sinks[name] = sink
        return sink

    def calendar(self, station: str) -> ShiftCalendar | None:
        return self.line.calendars.get(station)

    def station(self, spec: Any, wiring: Wiring) -> None:
        self.stations.append(
            StationRun(
                self.env,
                spec,
                wiring,
                self.seed,
                self.replication,
                self.monitor,
                self.calendar(spec.name),
                spec.name in self.inspections,
            )
        )

    def serial(self) -> None:
        """A serial line: each station's input buffer holds jobs (lots of one)."""
        env, line = self.env, self.line
        monitor = self.monitor = LineMonitor(env, TIME_BINS, self.bin_width)
        holders: list[Buffer | Source] = []
        for index, spec in enumerate(line.stations):
            if index == 0 and line.release.policy == "push" and line.release.interarrival is None:
                holders.append(Source(env, spec.name, monitor))
            else:
                capacity = math.inf if spec.buffer is None else spec.buffer
                holders.append(Buffer(env, spec.name, capacity))
            self.buffers[spec.name] = holders[-1]
        sink = self.sink("out", monitor)
        for index, spec in enumerate(line.stations):
            out = holders[index + 1] if index + 1 < len(holders) else sink
            assert not isinstance(out, Source)
            self.station(spec, Wiring([(holders[index], 1.0)], out, 1.0, True, serial=True))
        first = holders[0]
        if line.release.policy == "conwip":
            assert isinstance(first, Buffer) and line.release.wip is not None
            for _ in range(line.release.wip):
                monitor.release(0.0)
                first.put(Lot(1.0, 0.0))
            monitor.conwip_entry = first
        elif isinstance(first, Buffer):
            env.process(self._arrivals(first, monitor))

    def _arrivals(self, first: Buffer, monitor: LineMonitor) -> Generator[simpy.Event, Any, None]:
        """Push release: a job arrives every interarrival and waits at the door while full."""
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

    def general(self) -> None:
        """A general line: one buffer per material, raw materials unlimited (push) or the
        one raw material released as units leave (CONWIP)."""
        env, line = self.env, self.line
        assert line.materials is not None
        produced = {s.output_material for s in line.stations}
        consumed = {m for s in line.stations for m in (s.inputs or {})}
        holders: dict[str, Buffer | Source | Delay | Sink] = {}
        per_unit: dict[str, float] = {}
        released = ""
        if line.release.policy == "conwip":
            released = next(m for s in line.stations for m in s.inputs or {} if m not in produced)
            per_unit = release_per_unit(line, released)
            self.monitor = LineMonitor(env, TIME_BINS, self.bin_width)
        monitor = self.monitor
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
        for name, material in line.materials.items():
            if name in holders:
                continue
            if name not in produced and name != released:
                holders[name] = self.buffers[name] = Source(env, name)
            elif name not in consumed:
                holders[name] = self.sink(name, monitor, per_unit.get(name))
            else:
                capacity = math.inf if material.buffer is None else material.buffer
                holders[name] = self.buffers[name] = Buffer(env, name, capacity)
        for spec in line.stations:
            out_material = spec.output_material or ""
            out = holders[out_material]
            assert not isinstance(out, Source)
            if spec.kind == "delay":
                delay = self.delays[spec.name]
                delay.out = out  # type: ignore[assignment]
                delay.monitor = monitor
                delay.release_per_unit = per_unit.get(out_material)
                continue
            # Raw materials are never short and carry no history: a run does not take them
            # as lots (what it uses is cycles x quantity).
            buffered = {
                m: q for m, q in (spec.inputs or {}).items() if not isinstance(holders[m], Source)
            }
            inputs = [(holders[m], q) for m, q in buffered.items()]
            pieces = tuple(line.materials[m].discrete for m in buffered)
            discrete = line.materials[out_material].discrete
            per_cycle = (spec.output or {})[out_material]
            wiring = Wiring(
                inputs,  # type: ignore[arg-type]
                out,  # type: ignore[arg-type]
                per_cycle,
                discrete,
                pieces,
                release_per_unit=per_unit.get(out_material) if monitor else None,
            )
            self.station(spec, wiring)
        if monitor is not None and line.release.wip is not None:
            entry = holders[released]
            assert isinstance(entry, Buffer)
            monitor.conwip_entry = entry
            monitor.release(0.0, line.release.wip)
            entry.put(Lot(float(line.release.wip), 0.0))

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

    def sample_materials(self) -> Generator[simpy.Event, Any, None]:
        """SimPy process: the level area of each buffer and delay in each bin of the window."""
        env = self.env
        holders = self.material_holders()
        self.material_bins = {name: [0.0] * TIME_BINS for name in holders}

        def area(holder: Buffer | Delay) -> float:
            return holder.area + holder.level * (env.now - holder.last)

        before = {name: area(holder) for name, holder in holders.items()}
        for index in range(TIME_BINS):
            if index == TIME_BINS - 1:
                # The last edge is the end of the run, where this process is not resumed.
                self.last_material_bin = (before, holders)
                return
            yield env.timeout(self.bin_width)
            for name, holder in holders.items():
                now_area = area(holder)
                self.material_bins[name][index] = now_area - before[name]
                before[name] = now_area

    def close_material_bins(self) -> None:
        """Record the last bin of each material at the end of the run."""
        before, holders = self.last_material_bin
        for name, holder in holders.items():
            self.material_bins[name][-1] = holder.area - before[name]

    def reset(self, now: float) -> None:
        if self.monitor is not None:
            self.monitor.reset(now)
        for sink in self.sinks.values():
            sink.reset()
        for run in self.stations:
            run.reset(now)
        for delay in self.delays.values():
            delay.reset_counters()
        for buffer in self.buffers.values():
            buffer.measure_from_now()

    def stuck(self) -> bool:
        """Whether nothing can happen any more: every machine waits for material or room,
        no lot is soaking and no arrival is coming (the samplers of the measured window
        still have events pending, so an empty event queue cannot tell)."""
        if self.arrivals and not self.arrivals_blocked:
            return False
        if any(delay.soaking for delay in self.delays.values()):
            return False
        return all(
            machine.clock.state in (IDLE, BLOCKED) or _never_on(run, machine)
            for run in self.stations
            for machine in run.machines
        )

    def waiting_report(self) -> str:
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


def release_per_unit(line: Line, released: str) -> dict[str, float]:
    """Units of the ``released`` material in one unit of each material made from it [-]:
    what a unit leaving the line (good or scrapped) gives back to a CONWIP release."""
    per_unit = {released: 1.0}
    changed = True
    while changed:
        changed = False
        for spec in line.stations:
            out = spec.output_material
            if out is None or out in per_unit:
                continue
            known = [(m, q) for m, q in (spec.inputs or {}).items() if m in per_unit]
            if known:
                given = (spec.output or {})[out]
                per_unit[out] = sum(q * per_unit[m] for m, q in known) / given
                changed = True
    return per_unit


def _never_on(run: StationRun, machine: Any) -> bool:
    """Whether ``machine`` is off shift for good: its station's shifts give no time."""
    calendar = run.calendar
    return machine.clock.state == OFF_SHIFT and calendar is not None and calendar.on_per_period <= 0


def simulate(
    line: Line,
    horizon: float,
    warmup: float = 0.0,
    seed: int = 1,
    replication: int = 0,
    max_events: int | None = None,
    max_memory: float | None = None,
    observer: StateObserver | None = None,
) -> ReplicationResult:
    """Simulate ``line`` for ``warmup + horizon`` [time unit] and observe the last ``horizon``.

    ``observer`` (the ``--trace`` recorder; ``None`` costs nothing) is told of every machine
    state change and finished run from time 0; its ``attach(station, index, clock)`` is
    called once per machine before the run starts.

    Randomness comes only from streams keyed (seed, replication, station, purpose).
    Raises :class:`RunError` when the line deadlocks (no event possible while work waits),
    or when more than ``max_events`` SimPy events [-] were scheduled, or when the process
    has used more than ``max_memory`` [MB] (``None``: no bound).
    """
    wip = line.release.wip or 0
    if max_events is not None and wip > max_events:  # each job is work, even before events
        raise RunError(
            f"line {line.name!r}: CONWIP puts {wip:,} jobs in the line at the "
            f"start, more than the bound of {max_events:,} events; raise "
            "--max-events or lower release.wip"
        )
    env = (
        simpy.Environment()
        if max_events is None and max_memory is None
        else BoundedEnvironment(line.name, max_events, warmup + horizon, max_memory)
    )
    build = _Build(env, line, horizon, warmup, seed, replication)
    if line.general:
        build.general()
    else:
        build.serial()
    if observer is not None:
        for run in build.stations:
            for machine in run.machines:
                observer.attach(run.name, machine.index, machine.clock)
    if warmup > 0:
        env.run(until=warmup)
    build.reset(warmup)
    monitor = build.monitor
    if monitor is not None:
        env.process(monitor.sample_bins(env))
    if line.general:
        env.process(build.sample_materials())
    state_bins = StateBins(build.stations, warmup, build.bin_width, TIME_BINS)
    env.process(state_bins.sample(env))
    end = warmup + horizon
    env.run(until=end)
    if build.stuck():
        raise RunError(
            f"line {line.name!r} deadlocked before t = {end:g}: " + build.waiting_report()
        )
    for run in build.stations:
        run.close(end)
    for holder in (*build.buffers.values(), *build.delays.values()):
        holder.close()
    if monitor is not None:
        monitor.release(end, 0.0)
        monitor.close_bins(end)
    if line.general:
        build.close_material_bins()
    state_bins.close(end)
    return _result(build, line, horizon, warmup, seed, replication, state_bins)


def _result(
    build: _Build,
    line: Line,
    horizon: float,
    warmup: float,
    seed: int,
    replication: int,
    state_bins: StateBins,
) -> ReplicationResult:
    stations: dict[str, StationResult] = {}
    runs = {run.name: run for run in build.stations}
    for spec in line.stations:
        if spec.kind == "delay":
            delay = build.delays[spec.name]
            stations[spec.name] = StationResult(
                kind="delay",
                machines=0,
                state_time={},
                cycles=delay.lots_in,
                units_out=delay.units_out,
                scrapped=delay.scrapped,
                found=0.0,
                lost_work=delay.lost_work,
                repairs=0,
                setups=0,
                minor_stops=0,
                maintenances=0,
                content_area=delay.area,
                ideal_time_per_cycle=spec.cycle_time.mean,
                out_per_cycle=(spec.output or {"": 1.0})[spec.output_material or ""],
                capacity=math.inf if spec.capacity is None else spec.capacity,
            )
            continue
        run = runs[spec.name]
        serial_input = build.buffers.get(spec.name) if not line.general else None
        stations[spec.name] = StationResult(
            kind="machine",
            machines=spec.machines,
            state_time=dict(zip(STATES, run.state_time, strict=True)),
            cycles=run.cycles,
            units_out=run.units_out,
            scrapped=run.scrapped,
            found=run.found,
            lost_work=run.lost_work,
            repairs=run.repairs,
            setups=run.setups,
            minor_stops=run.minor_stops,
            maintenances=run.maintenances,
            content_area=serial_input.area if serial_input is not None else 0.0,
            ideal_time_per_cycle=spec.ideal_time_per_cycle,
            out_per_cycle=run.out_per_cycle,
        )
    finished = {
        name: {
            "units": sink.units,
            "escaped": sink.escaped,
            "flow_sum": sink.flow_sum,
            "flow_sumsq": sink.flow_sumsq,
            "units_total": sink.units_total,
        }
        for name, sink in build.sinks.items()
    }
    monitor = build.monitor
    main_sink = next(iter(build.sinks.values()), None)
    return ReplicationResult(
        replication=replication,
        seed=seed,
        horizon=horizon,
        warmup=warmup,
        released=monitor.released if monitor else 0.0,
        good=main_sink.units if monitor and main_sink else 0.0,
        scrapped=monitor.scrapped if monitor else 0.0,
        wip_area=monitor.wip_area if monitor else 0.0,
        wip_start=monitor.wip_start if monitor else 0.0,
        wip_end=monitor.wip if monitor else 0.0,
        flow_sum=main_sink.flow_sum if monitor and main_sink else 0.0,
        flow_sumsq=main_sink.flow_sumsq if monitor and main_sink else 0.0,
        released_total=monitor.released_total if monitor else 0.0,
        good_total=main_sink.units_total if monitor and main_sink else 0.0,
        scrapped_total=monitor.scrapped_total if monitor else 0.0,
        stations=stations,
        finished=finished,
        material_area={name: holder.area for name, holder in build.material_holders().items()},
        exits_per_bin=list(main_sink.bins.counts) if main_sink else [],
        material_area_per_bin=build.material_bins,
        state_time_per_bin={
            run.name: {
                state: array("d", state_bins.time[index, :, column].tolist())
                for column, state in enumerate(STATES)
                if state_bins.time[index, :, column].any()
            }
            for index, run in enumerate(build.stations)
        },
        events=events_scheduled(build.env),
        wip_area_per_bin=list(monitor.wip_area_per_bin) if monitor else [],
    )
