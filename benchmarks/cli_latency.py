"""Wall time of what a user waits for at the command line, against issue 12's goals.

Prints the median of several runs, each in a fresh process, of ``linesim --help``,
``linesim validate scenarios/baseline.yaml`` and a tiny run of the Penny Fab (its fixed
cost: imports, checks, writing the results folder), side by side with the goal, and the
CPU time (user + system) of the same runs, which load on a shared machine changes less:

    python benchmarks/cli_latency.py [--repeat 5] [--no-bytecode]

Python's bytecode is cached as after ``pip install`` (in a temporary
``PYTHONPYCACHEPREFIX``, warmed by one run of each command), even where the environment
sets ``PYTHONDONTWRITEBYTECODE``; ``--no-bytecode`` measures compiling linesim's source
on every start instead. Figures vary with load: the load average is printed beside them.

Measured 2026-11-29 on the 2-core machine, the code before (main at be9fa04) and after
issue 12's start-up work run back to back (wall median / CPU median), quiet at 23:01 UTC
(load average 0.8: the benchmark itself) and at 22:55 UTC with another job on the other
core (load 2):

    quiet                                    before               after
    linesim --help                           0.050 s / 0.049 s    0.042 s / 0.041 s
    linesim validate scenarios/baseline.yaml 0.265 s / 0.264 s    0.216 s / 0.215 s
    tiny run, --no-plots (goal 0.4 s)        0.401 s / 0.504 s    0.304 s / 0.304 s
    tiny run with plots and report.html      1.477 s / 1.580 s    1.246 s / 1.245 s
    load 2: tiny run, --no-plots             0.432 s / 0.535 s    0.314 s / 0.313 s

Fifteen interleaved pairs of tiny runs at a load of 2.5 gave 0.381 s / 0.482 s before and
0.301 s / 0.300 s after. Where the tiny run's CPU went (``sim.cli.process``): OpenBLAS's
second thread spinning after ``import numpy`` (60-110 ms; the CLI now starts numpy with
one BLAS thread), the garbage collector walking the start-up's objects ~110 times and at
shutdown (40-60 ms; paused, then frozen), rich.progress with ``--quiet`` and the lever
models without levers (about 5 ms). What is left is mostly imports the run needs (numpy
60 ms, pydantic and building its models 80 ms, rich 25 ms, PyYAML 15 ms, SimPy with
importlib.metadata 15 ms), then 40 ms of work: simulating, writing the folder, printing.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _linesim(*words: str) -> list[str]:
    return [sys.executable, "-m", "sim", *words]


def _timed(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall time and CPU time (user + system of the child) of one run [s]."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, cwd=ROOT, check=True, capture_output=True, env=env)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def _env(cache: str | None) -> dict[str, str]:
    env = {**os.environ, "MPLBACKEND": "Agg"}
    if cache is not None:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = cache
    return env


def _tiny_run(folder: Path, *extra: str) -> list[str]:
    """A Penny Fab run of 1 x 10 h: what is left is the fixed cost of a run."""
    return _linesim(
        "run",
        "scenarios/penny_fab.yaml",
        *("--replications", "1", "--horizon", "10", "--warmup", "0", "--jobs", "1"),
        *extra,
        "--quiet",
        "--out",
        str(folder),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs of each command")
    parser.add_argument(
        "--no-bytecode", action="store_true", help="compile linesim's source on every start"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as out, tempfile.TemporaryDirectory() as cache:
        env = _env(None if args.no_bytecode else cache)
        cases: list[tuple[str, Callable[[int], list[str]], float | None]] = [
            ("linesim --help", lambda _i: _linesim("--help"), 0.3),
            (
                "linesim validate scenarios/baseline.yaml",
                lambda _i: _linesim("validate", "scenarios/baseline.yaml"),
                0.3,
            ),
            (
                "linesim run penny_fab, 1 x 10 h, --no-plots",
                lambda i: _tiny_run(Path(out) / f"bare{i}", "--no-plots"),
                0.4,
            ),
            (
                "linesim run penny_fab, 1 x 10 h (plots, report)",
                lambda i: _tiny_run(Path(out) / f"plots{i}"),
                None,
            ),
        ]
        for _name, command, _goal in cases:  # warm the bytecode cache
            _timed(command(-1), env)
        bare = statistics.median(_timed([sys.executable, "-c", "pass"], env)[0] for _ in range(3))
        load = os.getloadavg()[0]
        cached = "compiled on every start" if args.no_bytecode else "cached"
        print(f"{os.cpu_count()} cores, load average {load:.1f} at the start; bytecode {cached}")
        header = f"{'command':<48} {'wall median [s]':>15} {'min [s]':>8} {'CPU median [s]':>14}"
        print(f"{header} {'goal [s]':>9}")
        print(f"{'python -c pass (interpreter start)':<48} {bare:>15.3f}")
        for name, command, goal in cases:
            # each run writes a new folder: the cost of a fresh run
            times = [_timed(command(index), env) for index in range(args.repeat)]
            wall = statistics.median(t[0] for t in times)
            cpu = statistics.median(t[1] for t in times)
            least = min(t[0] for t in times)
            verdict = "" if goal is None else f"{goal:>9.1f}  {'ok' if wall <= goal else 'over'}"
            print(f"{name:<48} {wall:>15.3f} {least:>8.3f} {cpu:>14.3f} {verdict}")
        print(f"load average {os.getloadavg()[0]:.1f} at the end")


if __name__ == "__main__":
    main()
