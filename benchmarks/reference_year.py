"""Speed and memory of one simulated year of the reference prismatic line.

Runs ``scenarios/baseline.yaml`` (one replication, its own horizon and warm-up, default lot
sizes) and prints wall seconds per simulated year, SimPy events per second and peak
memory. Target (issue): under 20 s a year, under 500 MB.

    python benchmarks/reference_year.py [--replication N]
"""

from __future__ import annotations

import argparse
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
    per_year = wall * 365 / days
    print(
        f"reference line {line.name}: {days:.0f} simulated days "
        f"({scenario.warmup:g} {line.time_unit} warm-up + {scenario.horizon:g} measured)"
    )
    print(f"  wall time          {wall:8.2f} s   (cpu {cpu:.2f} s)")
    print(f"  per simulated year {per_year:8.2f} s   (target < 20 s)")
    print(f"  SimPy events       {result.events:8,d}   ({result.events / wall:,.0f} per s)")
    modules = result.finished.get("module", {}).get("units", 0.0)
    print(f"  modules out        {modules:8,.0f}")
    if not args.no_memory:
        tracemalloc.start()
        simulate(line, scenario.horizon, scenario.warmup, scenario.seed, args.replication)
        peak = tracemalloc.get_traced_memory()[1] / 1e6
        tracemalloc.stop()
        print(f"  peak traced memory {peak:8.1f} MB  (Python objects of the run)")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  process max RSS    {rss:8.1f} MB  (target < 500 MB; includes numpy, scipy)")


if __name__ == "__main__":
    main()
