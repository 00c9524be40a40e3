"""Issue 25's speed targets, measured in one run, side by side with SimPy's own floor.

Every figure is taken in a fresh interpreter, the models interleaved round by round (so a
drift of the machine's speed within the run touches them all alike), and the median of
``--rounds`` rounds counts. The yardstick is the **SimPy floor** of
``benchmarks/engine_speed.py``, the loop issue 25 sets as the yardstick: the closed Penny
Fab (4 stations, exponential 2 h from ``random.expovariate``, CONWIP 16) with one reused
SimPy event per station completion pushed straight onto SimPy's queue and one plain
callback, the least any SimPy model can spend per completion. Its CPU time
for 1 M completions is the unit the year is measured in, so the ratios compare across
machines where seconds do not.

Printed, each with its target and whether it is met:

- the reference year (``scenarios/baseline.yaml``, one replication, ``--jobs 1``, its
  30-day warm-up and 330 measured days): CPU <= 7x the floor's CPU for 1 M completions;
  peak RSS of that process <= 150 MB;
- linesim on the Penny Fab (``configs/penny_fab.yaml``, w = 16, 1 M completions):
  >= 0.8x the floor's completions per CPU second, >= 5x plain SimPy's (a ``Resource`` per
  station and a process per job);
- ``linesim --help``: < 0.3 s wall;
- the main job (``linesim compare scenarios/claim_20_20.yaml``, ``--jobs`` = cores, plots
  and report.html, into a temporary folder), once after the rounds: <= 30 s wall, also
  given as a multiple of the floor's CPU for 1 M completions (``--quick`` leaves it out).

The heapq loop (the same model with no library) is printed beside the floor, as the
floor's rate relative to it, and so is the stricter floor these benchmarks used until
2026-12-08 (numpy's block draws, about a tenth faster than ``random.expovariate``), with
linesim's Penny Fab rate against it, so figures of before can be compared. The
uncertainty study's and the test suite's times are wall times of whole commands:
``benchmarks/readme_times.py`` measures those.

    python benchmarks/speed_targets.py [--rounds 3] [--completions 1000000] [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = Path(__file__).resolve().parent

YEAR_VS_FLOOR = 7.0
"""Largest acceptable ratio of the reference year's CPU to the floor's 1 M completions [-]."""
YEAR_RSS_MB = 150.0
"""Largest acceptable peak resident memory of the year's process [MB]."""
PENNY_VS_FLOOR = 0.8
"""Smallest acceptable ratio of linesim's Penny Fab completions per CPU second to the
floor's [-]."""
PENNY_VS_SIMPY = 5.0
"""Smallest acceptable ratio of linesim's Penny Fab completions per CPU second to plain
SimPy's [-]."""
HELP_SECONDS = 0.3
"""Largest acceptable wall time of ``linesim --help`` [s]."""
MAIN_JOB_SECONDS = 30.0
"""Largest acceptable wall time of the main job on this machine's cores [s]."""

_PENNY = """
import json, resource, sys, time
sys.path.insert(0, {bench!r})
import engine_speed
engine_speed.RUNNERS[{model!r}](10.0, 16, 1)  # imports and first calls, not timed
start = time.process_time()
completions, _out, _wall = engine_speed.RUNNERS[{model!r}]({horizon!r}, 16, 1)
cpu = time.process_time() - start
print(json.dumps({{"completions": completions, "cpu": cpu}}))
"""

_YEAR = """
import json, resource, time
from sim import load_scenario
from sim.engine import simulate
scenario = load_scenario({scenario!r})
start = time.process_time()
result = simulate(scenario.line, scenario.horizon, scenario.warmup, scenario.seed, 0)
cpu = time.process_time() - start
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({{"cpu": cpu, "events": result.events, "rss": rss}}))
"""


def _python(code: str) -> dict[str, float]:
    """Run ``code`` in a fresh interpreter with this checkout's ``sim``; its last line is
    JSON."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env, cwd=ROOT
    )
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def penny(model: str, horizon: float) -> dict[str, float]:
    """One Penny Fab run of ``model`` (an ``engine_speed`` runner): completions, CPU [s]
    (after a short untimed run, so imports are not counted; linesim's includes loading
    the line file, a few ms)."""
    return _python(_PENNY.format(bench=str(BENCH), model=model, horizon=horizon))


def year() -> dict[str, float]:
    """One reference year: CPU [s], SimPy events, peak RSS [MB]."""
    return _python(_YEAR.format(scenario=str(ROOT / "scenarios" / "baseline.yaml")))


def help_wall() -> float:
    """Wall time of ``linesim --help`` in a fresh process [s]."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "sim", "--help"], capture_output=True, check=True, env=env
    )
    return time.perf_counter() - start


def main_job_wall() -> float:
    """Wall time of the main job in a fresh process, into a temporary folder [s]."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with tempfile.TemporaryDirectory() as scratch:
        command = [sys.executable, "-m", "sim", "compare", "scenarios/claim_20_20.yaml"]
        command += ["--out", scratch, "--quiet", "--jobs", str(os.cpu_count() or 1)]
        start = time.perf_counter()
        subprocess.run(command, capture_output=True, check=True, env=env, cwd=ROOT)
        return time.perf_counter() - start


def _verdict(met: bool) -> str:
    return "met" if met else "NOT met"


def main(argv: list[str] | None = None) -> int:
    """Measure and print the targets; returns the exit status (0 whether met or not)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds [-]")
    parser.add_argument(
        "--completions", type=int, default=1_000_000, help="Penny Fab completions, about [-]"
    )
    parser.add_argument("--quick", action="store_true", help="leave out the main job")
    args = parser.parse_args(argv)
    if args.rounds < 1 or args.completions < 1:
        parser.error("--rounds and --completions must be positive")
    sys.path.insert(0, str(BENCH))
    import engine_speed

    horizon = args.completions / (engine_speed.STATIONS * engine_speed.exact_throughput(16))
    load = os.getloadavg()[0]
    runs: dict[str, list[dict[str, float]]] = {
        "floor": [],
        "linesim": [],
        "simpy": [],
        "heapq": [],
        "numpy": [],
        "year": [],
        "help": [],
    }
    for _ in range(args.rounds):
        runs["floor"].append(penny("SimPy floor", horizon))
        runs["linesim"].append(penny("linesim", horizon))
        runs["simpy"].append(penny("plain SimPy", horizon))
        runs["heapq"].append(penny("heapq loop", horizon))
        runs["numpy"].append(penny("numpy floor", horizon))
        runs["year"].append(year())
        runs["help"].append({"wall": help_wall()})

    def median(name: str, key: str) -> float:
        return statistics.median(run[key] for run in runs[name])

    def rate(name: str) -> float:
        return statistics.median(run["completions"] / run["cpu"] for run in runs[name])

    floor_rate = rate("floor")
    floor_cpu = 1e6 / floor_rate  # CPU of 1 M completions [s]
    year_cpu, year_rss = median("year", "cpu"), median("year", "rss")
    year_ratio = year_cpu / floor_cpu
    penny_floor, penny_simpy = rate("linesim") / floor_rate, rate("linesim") / rate("simpy")
    help_s = median("help", "wall")
    main_s = None if args.quick else main_job_wall()
    print(
        f"{args.rounds} interleaved rounds, fresh processes, medians; load average "
        f"{load:.1f} at the start on {os.cpu_count()} cores"
    )
    print(
        f"the floor: {floor_rate:,.0f} completions per CPU s, {floor_cpu:.3f} s of CPU "
        "for 1 M completions (the unit below)"
    )
    print(
        f"the heapq loop: {rate('heapq'):,.0f} completions per CPU s; the floor runs at "
        f"{floor_rate / rate('heapq'):.2f}x it"
    )
    print(
        f"the floor with numpy's block draws (the yardstick until 2026-12-08): "
        f"{rate('numpy'):,.0f} per CPU s, {rate('numpy') / floor_rate:.2f}x the floor; the "
        f"reference year {year_ratio * rate('numpy') / floor_rate:.1f}x it, the Penny Fab "
        f"{rate('linesim') / rate('numpy'):.2f}x it"
    )
    print()
    rows = [
        (
            "reference year, CPU",
            f"{year_cpu:.2f} s = {year_ratio:.1f}x the floor",
            f"<= {YEAR_VS_FLOOR:g}x ({YEAR_VS_FLOOR * floor_cpu:.2f} s)",
            _verdict(year_ratio <= YEAR_VS_FLOOR),
        ),
        (
            "reference year, events",
            f"{median('year', 'events'):,.0f} ({year_cpu / median('year', 'events') * 1e6:.2f}"
            " us of CPU each)",
            "",
            "",
        ),
        (
            "reference year, peak RSS",
            f"{year_rss:.0f} MB",
            f"<= {YEAR_RSS_MB:g} MB",
            _verdict(year_rss <= YEAR_RSS_MB),
        ),
        (
            "Penny Fab, linesim / floor",
            f"{penny_floor:.2f}x ({rate('linesim'):,.0f} completions per CPU s)",
            f">= {PENNY_VS_FLOOR:g}x",
            _verdict(penny_floor >= PENNY_VS_FLOOR),
        ),
        (
            "Penny Fab, linesim / plain SimPy",
            f"{penny_simpy:.2f}x ({rate('simpy'):,.0f} per CPU s)",
            f">= {PENNY_VS_SIMPY:g}x",
            _verdict(penny_simpy >= PENNY_VS_SIMPY),
        ),
        (
            "linesim --help",
            f"{help_s:.3f} s wall",
            f"< {HELP_SECONDS:g} s",
            _verdict(help_s < HELP_SECONDS),
        ),
    ]
    if main_s is not None:
        rows.append(
            (
                "the main job, wall",
                f"{main_s:.1f} s = {main_s / floor_cpu:.0f}x the floor",
                f"<= {MAIN_JOB_SECONDS:g} s",
                _verdict(main_s <= MAIN_JOB_SECONDS),
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    head = ("figure", "measured", "target", "")
    print("  ".join(h.ljust(w) for h, w in zip(head, widths, strict=True)).rstrip())
    for row in rows:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
    return 0


if __name__ == "__main__":
    sys.exit(main())
