"""Run one replication of a line and return its raw observations."""

from __future__ import annotations

import math
from collections.abc import Generator
from dataclasses import dataclass, field
from typing import Any

import simpy

from sim.engine.buffer import Buffer, Sink, Source
from sim.engine.monitor import BLOCKED, IDLE, STATES, LineMonitor
from sim.engine.rng import sampler, stream
from sim.engine.station import StationRun
from sim.errors import RunError
from sim.model.line import Line

__all__ = ["TIME_BINS", "ReplicationResult", "StationResult", "simulate"]

TIME_BINS = 200
"""Bins of the measured window kept for throughput and WIP curves [-]."""


@dataclass(frozen=True)
class StationResult:
    """What one station did in the measured window.

    ``state_time`` is machine-time per state [time unit], summed over the machines, in the
    order of :data:`sim.engine.monitor.STATES`; ``queue_area`` is the time integral of the
    input buffer level [jobs x time unit].
    """

    machines: int
    state_time: dict[str, float]
    cycles: int
    jobs_done: int
    scrapped: int
    repairs: int
    setups: int
    queue_area: float
    ideal_cycle_time: float
    batch_max: int


@dataclass(frozen=True)
class ReplicationResult:
    """Raw observations of one replication over the window [warmup, warmup + horizon].

    Counts are jobs [-]; times are in the line's time unit; ``*_total`` counts run from 0.
    """

    replication: int
    seed: int
    horizon: float
    warmup: float
    released: int
    good: int
    scrapped: int
    wip_area: float
    wip_start: int
    wip_end: int
    flow_sum: float
    flow_sumsq: float
    released_total: int
    good_total: int
    scrapped_total: int
    stations: dict[str, StationResult]
    exits_per_bin: list[int] = field(default_factory=list)
    wip_area_per_bin: list[float] = field(default_factory=list)


def _arrivals(env: simpy.Environment, line: Line, first: Buffer, monitor: LineMonitor,
              seed: int, replication: int) -> Generator[simpy.Event, Any, None]:
    """Push release: a job arrives every interarrival and waits at the door while it is full."""
    assert line.release.interarrival is not None
    interarrival = sampler(line.release.interarrival, stream(seed, replication, "release",
                                                             "interarrival"))
    timeout = env.timeout
    while True:
        yield timeout(interarrival())
        now = env.now
        monitor.release(now)
        if not first.put(now):
            event = env.event()
            first.putters.append((event, now))
            yield event


def _deadlock_report(stations: list[StationRun]) -> str:
    waiting = []
    for run in stations:
        idle = sum(1 for m in run.machines if m.clock.state == IDLE)
        blocked = sum(1 for m in run.machines if m.clock.state == BLOCKED)
        if idle:
            waiting.append(f"{run.name}: {idle} machine(s) wait for {run.batch_min} job(s), "
                           f"{run.inbuf.level()} waiting")
        if blocked:
            waiting.append(f"{run.name}: {blocked} machine(s) blocked by a full downstream buffer")
    return "; ".join(waiting) or "no station is active"


def simulate(line: Line, horizon: float, warmup: float = 0.0, seed: int = 1,
             replication: int = 0) -> ReplicationResult:
    """Simulate ``line`` for ``warmup + horizon`` [time unit] and observe the last ``horizon``.

    Randomness comes only from streams keyed (seed, replication, station, purpose).
    Raises :class:`RunError` when the line deadlocks (no event possible while work waits).
    """
    env = simpy.Environment()
    monitor = LineMonitor(env, TIME_BINS, horizon / TIME_BINS, warmup)
    source: Source | None = None
    buffers: list[Buffer | Source] = []
    for index, spec in enumerate(line.stations):
        if index == 0 and line.release.policy == "push" and line.release.interarrival is None:
            source = Source(env, monitor)
            buffers.append(source)
        else:
            capacity = math.inf if spec.buffer is None else spec.buffer
            buffers.append(Buffer(env, spec.name, capacity))
    sink = Sink(monitor)
    stations: list[StationRun] = []
    for index, spec in enumerate(line.stations):
        downstream = buffers[index + 1] if index + 1 < len(buffers) else sink
        assert not isinstance(downstream, Source)
        stations.append(StationRun(env, spec, buffers[index], downstream, monitor, seed,
                                   replication))
    first = buffers[0]
    if line.release.policy == "conwip":
        assert isinstance(first, Buffer) and line.release.wip is not None
        for _ in range(line.release.wip):
            monitor.release(0.0)
            first.put(0.0)
        monitor.conwip_entry = first
    elif source is None:
        assert isinstance(first, Buffer)
        env.process(_arrivals(env, line, first, monitor, seed, replication))

    if warmup > 0:
        env.run(until=warmup)
    monitor.reset(warmup)
    for run in stations:
        run.reset(warmup)
    env.process(monitor.sample_bins(env))
    end = warmup + horizon
    env.run(until=end)
    if env.peek() == math.inf:
        raise RunError(f"line {line.name!r} deadlocked before t = {end:g}: "
                       + _deadlock_report(stations))
    monitor.release(end, 0)
    for run in stations:
        run.close(end)

    results = {}
    for run in stations:
        results[run.name] = StationResult(
            machines=len(run.machines),
            state_time=dict(zip(STATES, run.state_time, strict=True)),
            cycles=run.cycles,
            jobs_done=run.jobs_done,
            scrapped=run.scrapped,
            repairs=run.repairs,
            setups=run.setups,
            queue_area=run.inbuf.area,
            ideal_cycle_time=run.spec.process_time.mean,
            batch_max=run.batch_max,
        )
    return ReplicationResult(
        replication=replication,
        seed=seed,
        horizon=horizon,
        warmup=warmup,
        released=monitor.released,
        good=monitor.good,
        scrapped=monitor.scrapped,
        wip_area=monitor.wip_area,
        wip_start=monitor.wip_start,
        wip_end=monitor.wip,
        flow_sum=monitor.flow_sum,
        flow_sumsq=monitor.flow_sumsq,
        released_total=monitor.released_total,
        good_total=monitor.good_total,
        scrapped_total=monitor.scrapped_total,
        stations=results,
        exits_per_bin=list(monitor.exits),
        wip_area_per_bin=list(monitor.wip_area_per_bin),
    )
