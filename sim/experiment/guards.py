"""Default guards against runaway runs: a memory budget from the machine, an event budget.

A push release every 1e-9 h fills memory (5.6 GB in 86 s), minor stops every 1e-9 h spin
for days: both legal, both need a stop by default, not only with ``--max-events``.

- Memory: each replication runs under :func:`memory_guard`, a watchdog thread that reads
  the process's resident memory (psutil) every :data:`WATCH_EVERY` seconds and stops the
  replication with a :class:`RunError` once it passes the budget. The budget defaults to
  :func:`default_memory_budget`, half the memory available when the run starts, shared by
  the worker processes. The simulation loop pays nothing for it.
- Events: :func:`expected_events` estimates a replication's events from its rates and
  clocks (lots at capacity, push arrivals, stops, failures, setups, maintenance, shifts)
  before it runs; above :data:`DEFAULT_EVENT_BUDGET` the run is refused at once, naming
  the clock and ``--max-events``.
- Work: :func:`estimate_work` adds up a whole request (every scenario, replication and
  input set) and :func:`check_work` refuses one estimated above :data:`LONG_RUN_CPU` of
  CPU, naming the estimate and ``--allow-long``: a warm-up of 100 years or a horizon of
  1000 is refused in a second instead of running for hours without a word.
"""

from __future__ import annotations

import ctypes
import logging
import math
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from sim.engine.flood import expected_events
from sim.errors import RunError
from sim.figures import count, number
from sim.model.line import Line

__all__ = [
    "DEFAULT_EVENT_BUDGET",
    "ESTIMATE_FIELD",
    "LONG_RUN_CPU",
    "MemoryBudgetExceeded",
    "WorkEstimate",
    "check_event_budget",
    "check_work",
    "default_memory_budget",
    "estimate_work",
    "expected_events",
    "long_runs",
    "memory_guard",
]

WATCH_EVERY = 0.25
"""Seconds between two memory readings of the watchdog [s]."""
MEMORY_SHARE = 0.5
"""Share of the available memory all workers together may use by default [-]."""
MIN_BUDGET = 512.0
"""Smallest default memory budget of one process [MB]."""
SECONDS_PER_EVENT = 5e-6
"""CPU time of one engine event for work estimates [s]: the reference year costs 4.1 us
an event and the Penny Fab 2-2.5 us on the 2-core machine of docs/speed.md; slower
machines up to 8.5 us."""
NOTICE_CPU = 120.0
"""Estimated CPU time above which a request says how long it will take [s]."""
LONG_RUN_CPU = 2 * 3600.0
"""Most estimated CPU time a request runs without ``--allow-long`` [s]."""
ESTIMATE_FIELD = "linesim_estimate"
"""The attribute of the log record announcing a long run that holds its estimated wall
time alone (``3 min``: CPU over the workers), for a progress bar to show."""
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
            f"line {name!r} stopped before t = {number(end)}: {count(seen[0] if seen else limit)} "
            f"MB used, over the bound of {count(limit)} MB; raise --max-memory (default: half "
            "the available memory), shorten the horizon or use larger lots"
        ) from None
    finally:
        stop.set()
        watcher.join()
        if seen:  # the exception may still be pending if the block ended meanwhile
            ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(target), None)


@dataclass(frozen=True)
class WorkEstimate:
    """The engine time a request needs, estimated before it runs."""

    events: float
    """SimPy events of every replication together [-]."""
    clock: str
    """The rate or clock that schedules the most events, for messages."""

    @property
    def cpu_seconds(self) -> float:
        """CPU time at :data:`SECONDS_PER_EVENT` [s]."""
        return self.events * SECONDS_PER_EVENT

    def text(self, workers: int = 1) -> str:
        """``about 2.1 h of CPU (1.1 h on 2 workers), 1.5 G events``."""
        cpu = self.cpu_seconds
        wall = f" ({_duration(cpu / workers)} on {workers} workers)" if workers > 1 else ""
        return f"about {_duration(cpu)} of CPU{wall}, {number(self.events)} events"


def _duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    if seconds < 2 * 86400:
        return f"{seconds / 3600:.1f} h"
    return f"{number(seconds / 86400)} days"


def estimate_work(runs: Iterable[tuple[Line, float, int]]) -> WorkEstimate:
    """The work of ``runs``: (line, warm-up + horizon [time unit], replications) each."""
    events, top, clock = 0.0, -1.0, ""
    for line, duration, replications in runs:
        each, dominant = expected_events(line, duration)
        events += each * replications
        if each * replications > top:
            top, clock = each * replications, dominant
    return WorkEstimate(events, clock)


_ALLOW_LONG: ContextVar[bool] = ContextVar("linesim_allow_long", default=False)
"""Whether the request being served was given ``--allow-long`` / ``allow_long=True``."""


@contextmanager
def long_runs(allowed: bool) -> Iterator[None]:
    """Serve a request with long runs ``allowed`` (or not): every :func:`check_work` inside
    reads it, so the flag need not travel through each layer."""
    token = _ALLOW_LONG.set(bool(allowed))
    try:
        yield
    finally:
        _ALLOW_LONG.reset(token)


def check_work(estimate: WorkEstimate, workers: int = 1) -> None:
    """Refuse work estimated above :data:`LONG_RUN_CPU` of CPU unless the request allows
    long runs (:func:`long_runs`), naming the estimate, the clock that drives it and the
    ways out."""
    if estimate.cpu_seconds <= NOTICE_CPU:
        return
    if _ALLOW_LONG.get() or estimate.cpu_seconds <= LONG_RUN_CPU:
        # said before a long run starts, on stderr (logging's last resort) unless the
        # caller configures the "linesim" logger
        logging.getLogger("linesim").warning(
            "this will take %s (most of them from %s)",
            estimate.text(workers),
            estimate.clock,
            extra={ESTIMATE_FIELD: _duration(estimate.cpu_seconds / max(1, workers))},
        )
        return
    raise RunError(
        f"this would take {estimate.text(workers)} (most of them from {estimate.clock}), "
        f"over the {LONG_RUN_CPU / 3600:g} h of CPU a run may take unasked; shorten the "
        "horizon or warm-up, give fewer replications or input sets, or pass --allow-long "
        "(allow_long=True from Python) to run it anyway"
    )


def check_event_budget(line: Line, duration: float, max_events: int | None) -> None:
    """Refuse a replication expected to schedule more than :data:`DEFAULT_EVENT_BUDGET`
    events over ``duration`` [time unit], before it runs; a ``max_events`` given is held
    by the engine instead, exactly, as the replication runs."""
    if max_events is not None or _ALLOW_LONG.get():  # the engine holds a bound given
        return
    budget = DEFAULT_EVENT_BUDGET
    events, clock = expected_events(line, duration)
    if events > budget:
        raise RunError(
            f"line {line.name!r} would schedule about {number(events)} events a replication "
            f"({clock}), over the budget of {number(budget)} events; check "
            f"the clock, shorten the horizon or raise --max-events (e.g. --max-events "
            f"{int(min(events * 1.1, 9e18)):d})"
        )
