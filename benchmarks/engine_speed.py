"""Engine speed benchmark: linesim against a plain, idiomatic SimPy model of the Penny Fab.

Both models simulate the Penny Fab of Factory Physics (four single-machine stations in
series, exponential process times with mean 2 h, CONWIP with ``w`` jobs) for the horizon that
gives about ``--completions`` station completions. Each run is timed on its own, then run
again under :mod:`tracemalloc` for its peak memory (tracing slows Python down a lot, so it is
kept out of the timed runs). Both throughputs are printed, next to the exact value
TH(w) = w / (W0 + w - 1) * r_b, to show that the two models do the same work.

Targets (from the issue): linesim at least 3x the completions per second of the plain model,
peak memory under 200 MB.

Run from the repository root::

    python benchmarks/engine_speed.py [--completions 1000000] [--wip 16] [--seed 1]
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
import tracemalloc
from collections.abc import Callable, Generator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import simpy

from sim.engine import simulate
from sim.model import load_line
from sim.model.distributions import Exponential
from sim.model.line import Line

CONFIG = Path(__file__).resolve().parent.parent / "configs" / "penny_fab.yaml"
"""The Penny Fab line definition."""

SPEED_TARGET = 3.0
"""Smallest acceptable ratio of linesim to plain SimPy completions per second [-]."""

MEMORY_TARGET_MB = 200.0
"""Largest acceptable peak memory of a run [MB]."""

MB = 1024 * 1024
"""Bytes per MB [bytes]."""


@dataclass(frozen=True)
class Run:
    """What one simulation run did: counts [-], horizon [h], throughput [jobs/h], wall [s]."""

    completions: int
    jobs_out: int
    horizon: float
    wall: float

    @property
    def throughput(self) -> float:
        """Jobs leaving the line per hour [jobs/h]."""
        return self.jobs_out / self.horizon

    @property
    def speed(self) -> float:
        """Station completions simulated per wall-clock second [1/s]."""
        return self.completions / self.wall


def penny_fab_throughput(stations: int, mean: float, wip: int) -> float:
    """Exact CONWIP throughput of a balanced exponential line [jobs/h].

    This is the practical worst case TH(w) = w / (W0 + w - 1) * r_b with r_b = 1 / ``mean``
    [jobs/h] and W0 = ``stations`` [jobs]; ``mean`` is the process time [h].
    """
    return wip / (stations + wip - 1) / mean


def penny_fab_parameters(line: Line) -> tuple[int, float]:
    """Return the number of stations [-] and the common exponential mean [h] of ``line``."""
    means = set()
    for station in line.stations:
        if (
            not isinstance(station.process_time, Exponential)
            or station.machines != 1
            or station.failures
            or station.scrap
            or station.batch
            or station.setup
            or station.buffer is not None
        ):
            raise SystemExit(f"{CONFIG} is not a plain exponential Penny Fab: {station.name}")
        means.add(station.process_time.mean)
    if len(means) != 1:
        raise SystemExit(f"{CONFIG} is not balanced: process time means {sorted(means)}")
    return len(line.stations), means.pop()


def run_linesim(line: Line, horizon: float, seed: int) -> Run:
    """Simulate ``line`` with linesim for ``horizon`` [h]; time the run."""
    start = time.perf_counter()
    result = simulate(line, horizon=horizon, warmup=0.0, seed=seed)
    wall = time.perf_counter() - start
    completions = sum(station.cycles for station in result.stations.values())
    return Run(completions, result.good, result.horizon, wall)


class PlainPennyFab:
    """The Penny Fab as a SimPy user would write it: a resource per station, a process per job."""

    def __init__(self, stations: int, mean: float, wip: int, rng: np.random.Generator) -> None:
        self.env = simpy.Environment()
        self.stations = [simpy.Resource(self.env, capacity=1) for _ in range(stations)]
        self.mean = mean
        """Mean process time [h]."""
        self.rng = rng
        self.completions = 0
        self.jobs_out = 0
        for _ in range(wip):
            self.env.process(self.job())

    def job(self) -> Generator[simpy.Event, Any, None]:
        """One CONWIP card: go through every station, then start again as a new job."""
        env = self.env
        while True:
            for station in self.stations:
                with station.request() as request:
                    yield request
                    yield env.timeout(self.rng.exponential(self.mean))
                self.completions += 1
            self.jobs_out += 1

    def run(self, horizon: float) -> None:
        """Simulate for ``horizon`` [h]."""
        self.env.run(until=horizon)


def run_plain(stations: int, mean: float, wip: int, horizon: float, seed: int) -> Run:
    """Simulate the plain SimPy Penny Fab for ``horizon`` [h]; time the run."""
    start = time.perf_counter()
    model = PlainPennyFab(stations, mean, wip, np.random.default_rng(seed))
    model.run(horizon)
    wall = time.perf_counter() - start
    return Run(model.completions, model.jobs_out, horizon, wall)


def peak_memory(run: Callable[[], object]) -> float:
    """Run ``run`` under :mod:`tracemalloc` and return its peak traced memory [MB]."""
    tracemalloc.start()
    try:
        run()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / MB


def max_rss() -> float:
    """Largest resident set size of this process so far [MB] (Linux reports KiB)."""
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / MB if sys.platform == "darwin" else rss / 1024


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--completions",
        type=int,
        default=1_000_000,
        help="station completions to simulate, about [-] (default 1000000)",
    )
    parser.add_argument("--wip", type=int, default=16, help="CONWIP level w [jobs] (default 16)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument(
        "--no-memory", action="store_true", help="skip the traced runs that measure peak memory"
    )
    args = parser.parse_args(argv)
    if args.completions < 1 or args.wip < 1:
        parser.error("--completions and --wip must be positive")
    return args


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its figures; returns the exit status."""
    args = parse_args(argv)
    line = load_line(CONFIG, {"release.wip": args.wip})
    stations, mean = penny_fab_parameters(line)
    exact = penny_fab_throughput(stations, mean, args.wip)
    horizon = args.completions / (stations * exact)

    print(
        f"Penny Fab: {stations} stations, exponential mean {mean:g} h, w = {args.wip}, "
        f"horizon {horizon:,.0f} h (~{args.completions:,} completions), seed {args.seed}"
    )
    linesim = run_linesim(line, horizon, args.seed)
    plain = run_plain(stations, mean, args.wip, horizon, args.seed)
    if args.no_memory:
        memory = {"linesim": float("nan"), "plain": float("nan")}
    else:
        memory = {
            "linesim": peak_memory(lambda: run_linesim(line, horizon, args.seed)),
            "plain": peak_memory(lambda: run_plain(stations, mean, args.wip, horizon, args.seed)),
        }

    print()
    print(
        f"{'model':<14}{'completions':>13}{'wall [s]':>10}{'compl./s':>12}"
        f"{'TH [jobs/h]':>13}{'vs exact':>10}{'peak [MB]':>11}"
    )
    for name, run in (("linesim", linesim), ("plain SimPy", plain)):
        error = run.throughput / exact - 1
        peak = memory["linesim" if run is linesim else "plain"]
        print(
            f"{name:<14}{run.completions:>13,}{run.wall:>10.2f}{run.speed:>12,.0f}"
            f"{run.throughput:>13.4f}{error:>+10.2%}{peak:>11.2f}"
        )
    print(f"{'exact':<14}{'':>13}{'':>10}{'':>12}{exact:>13.4f}")

    ratio = linesim.speed / plain.speed
    gap = linesim.throughput / plain.throughput - 1
    peak = max(memory.values())
    print()
    print(
        f"speed ratio linesim / plain: {ratio:.2f}x  (target >= {SPEED_TARGET:g}x: "
        f"{'met' if ratio >= SPEED_TARGET else 'NOT met'})"
    )
    print(
        f"throughput gap linesim / plain: {gap:+.2%}  (fair if within +-2%: "
        f"{'yes' if abs(gap) <= 0.02 else 'NO'})"
    )
    if not args.no_memory:
        print(
            f"peak traced memory: {peak:.1f} MB  (target < {MEMORY_TARGET_MB:g} MB: "
            f"{'met' if peak < MEMORY_TARGET_MB else 'NOT met'})"
        )
    print(f"process max RSS: {max_rss():.1f} MB  (includes the interpreter, numpy and scipy)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
