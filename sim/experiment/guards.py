"""Default guards against runaway runs: a memory budget from the machine, an event budget.

A push release every 1e-9 h fills memory (5.6 GB in 86 s), minor stops every 1e-9 h spin
for days: both legal, both need a stop by default, not only with ``--max-events``.

- Memory: each replication runs under :func:`memory_guard`, a watchdog thread that reads
  the process's resident memory (psutil) every :data:`WATCH_EVERY` seconds and stops the
  replication with a :class:`RunError` once it passes the budget. The budget defaults to
  :func:`default_memory_budget`, half the memory available when the run starts, shared by
  the worker processes. The simulation loop pays nothing for it.
- Events: :func:`expected_events` estimates a replication's events from its clocks (push
  arrivals, minor stops, failures) before it runs; above :data:`DEFAULT_EVENT_BUDGET`
  the run is refused at once, naming the clock and ``--max-events``.
"""

from __future__ import annotations

import ctypes
import math
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from sim.errors import RunError
from sim.model.line import Line

__all__ = [
    "DEFAULT_EVENT_BUDGET",
    "MemoryBudgetExceeded",
    "check_event_budget",
    "default_memory_budget",
    "expected_events",
    "memory_guard",
]

WATCH_EVERY = 0.25
"""Seconds between two memory readings of the watchdog [s]."""
MEMORY_SHARE = 0.5
"""Share of the available memory all workers together may use by default [-]."""
MIN_BUDGET = 512.0
"""Smallest default memory budget of one process [MB]."""
DEFAULT_EVENT_BUDGET = 2e9
"""Most events a replication may be expected to schedule without ``--max-events``
[-]: about half an hour of engine time at a million events a second."""


class MemoryBudgetExceeded(Exception):
    """Raised asynchronously in a replication's thread by the memory watchdog."""


def _available_mb() -> float:
    try:
        import psutil

        return float(psutil.virtual_memory().available) / 2**20
    except (ImportError, OSError):  # pragma: no cover - psutil is a core dependency
        return math.inf


def default_memory_budget(workers: int = 1) -> float:
    """Return the default memory budget of one process [MB]: :data:`MEMORY_SHARE` of the
    memory available now, shared by ``workers`` processes, at least :data:`MIN_BUDGET`."""
    available = _available_mb()
    if not math.isfinite(available):
        return math.inf
    return max(MIN_BUDGET, MEMORY_SHARE * available / max(1, workers))


def _rss_mb() -> float:
    import psutil

    return float(psutil.Process().memory_info().rss) / 2**20


@contextmanager
def memory_guard(limit: float | None, name: str, end: float) -> Iterator[None]:
    """Run the block under a memory watchdog: past ``limit`` [MB] of resident memory the
    block is stopped and :class:`RunError` raised, naming line ``name``, the simulated
    end time ``end`` [time unit] and ``--max-memory``. ``None`` or infinity: no guard."""
    if limit is None or not math.isfinite(limit):
        yield
        return
    try:
        import psutil  # noqa: F401
    except ImportError:  # pragma: no cover - psutil is a core dependency
        yield
        return
    target = threading.get_ident()
    stop = threading.Event()
    seen: list[float] = []

    def watch() -> None:
        while not stop.wait(WATCH_EVERY):
            used = _rss_mb()
            if used > limit:
                seen.append(used)
                ctypes.pythonapi.PyThreadState_SetAsyncExc(
                    ctypes.c_ulong(target), ctypes.py_object(MemoryBudgetExceeded)
                )
                return

    watcher = threading.Thread(target=watch, name="linesim-memory-guard", daemon=True)
    watcher.start()
    try:
        yield
    except MemoryBudgetExceeded:
        raise RunError(
            f"line {name!r} stopped before t = {end:g}: {seen[0] if seen else limit:,.0f} MB "
            f"used, over the bound of {limit:,.0f} MB; raise --max-memory (default: half "
            "the available memory), shorten the horizon or use larger lots"
        ) from None
    finally:
        stop.set()
        watcher.join()
        if seen:  # the exception may still be pending if the block ended meanwhile
            ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(target), None)


def expected_events(line: Line, duration: float) -> tuple[float, str]:
    """Estimate the events of one replication over ``duration`` [time unit] from the
    line's fastest clocks; return (events [-], the clock that dominates).

    Counts push arrivals and, per machine, minor stops and failures as if every machine
    ran all the time: an upper estimate of those clocks, a lower one of the whole run.
    """
    rates: list[tuple[float, str]] = []
    unit = line.time_unit
    release = line.release
    interarrival = getattr(release, "interarrival", None)
    if interarrival is not None and interarrival.mean > 0:
        rates.append((1.0 / interarrival.mean, f"push arrivals every {interarrival.mean:g} {unit}"))
    for station in line.stations:
        machines = max(1, int(getattr(station, "machines", 1) or 1))
        stops = getattr(station, "minor_stops", None)
        if stops is not None and stops.mtbf > 0:
            rates.append(
                (
                    2 * machines / stops.mtbf,
                    f"minor stops every {stops.mtbf:g} {unit} at {station.name}",
                )
            )
        failures = getattr(station, "failures", None)
        if failures is not None and failures.mtbf > 0:
            clock = f"failures every {failures.mtbf:g} {unit} at {station.name}"
            rates.append((2 * machines / failures.mtbf, clock))
    if not rates:
        return 0.0, ""
    total = sum(rate for rate, _ in rates) * duration
    return total, max(rates)[1]


def check_event_budget(line: Line, duration: float, max_events: int | None) -> None:
    """Refuse a replication expected to schedule more than ``max_events`` (default
    :data:`DEFAULT_EVENT_BUDGET`) events over ``duration`` [time unit], before it runs."""
    budget = float(max_events) if max_events is not None else DEFAULT_EVENT_BUDGET
    events, clock = expected_events(line, duration)
    if events > budget:
        raise RunError(
            f"line {line.name!r} would schedule about {events:.3g} events a replication "
            f"({clock}), over the budget of {budget:.3g} events; check "
            f"the clock, shorten the horizon or raise --max-events (e.g. --max-events "
            f"{int(min(events * 1.1, 9e18)):d})"
        )
