"""``linesim run --trace``: record a replication's machine states and finished runs as an
MES event log, in the format ``linesim fit`` reads.

The engine only calls the recorder (:class:`sim.engine.monitor.StateObserver`); this module
turns what it heard into a table and writes ``trace.parquet`` (``trace.csv`` without
pyarrow). One row per state start of one machine; a busy row carries the good units and
scrap finished at its end, and every run of cycles starts its own busy row, so a log of a
line of jobs holds one busy row per cycle.
"""

from __future__ import annotations

import math
import os
from array import array
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from sim.atomic import atomic_open
from sim.engine.monitor import BUSY, STATES
from sim.model.units import SECONDS_PER

if TYPE_CHECKING:
    from sim.engine.monitor import MachineClock
    from sim.model.scenario import Scenario

__all__ = [
    "DEFAULT_TRACE_LIMIT",
    "TraceRecorder",
    "TraceTable",
    "trace_replication",
    "trace_to_folder",
    "write_trace",
]

DEFAULT_TRACE_LIMIT = 10_000_000
"""Rows a trace records at most unless ``--trace-limit`` says otherwise [-]."""


@dataclass(frozen=True)
class TraceTable:
    """A trace as columns, sorted by time.

    ``timestamp`` is seconds since the start of the measured window [s]; ``end`` the log's
    end [s]; ``truncated`` says the row limit stopped recording before the run's end.
    """

    timestamp: np.ndarray
    station: list[str]
    machine: list[str]
    state: list[str]
    units: np.ndarray
    scrap: np.ndarray
    end: float
    truncated: bool

    def __len__(self) -> int:
        return len(self.timestamp)


class TraceRecorder:
    """The observer the engine tells of state changes and finished runs.

    Rows are appended to flat arrays (no per-row objects); ``limit`` bounds the rows [-].
    """

    def __init__(self, limit: int | None = DEFAULT_TRACE_LIMIT) -> None:
        self.limit = limit if limit is not None else math.inf
        self.times = array("d")
        self.keys = array("l")
        self.states = array("b")
        self.units = array("d")
        self.scrap = array("d")
        self.machines: list[tuple[str, int]] = []
        self.current: list[int] = []
        """Row of each machine's current state."""
        self.done_at: list[float] = []
        """When the current busy row's run finished (NaN while it runs)."""
        self.full_at: float | None = None
        """Time the row limit was reached [time unit]; ``None`` while recording."""

    def attach(self, station: str, index: int, clock: MachineClock) -> None:
        """Watch machine ``index`` of ``station`` from its clock's current state."""
        key = len(self.machines)
        self.machines.append((station, index))
        self.current.append(-1)
        self.done_at.append(math.nan)
        clock.observer = self
        clock.key = key
        self._row(clock.since, key, clock.state)

    def _row(self, now: float, key: int, state: int) -> None:
        if self.full_at is not None:
            return
        if len(self.times) >= self.limit:
            self.full_at = now
            return
        self.current[key] = len(self.times)
        self.done_at[key] = math.nan
        self.times.append(now)
        self.keys.append(key)
        self.states.append(state)
        self.units.append(0.0)
        self.scrap.append(0.0)

    def _resume(self, key: int, now: float) -> None:
        """A machine still busy after its last finished run began the next one when that
        one ended: open its row there (rows are written lazily, one per run)."""
        done = self.done_at[key]
        if not math.isnan(done) and now > done:
            self._row(done, key, BUSY)

    def state(self, key: int, state: int, now: float) -> None:
        """Machine ``key`` enters ``state`` at ``now`` [time unit]."""
        self._resume(key, now)
        self._row(now, key, state)

    def finished(self, key: int, good: float, scrapped: float, now: float) -> None:
        """Machine ``key`` finished a run at ``now`` with ``good`` units and ``scrapped``."""
        if self.full_at is not None:
            return
        self._resume(key, now)
        if self.full_at is not None:
            return
        row = self.current[key]
        self.units[row] += good
        self.scrap[row] += scrapped
        self.done_at[key] = now

    def table(self, start: float, end: float, time_unit: str) -> TraceTable:
        """The rows of the window [start, end] [time unit] as a table in seconds from
        ``start``: each machine's state at ``start`` opens its log there."""
        stop = end if self.full_at is None else min(end, self.full_at)
        times = np.frombuffer(self.times, dtype=np.float64)
        keys = np.frombuffer(self.keys, dtype=np.int64)
        states = np.frombuffer(self.states, dtype=np.int8)
        units = np.frombuffer(self.units, dtype=np.float64)
        scrap = np.frombuffer(self.scrap, dtype=np.float64)
        # A machine busy since its last finished run is in a run not yet finished.
        extra = [
            (done, key)
            for key, done in enumerate(self.done_at)
            if not math.isnan(done) and done < stop
        ]
        if extra:
            times = np.concatenate([times, [done for done, _ in extra]])
            keys = np.concatenate([keys, [key for _, key in extra]])
            states = np.concatenate([states, np.full(len(extra), BUSY, dtype=np.int8)])
            units = np.concatenate([units, np.zeros(len(extra))])
            scrap = np.concatenate([scrap, np.zeros(len(extra))])
        order = np.lexsort((np.arange(len(times)), times))
        times, keys, states = times[order], keys[order], states[order]
        units, scrap = units[order], scrap[order]
        before = times < start
        # The last row of each machine before the start opens its log at the start.
        last_before = np.zeros(len(times), dtype=bool)
        if before.any():
            index = np.flatnonzero(before)
            reversed_keys = keys[index][::-1]
            _, first = np.unique(reversed_keys, return_index=True)
            last_before[index[::-1][first]] = True
        keep = (~before | last_before) & (times <= stop)
        times = np.maximum(times[keep], start)
        keys, states, units, scrap = keys[keep], states[keep], units[keep], scrap[keep]
        seconds = SECONDS_PER[time_unit]
        station_names = [self.machines[k][0] for k in range(len(self.machines))]
        machine_ids = [str(self.machines[k][1] + 1) for k in range(len(self.machines))]
        key_list = keys.tolist()
        return TraceTable(
            timestamp=(times - start) * seconds,
            station=[station_names[k] for k in key_list],
            machine=[machine_ids[k] for k in key_list],
            state=[STATES[s] for s in states.tolist()],
            units=units.copy(),
            scrap=scrap.copy(),
            end=(stop - start) * seconds,
            truncated=self.full_at is not None,
        )


def trace_replication(
    scenario: Scenario, replication: int = 0, limit: int | None = DEFAULT_TRACE_LIMIT
) -> TraceTable:
    """Run one replication of ``scenario`` with the recorder on and return its trace over
    the measured window (same seed, so the same numbers as that replication of a run)."""
    from sim.engine import simulate

    recorder = TraceRecorder(limit)
    simulate(
        scenario.line,
        scenario.horizon,
        scenario.warmup,
        scenario.seed,
        replication,
        observer=recorder,
    )
    end = scenario.warmup + scenario.horizon
    return recorder.table(scenario.warmup, end, scenario.line.time_unit)


def write_trace(table: TraceTable, folder: str | os.PathLike[str]) -> Path:
    """Write ``trace.parquet`` into ``folder`` (``trace.csv`` when pyarrow is missing) and
    return its path. The log's end [s] is kept in the Parquet metadata (``linesim.end``)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        return _write_csv(table, folder / "trace.csv")
    arrow = pa.table(
        {
            "timestamp": pa.array(table.timestamp, pa.float64()),
            "station": pa.array(table.station, pa.string()).dictionary_encode(),
            "machine": pa.array(table.machine, pa.string()).dictionary_encode(),
            "state": pa.array(table.state, pa.string()).dictionary_encode(),
            "units": pa.array(table.units, pa.float64()),
            "scrap": pa.array(table.scrap, pa.float64()),
        }
    ).replace_schema_metadata(
        {"linesim.end": repr(table.end), "linesim.time": "seconds", "linesim.trace": "1"}
    )
    path = folder / "trace.parquet"
    with atomic_open(path, binary=True) as stream:
        pq.write_table(arrow, stream)
    return path


def _write_csv(table: TraceTable, path: Path) -> Path:
    import csv

    with atomic_open(path) as stream:
        writer = csv.writer(stream)
        writer.writerow(["timestamp", "station", "machine", "state", "units", "scrap"])
        writer.writerows(
            zip(
                (f"{t:.6f}" for t in table.timestamp.tolist()),
                table.station,
                table.machine,
                table.state,
                (f"{u:g}" for u in table.units.tolist()),
                (f"{s:g}" for s in table.scrap.tolist()),
                strict=True,
            )
        )
    return path


def trace_to_folder(scenario: Scenario, folder: str | os.PathLike[str], limit: int | None) -> str:
    """``run --trace``: trace replication 1 (index 0) again in this process with the
    recorder on (same seed, same numbers), write it into ``folder``, and say what was
    written. ``limit`` is the row bound [-] (``None``: :data:`DEFAULT_TRACE_LIMIT`)."""
    from sim.errors import ConfigError

    if limit is not None and limit < 1:
        raise ConfigError("--trace-limit must be >= 1 [rows]")
    table = trace_replication(scenario, 0, DEFAULT_TRACE_LIMIT if limit is None else limit)
    path = write_trace(table, folder)
    text = f"trace: {path} ({len(table):,} rows, {table.end:,.0f} s)"
    if table.truncated:
        unit = scenario.line.time_unit
        reached = table.end / SECONDS_PER[unit]
        text += (
            f"\n[yellow]trace limit:[/yellow] {len(table):,} rows reached at "
            f"{reached:.6g} {unit} of the {scenario.horizon:.6g} {unit} window; the log ends "
            "there (raise --trace-limit or shorten --horizon)"
        )
    return text
