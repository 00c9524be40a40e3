"""Speed and memory of one simulated year of the reference prismatic line.

Runs ``scenarios/baseline.yaml`` (one replication, its own horizon and warm-up, default lot
sizes: 30 + 330 = 360 simulated days) and prints the CPU seconds of the run, SimPy events
per CPU second and peak memory. CPU time, not wall time, is the figure: the machine may be
shared, and the load average is printed beside it. Targets (issue 12): under 5 s CPU and
under 300 MB.

Where a year goes (cProfile and pyinstrument, 2026-11-29): 1.86 M SimPy events, but SimPy
itself (scheduling, the heap, resuming processes) took under a fifth of the time; the rest
was our Python per lot: summing 48 normal draws per tray (``math.fsum`` over an iterator,
about a sixth), the binomial loop of scrap and inspection, ``finish``/``combine`` of the
merge and batch stations (winding, hot-press, module assembly, formation, grading, bake:
half of all time for a fifth of the lot steps), buffer takes that split lots, and one
callback per lot in the delays. Changed: lot times from block cumulative sums, binomial
inversion by cached tables, a lean loop for stations that work whole lots, ``combine``
without generators, delays that release lots with one end time in one event, and simple
(lot-1, nothing that stops them) stations as timed callbacks instead of processes.

    python benchmarks/reference_year.py [--replication N] [--no-memory]
"""

from __future__ import annotations

import argparse
import os
import resource
import time
import tracemalloc
from pathlib import Path

from sim import load_scenario, simulate

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replication", type=int, default=0)
    parser.add_argument("--no-memory", action="store_true", help="skip the traced re-run")
    args = parser.parse_args()
    scenario = load_scenario(ROOT / "scenarios" / "baseline.yaml")
    line = scenario.line
    days = (scenario.horizon + scenario.warmup) * {
        "s": 1 / 86400,
        "min": 1 / 1440,
        "h": 1 / 24,
        "d": 1.0,
    }[line.time_unit]
    start = time.perf_counter()
    cpu = time.process_time()
    result = simulate(line, scenario.horizon, scenario.warmup, scenario.seed, args.replication)
    wall = time.perf_counter() - start
    cpu = time.process_time() - cpu
    per_year = cpu * 365 / days
    print(
        f"reference line {line.name}: {days:.0f} simulated days "
        f"({scenario.warmup:g} {line.time_unit} warm-up + {scenario.horizon:g} measured)"
    )
    print(f"  load average       {os.getloadavg()[0]:8.1f}     (1 min, {os.cpu_count()} cores)")
    print(f"  cpu time           {cpu:8.2f} s   (wall {wall:.2f} s)")
    print(f"  cpu per sim. year  {per_year:8.2f} s   (target < 5 s)")
    print(f"  SimPy events       {result.events:8,d}   ({result.events / cpu:,.0f} per cpu s)")
    modules = result.finished.get("module", {}).get("units", 0.0)
    print(f"  modules out        {modules:8,.0f}")
    if not args.no_memory:
        tracemalloc.start()
        simulate(line, scenario.horizon, scenario.warmup, scenario.seed, args.replication)
        peak = tracemalloc.get_traced_memory()[1] / 1e6
        tracemalloc.stop()
        print(f"  peak traced memory {peak:8.1f} MB  (Python objects of the run)")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  process max RSS    {rss:8.1f} MB  (target < 300 MB; includes numpy, scipy)")


if __name__ == "__main__":
    main()
