"""Build a line's run-time objects and run one replication, returning raw observations."""

from __future__ import annotations

import math
from array import array
from dataclasses import dataclass, field, replace
from typing import Any

from sim.checks import MAX_SEED, check_duration, check_whole
from sim.engine._simpy import LineEnvironment, events_scheduled, number_in_rounds
from sim.engine.bounded import BoundedEnvironment
from sim.engine.build import LineBuild
from sim.engine.demand import DemandResult
from sim.engine.flood import ROUND, flood_guard
from sim.engine.mix_result import MixResult, mix_result
from sim.engine.monitor import STATES, StateObserver
from sim.engine.months import MonthRecorder
from sim.engine.ramp import month_length
from sim.engine.state_bins import StateBins
from sim.engine.station import StationRun
from sim.errors import ConfigError, RunError
from sim.model.line import Line
from sim.model.serial import as_general
from sim.model.units import MAX_RUN_S, SECONDS_PER

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
    input buffer of a machine station that is its only taker (its queue; else 0)
    [units x time unit].
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
    graded: dict[str, float] = field(default_factory=dict)
    """A grading station's good units of each grade, in the file's order [output unit]
    (empty without grades); ``units_out`` includes the sold grades."""
    graded_rejected: float = 0.0
    """Units below the lowest grade, inside ``scrapped`` [output unit]."""
    graded_sold: float = 0.0
    """Units of the grades that do not go on, sold here, inside ``units_out`` [unit]."""
    rework: dict[str, float] = field(default_factory=dict)
    """A rework loop's counts [output unit]: ``checked`` (every pass), ``first_checked``,
    ``first_failed``, ``reworked`` (sent back) and ``limit_scrapped`` (failed the last
    allowed pass; inside ``scrapped``); empty without rework."""


@dataclass(frozen=True)
class ReplicationResult:
    """Raw observations of one replication over the window [warmup, warmup + horizon].

    Job counts (``released``, ``scrapped``, ``wip_*``) are in units of the line's one raw
    material, ``released_material`` (a serial line's jobs); zero when stations draw several
    raw materials (``released_material`` is then empty). ``good`` and ``flow_*`` are those
    of the first finished material. ``finished`` holds per finished material the good units,
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
    released_material: str = ""
    """The raw material whose release is counted (a serial line's first station's jobs);
    empty when stations draw several raw materials."""
    products: MixResult | None = None
    """A product mix's counts by type (``None`` on a line without ``products``)."""
    months: list[ReplicationResult] = field(default_factory=list)
    """A line that ramps up (``ramp_up``): each month of the window as a result of its own
    (``warmup`` its start, ``horizon`` its length [time unit], a month being 1/12 of a
    365-day year; the last may be shorter); empty otherwise."""
    demand: DemandResult | None = None
    """Orders, finished stock and backlog in the window, when the line has a demand."""


def simulate(
    line: Line,
    horizon: float,
    warmup: float = 0.0,
    seed: int = 1,
    replication: int = 0,
    max_events: int | None = None,
    observer: StateObserver | None = None,
) -> ReplicationResult:
    """Simulate ``line`` for ``warmup + horizon`` [time unit] and observe the last ``horizon``.

    A serial line is simulated as its general twin (:func:`sim.model.serial.as_general`).

    ``observer`` (the ``--trace`` recorder; ``None`` costs nothing) is told of every machine
    state change and finished run from time 0; its ``attach(station, index, clock)`` is
    called once per machine before the run starts.

    Randomness comes only from streams keyed (seed, replication, station, purpose).
    Raises :class:`RunError` when the line deadlocks (no event possible while work waits),
    or when more than ``max_events`` SimPy events [-] were processed. Without ``max_events``,
    a run that schedules far more events than its rates and clocks give is stopped
    (:func:`sim.engine.flood.flood_guard`).
    """
    horizon, warmup, seed, replication = _checked(
        line, horizon, warmup, seed, replication, max_events
    )
    given = line
    line = as_general(line)
    wip = line.release.wip or 0
    if max_events is not None and wip > max_events:  # each job is work, even before events
        raise RunError(
            f"line {line.name!r}: CONWIP puts {wip:,} jobs in the line at the "
            f"start, more than the bound of {max_events:,} events; raise "
            "--max-events or lower release.wip"
        )
    if max_events is None:  # a flood is stopped; a bound given is held exactly
        env: LineEnvironment = LineEnvironment()
        number_in_rounds(env, ROUND, flood_guard(given))
    else:
        env = BoundedEnvironment(line.name, max_events, warmup + horizon)
    build = LineBuild(env, line, TIME_BINS, horizon / TIME_BINS, warmup, seed, replication)
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
    env.process(build.sample_materials())
    state_bins = StateBins(build.stations, warmup, build.bin_width, TIME_BINS)
    env.process(state_bins.sample(env))
    end = warmup + horizon
    months = None
    if line.ramp_up is not None:
        months = MonthRecorder(build, warmup, end, month_length(line))
        env.process(months.sample(env))
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
    build.close_material_bins()
    state_bins.close(end)
    result = _result(build, line, horizon, warmup, seed, replication, state_bins)
    if months is None:
        return result
    months.close(end)
    return replace(result, months=months.results(result))


def _checked(
    line: Line,
    horizon: Any,
    warmup: Any,
    seed: Any,
    replication: Any,
    max_events: Any,
) -> tuple[float, float, int, int]:
    """Check :func:`simulate`'s arguments as the API checks its own: a
    :class:`ConfigError` naming ``sim.simulate()``, the argument and what is allowed,
    instead of SimPy's or numpy's ValueError from inside the run."""
    unit = line.time_unit
    longest = MAX_RUN_S / SECONDS_PER[unit]
    times = []
    for name, value, zero in (("horizon", horizon, False), ("warmup", warmup, True)):
        if isinstance(value, str):
            raise ConfigError(
                f"must be a number in the line's time unit ({unit}), got {value!r}; "
                "sim.run() and sim.compare() take durations such as '30 d'",
                file="sim.simulate()",
                path=name,
            )
        number = check_duration("simulate", name, value, zero)
        assert isinstance(number, float)
        if number > longest:
            raise ConfigError(
                f"must be at most 1000 y ({longest:.6g} {unit}), got {number:g}",
                file="sim.simulate()",
                path=name,
            )
        times.append(number)
    if times[0] + times[1] <= times[1]:
        raise ConfigError(
            f"{times[0]:g} {unit} vanishes when added to the warm-up of {times[1]:g} {unit} "
            "(floating point); give a longer horizon or a shorter warm-up",
            file="sim.simulate()",
            path="horizon",
        )
    seed = check_whole("simulate", "seed", seed, 0, MAX_SEED)
    replication = check_whole("simulate", "replication", replication, 0, MAX_SEED)
    check_whole("simulate", "max_events", max_events, 1, 2**63 - 1)
    assert seed is not None and replication is not None
    return times[0], times[1], seed, replication


def _quality_counts(run: StationRun) -> dict[str, Any]:
    """The grade and rework counts of a machine station (none without them)."""
    counts: dict[str, Any] = {}
    grader = run.grader
    if grader is not None:
        counts["graded"] = dict(zip(grader.names, grader.graded, strict=True))
        counts["graded_rejected"] = grader.rejected
        counts["graded_sold"] = sum(
            n for n, on in zip(grader.graded, grader.on, strict=True) if not on
        )
    rework = run.rework
    if rework is not None:
        counts["rework"] = {
            "checked": rework.checked,
            "first_checked": rework.first_checked,
            "first_failed": rework.first_failed,
            "reworked": rework.reworked,
            "limit_scrapped": rework.limit_scrapped,
        }
    return counts


def _result(
    build: LineBuild,
    line: Line,
    horizon: float,
    warmup: float,
    seed: int,
    replication: int,
    state_bins: StateBins,
) -> ReplicationResult:
    stations: dict[str, StationResult] = {}
    runs = {run.name: run for run in build.stations}
    queues = build.queue_areas()
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
            content_area=queues.get(spec.name, 0.0),
            ideal_time_per_cycle=(
                spec.ideal_time_per_cycle
                if run.mix is None
                else run.mix.ideal_time_per_cycle(spec.ideal_time_per_cycle)
            ),
            out_per_cycle=run.out_per_cycle,
            **_quality_counts(run),
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
        good=main_sink.units if main_sink else 0.0,
        scrapped=monitor.scrapped if monitor else 0.0,
        wip_area=monitor.wip_area if monitor else 0.0,
        wip_start=monitor.wip_start if monitor else 0.0,
        wip_end=monitor.wip if monitor else 0.0,
        flow_sum=main_sink.flow_sum if main_sink else 0.0,
        flow_sumsq=main_sink.flow_sumsq if main_sink else 0.0,
        released_total=monitor.released_total if monitor else 0.0,
        good_total=main_sink.units_total if main_sink else 0.0,
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
        released_material=build.entry or "",
        wip_area_per_bin=list(monitor.wip_area_per_bin) if monitor else [],
        products=mix_result(build),
        demand=build.demand.result(warmup + horizon) if build.demand is not None else None,
    )
