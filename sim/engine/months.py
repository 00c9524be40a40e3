"""Observations per month of the measured window, for a line that ramps up.

At each month edge (every 1/12 of a 365-day year from the window's start, the last month
ending with the run) the recorder reads the cumulative counters of every station, delay,
sink and of the line monitor; the difference of two edges is the month's. Each month is
returned as a :class:`~sim.engine.replication.ReplicationResult` of its own window, so the
analysis layer computes its KPIs (output, yield, OEE, cost per Ah) by the same definitions
as the run's. Nothing is done per event.

Time a machine waited and that a station reclassifies after the fact (a calendar failure
or hours off shift that fell while it waited) is counted in the month the machine next
acts; the months still add up to the run exactly.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from sim.engine.monitor import STATES

if TYPE_CHECKING:
    import simpy

    from sim.engine.build import LineBuild
    from sim.engine.replication import ReplicationResult, StationResult
    from sim.engine.station import StationRun

__all__ = ["MonthRecorder"]

_COUNTS = (
    "cycles",
    "units_out",
    "scrapped",
    "found",
    "lost_work",
    "repairs",
    "setups",
    "minor_stops",
    "maintenances",
)
"""The counters of a machine station read at each edge."""
_SINK = ("units", "escaped", "flow_sum", "flow_sumsq", "units_total")
"""The counters of a sink read at each edge."""


@dataclass(frozen=True, slots=True)
class _Edge:
    """Cumulative counts at one month edge ``time`` [time unit]."""

    time: float
    stations: dict[str, tuple[float, ...]]
    states: dict[str, tuple[float, ...]]
    delays: dict[str, tuple[float, ...]]
    sinks: dict[str, tuple[float, ...]]
    line: tuple[float, ...]
    materials: dict[str, float]


def _station_counts(run: StationRun) -> tuple[float, ...]:
    """A machine station's counters now; a simple station's machines count its cycles."""
    values = [float(getattr(run, name)) for name in _COUNTS]
    if run.simple:
        cycles = float(sum(piece.cycles for piece in run.pieces))
        values[0], values[1] = cycles, cycles - run.scrapped
    return tuple(values)


def _state_times(run: StationRun, now: float) -> tuple[float, ...]:
    """Machine time per state up to ``now``, open intervals included [time unit]."""
    times = list(run.state_time)
    for machine in run.machines:
        times[machine.clock.state] += now - machine.clock.since
    return tuple(times)


class MonthRecorder:
    """Reads a replication's counters at each month edge of [``start``, ``end``]."""

    def __init__(self, build: LineBuild, start: float, end: float, month: float) -> None:
        self.build = build
        self.start = start
        self.end = end
        self.month = month
        self.edges: list[_Edge] = []

    def _read(self, now: float) -> None:
        build = self.build
        monitor = build.monitor
        self.edges.append(
            _Edge(
                time=now,
                stations={run.name: _station_counts(run) for run in build.stations},
                states={run.name: _state_times(run, now) for run in build.stations},
                delays={
                    name: (
                        float(delay.lots_in),
                        delay.units_out,
                        delay.scrapped,
                        delay.lost_work,
                        delay.area_at(now),
                    )
                    for name, delay in build.delays.items()
                },
                sinks={
                    name: tuple(float(getattr(sink, key)) for key in _SINK)
                    for name, sink in build.sinks.items()
                },
                line=(
                    (
                        monitor.released,
                        monitor.scrapped,
                        monitor.wip_area + monitor.wip * (now - monitor.wip_last),
                        monitor.wip,
                    )
                    if monitor is not None
                    else (0.0, 0.0, 0.0, 0.0)
                ),
                materials={
                    name: holder.area_at(now) for name, holder in build.material_holders().items()
                },
            )
        )

    def sample(self, env: simpy.Environment) -> Generator[simpy.Event, Any, None]:
        """SimPy process: read the window's start and every month edge before its end
        (:meth:`close` reads the end, after the stations have closed their states)."""
        self._read(env.now)
        edge = self.start + self.month
        while edge < self.end - 1e-9 * self.month:
            yield env.timeout(edge - env.now)
            self._read(env.now)
            edge += self.month

    def close(self, end: float) -> None:
        """Read the last edge at ``end``."""
        self._read(end)

    def results(self, run: ReplicationResult) -> list[ReplicationResult]:
        """Each month as a result of its own window (``warmup`` its start, ``horizon`` its
        length [time unit]); the run's ``run`` gives what does not change (the stations'
        kinds, machines, ideal times)."""
        months = []
        for before, after in zip(self.edges, self.edges[1:], strict=False):
            months.append(_month(run, before, after))
        return months


def _difference(after: tuple[float, ...], before: tuple[float, ...]) -> list[float]:
    return [a - b for a, b in zip(after, before, strict=True)]


def _month(run: ReplicationResult, before: _Edge, after: _Edge) -> ReplicationResult:
    """The result of the month between two edges."""
    stations: dict[str, StationResult] = {}
    for name, station in run.stations.items():
        if name in after.delays:
            lots, out, scrapped, lost, area = _difference(after.delays[name], before.delays[name])
            stations[name] = replace(
                station,
                cycles=lots,
                units_out=out,
                scrapped=scrapped,
                lost_work=lost,
                content_area=area,
            )
            continue
        counts = _difference(after.stations[name], before.stations[name])
        states = _difference(after.states[name], before.states[name])
        cycles, units_out, scrapped, found, lost_work = counts[:5]
        repairs, setups, minor_stops, maintenances = (round(value) for value in counts[5:])
        stations[name] = replace(
            station,
            state_time=dict(zip(STATES, states, strict=True)),
            content_area=0.0,
            cycles=cycles,
            units_out=units_out,
            scrapped=scrapped,
            found=found,
            lost_work=lost_work,
            repairs=repairs,
            setups=setups,
            minor_stops=minor_stops,
            maintenances=maintenances,
        )
    finished = {
        name: dict(zip(_SINK, _difference(after.sinks[name], before.sinks[name]), strict=True))
        for name in after.sinks
    }
    released, scrapped, wip_area, _ = _difference(after.line, before.line)
    main = next(iter(finished.values()), None)
    return replace(
        run,
        horizon=after.time - before.time,
        warmup=before.time,
        released=released,
        good=main["units"] if main else 0.0,
        scrapped=scrapped,
        wip_area=wip_area,
        wip_start=before.line[3],
        wip_end=after.line[3],
        flow_sum=main["flow_sum"] if main else 0.0,
        flow_sumsq=main["flow_sumsq"] if main else 0.0,
        stations=stations,
        finished=finished,
        material_area={
            name: after.materials[name] - before.materials[name] for name in after.materials
        },
        exits_per_bin=[],
        wip_area_per_bin=[],
        material_area_per_bin={},
        state_time_per_bin={},
        events=0,
        months=[],
    )
