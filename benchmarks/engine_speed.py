"""Engine speed: linesim, plain idiomatic SimPy, a hand-written heapq loop and SimPy's floor.

All simulate the Penny Fab of Factory Physics (four single-machine stations in series,
exponential process times with mean 2 h, CONWIP with ``w`` jobs) for the horizon that gives
about ``--completions`` station completions, and print their throughput next to the exact
TH(w) = w / (W0 + w - 1) * r_b, to show that they do the same work:

- **linesim**: :func:`sim.engine.simulate` on ``configs/penny_fab.yaml`` (in process);
- **plain SimPy**: what a SimPy user writes, a ``Resource`` per station and a process per job;
- **heapq loop**: no library at all, a binary heap of finish times, a queue of waiting jobs
  and a busy flag per station, times from ``random.expovariate``;
- **SimPy floor** (the yardstick of issue 25): the heapq loop's bookkeeping driven by SimPy
  instead, one reused SimPy event per station, pushed straight onto SimPy's queue with one
  plain callback: the least any model that spends one SimPy event per completion, as
  linesim does, can cost;
- **numpy floor**: the floor with numpy's block draws instead of ``random.expovariate`` and
  ``env.schedule`` instead of the push, the stricter yardstick used until 2026-12-08
  (about a tenth faster; printed so that figures of before compare).

Each model runs ``--repeats`` times, every time in a fresh interpreter (so that no run
inherits another's heap or caches), alternating models; the median wall time counts. The
machine may be shared: the load average (``os.getloadavg``) is printed with the figures,
and the ratios, measured in the same run, are what to compare. The targets, as ratios to
the floor, are printed by ``benchmarks/speed_targets.py``; this script's own ones (issue
12): linesim at least 5x plain SimPy and at least 0.6x the heapq loop.

Run from the repository root::

    python benchmarks/engine_speed.py [--completions 1000000] [--wip 16] [--repeats 3]
"""

from __future__ import annotations

import argparse
import heapq
import json
import os
import random
import statistics
import subprocess
import sys
import time
from collections import deque
from collections.abc import Generator
from pathlib import Path
from typing import Any

import numpy as np

CONFIG = Path(__file__).resolve().parent.parent / "configs" / "penny_fab.yaml"
"""The Penny Fab line definition."""

SIMPY_TARGET = 5.0
"""Smallest acceptable ratio of linesim to plain SimPy completions per second [-]."""

HEAPQ_TARGET = 0.6
"""Smallest acceptable ratio of linesim to the heapq loop completions per second [-]."""

STATIONS = 4
"""Penny Fab stations [-]."""

MEAN = 2.0
"""Penny Fab process time, exponential mean [h]."""

MODELS = ("linesim", "plain SimPy", "heapq loop", "SimPy floor", "numpy floor")


def exact_throughput(wip: int) -> float:
    """Exact CONWIP throughput of the balanced exponential Penny Fab [jobs/h]:
    TH(w) = w / (W0 + w - 1) * r_b with W0 = 4 jobs and r_b = 0.5 jobs/h."""
    return wip / (STATIONS + wip - 1) / MEAN


def run_linesim(horizon: float, wip: int, seed: int) -> tuple[int, float, float]:
    """Simulate with linesim; return (completions, jobs out, wall [s])."""
    from sim.engine import simulate
    from sim.model import load_line

    line = load_line(CONFIG, {"release.wip": wip})
    start = time.perf_counter()
    result = simulate(line, horizon=horizon, warmup=0.0, seed=seed)
    wall = time.perf_counter() - start
    completions = sum(station.cycles for station in result.stations.values())
    return completions, result.good, wall


def run_plain(horizon: float, wip: int, seed: int) -> tuple[int, float, float]:
    """Simulate as a SimPy user would: a resource per station, a process per job."""
    import simpy

    env = simpy.Environment()
    stations = [simpy.Resource(env, capacity=1) for _ in range(STATIONS)]
    rng = np.random.default_rng(seed)
    counts = {"completions": 0, "out": 0}

    def job() -> Generator[simpy.Event, Any, None]:
        while True:  # one CONWIP card: through every station, then again as a new job
            for station in stations:
                with station.request() as request:
                    yield request
                    yield env.timeout(rng.exponential(MEAN))
                counts["completions"] += 1
            counts["out"] += 1

    start = time.perf_counter()
    for _ in range(wip):
        env.process(job())
    env.run(until=horizon)
    wall = time.perf_counter() - start
    return counts["completions"], counts["out"], wall


def run_heapq(horizon: float, wip: int, seed: int) -> tuple[int, float, float]:
    """Simulate with a hand-written event loop (the issue's yardstick loop): a heap of
    (finish time, station), a queue of waiting jobs and a busy flag per station, and
    exponential times from the standard library's ``random.expovariate``."""
    rng = random.Random(seed)
    expo, push, pop = rng.expovariate, heapq.heappush, heapq.heappop
    rate = 1.0 / MEAN
    start = time.perf_counter()
    waiting: list[deque[int]] = [deque() for _ in range(STATIONS)]
    busy = [False] * STATIONS
    events: list[tuple[float, int]] = []
    waiting[0].extend(range(wip - 1))
    busy[0] = True
    push(events, (expo(rate), 0))
    completions = out = 0
    last = STATIONS - 1
    while events:
        now, station = pop(events)
        if now > horizon:
            break
        completions += 1
        if waiting[station]:
            waiting[station].popleft()
            push(events, (now + expo(rate), station))
        else:
            busy[station] = False
        if station == last:
            out += 1
            following = 0
        else:
            following = station + 1
        if busy[following]:
            waiting[following].append(0)
        else:
            busy[following] = True
            push(events, (now + expo(rate), following))
    wall = time.perf_counter() - start
    return completions, out, wall


def run_simpy_floor(horizon: float, wip: int, seed: int) -> tuple[int, float, float]:
    """The heapq loop's bookkeeping on SimPy, SimPy's own floor (the yardstick of issue
    25): one reused event per station, pushed straight onto SimPy's event queue under
    SimPy's next event number with one plain callback, times from ``random.expovariate``.
    Nothing a SimPy model can do per completion costs less (but its draws: see
    :func:`run_simpy_floor_numpy`)."""
    import simpy

    from sim.engine._simpy import (
        NORMAL,
        LineEnvironment,
        event_counter,
        event_queue,
        triggered_event,
    )

    env = LineEnvironment()  # SimPy's environment, its clock read as a plain attribute
    rng = random.Random(seed)
    expo = rng.expovariate
    rate = 1.0 / MEAN
    push, queue, numbers = heapq.heappush, event_queue(env), event_counter(env)
    waiting: list[deque[int]] = [deque() for _ in range(STATIONS)]
    busy = [False] * STATIONS
    counts = [0, 0]  # completions, jobs out
    last = STATIONS - 1
    ends = [triggered_event(env) for _ in range(STATIONS)]

    def begin(station: int) -> None:
        end = ends[station]
        end.callbacks = [finishers[station]]
        push(queue, (env.now + expo(rate), NORMAL, next(numbers), end))

    def finisher(station: int) -> Any:
        following = 0 if station == last else station + 1

        def finish(_event: simpy.Event) -> None:
            counts[0] += 1
            if station == last:
                counts[1] += 1
            if waiting[station]:
                waiting[station].popleft()
                begin(station)
            else:
                busy[station] = False
            if busy[following]:
                waiting[following].append(0)
            else:
                busy[following] = True
                begin(following)

        return finish

    finishers = [finisher(station) for station in range(STATIONS)]
    start = time.perf_counter()
    waiting[0].extend(range(wip - 1))
    busy[0] = True
    begin(0)
    env.run(until=horizon)
    wall = time.perf_counter() - start
    return counts[0], counts[1], wall


def run_simpy_floor_numpy(horizon: float, wip: int, seed: int) -> tuple[int, float, float]:
    """The floor with numpy's block draws (taken from a list of 4,096 at a time, as
    linesim draws) instead of ``random.expovariate``, scheduled with ``env.schedule``:
    the stricter yardstick these benchmarks used until 2026-12-08, about a tenth faster
    than :func:`run_simpy_floor`."""
    import simpy
    from simpy.events import NORMAL

    env = simpy.Environment()
    rng = np.random.default_rng(seed)
    draws = rng.exponential(MEAN, 4096).tolist()
    queue = [0] * STATIONS  # jobs waiting or in process per station
    counts = [0, 0]  # completions, jobs out
    ends = [simpy.Event(env) for _ in range(STATIONS)]
    for end in ends:
        end._ok = True
        end._value = None

    def begin(station: int) -> None:
        nonlocal draws
        if not draws:
            draws = rng.exponential(MEAN, 4096).tolist()
        end = ends[station]
        end.callbacks = [finishers[station]]
        env.schedule(end, NORMAL, draws.pop())

    def finisher(station: int) -> Any:
        following = (station + 1) % STATIONS

        def finish(_event: simpy.Event) -> None:
            counts[0] += 1
            queue[station] -= 1
            if queue[station]:
                begin(station)
            if following == 0:
                counts[1] += 1
            queue[following] += 1
            if queue[following] == 1:
                begin(following)

        return finish

    finishers = [finisher(station) for station in range(STATIONS)]
    start = time.perf_counter()
    queue[0] = wip
    begin(0)
    env.run(until=horizon)
    wall = time.perf_counter() - start
    return counts[0], counts[1], wall


RUNNERS = {
    "linesim": run_linesim,
    "plain SimPy": run_plain,
    "heapq loop": run_heapq,
    "SimPy floor": run_simpy_floor,
    "numpy floor": run_simpy_floor_numpy,
}


def one_run(model: str, horizon: float, wip: int, seed: int) -> dict[str, float]:
    """Run ``model`` in a fresh interpreter and return its figures."""
    command = [
        sys.executable,
        __file__,
        "--one",
        model,
        "--horizon",
        repr(horizon),
        "--wip",
        str(wip),
        "--seed",
        str(seed),
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--completions", type=int, default=1_000_000, help="station completions, about [-]"
    )
    parser.add_argument("--wip", type=int, default=16, help="CONWIP level w [jobs]")
    parser.add_argument("--seed", type=int, default=1, help="random seed")
    parser.add_argument("--repeats", type=int, default=3, help="runs per model [-]")
    parser.add_argument("--one", choices=MODELS, help=argparse.SUPPRESS)
    parser.add_argument("--horizon", type=float, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.completions < 1 or args.wip < 1 or args.repeats < 1:
        parser.error("--completions, --wip and --repeats must be positive")
    return args


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its figures; returns the exit status."""
    args = parse_args(argv)
    if args.one:
        completions, out, wall = RUNNERS[args.one](args.horizon, args.wip, args.seed)
        print(json.dumps({"completions": completions, "out": out, "wall": wall}))
        return 0
    exact = exact_throughput(args.wip)
    horizon = args.completions / (STATIONS * exact)
    print(
        f"Penny Fab: {STATIONS} stations, exponential mean {MEAN:g} h, w = {args.wip}, "
        f"horizon {horizon:,.0f} h (~{args.completions:,} completions), seed {args.seed}, "
        f"median of {args.repeats} fresh processes each"
    )
    load_before = os.getloadavg()[0]
    runs: dict[str, list[dict[str, float]]] = {model: [] for model in MODELS}
    for _ in range(args.repeats):
        for model in MODELS:
            runs[model].append(one_run(model, horizon, args.wip, args.seed))
    load_after = os.getloadavg()[0]
    print(
        f"load average (1 min) {load_before:.1f} before, {load_after:.1f} after, "
        f"on {os.cpu_count()} cores"
    )
    print()
    print(
        f"{'model':<13}{'completions':>13}{'wall [s]':>10}{'compl./s':>12}"
        f"{'TH [jobs/h]':>13}{'vs exact':>10}{'vs linesim':>12}"
    )
    speed = {}
    for model in MODELS:
        median = statistics.median(run["wall"] for run in runs[model])
        run = runs[model][0]
        speed[model] = run["completions"] / median
        throughput = run["out"] / horizon
        print(
            f"{model:<13}{run['completions']:>13,.0f}{median:>10.2f}{speed[model]:>12,.0f}"
            f"{throughput:>13.4f}{throughput / exact - 1:>+10.2%}"
            f"{speed[model] / speed['linesim']:>11.2f}x"
        )
    print(f"{'exact':<13}{'':>13}{'':>10}{'':>12}{exact:>13.4f}")
    vs_simpy = speed["linesim"] / speed["plain SimPy"]
    vs_heapq = speed["linesim"] / speed["heapq loop"]
    floor = speed["SimPy floor"] / speed["heapq loop"]
    print()
    print(
        f"linesim / plain SimPy: {vs_simpy:.2f}x (target >= {SIMPY_TARGET:g}x: "
        f"{'met' if vs_simpy >= SIMPY_TARGET else 'NOT met'})"
    )
    print(
        f"linesim / heapq loop:  {vs_heapq:.2f}x (target >= {HEAPQ_TARGET:g}x: "
        f"{'met' if vs_heapq >= HEAPQ_TARGET else 'NOT met'}); SimPy's own floor: "
        f"{floor:.2f}x the heapq loop, linesim at {speed['linesim'] / speed['SimPy floor']:.2f}x "
        "of that floor"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
