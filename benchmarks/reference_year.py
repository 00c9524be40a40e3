"""Speed and memory of one simulated year of the reference prismatic line.

Runs ``scenarios/baseline.yaml`` (one replication, its own horizon and warm-up, default lot
sizes: 30 + 330 = 360 simulated days) and prints the CPU seconds of the run, SimPy events
per CPU second and peak memory. CPU time, not wall time, is the figure: the machine may be
shared, and the load average is printed beside it. Targets (issue 12): under 5 s CPU and
under 300 MB.

Where a year goes (py-spy sampling, no profiler overhead, 2026-11-29 evening, the line of
27 machine stations and 3 delays): 2.82 M SimPy events (3.52 M before this round) and 17-18 s CPU
under a load average of 4 on 2 cores (23.6-23.8 s before, same load). Self time by
place: our machine loops 24 %, station quality and lot making 18 %, lot merging
(``combine``, ``Lot``) 12 %, buffers 11 %, delays 8 %, numpy's normal draws 7 % and the
lot-time block sums around them 6 %, SimPy itself 13 %. Inclusive: merging, batching and
inspecting stations (``_run_general``) 44 %, of which ``StationRun.finish`` 21 %;
single-input tray stations (``_run_lots``) 32 %; sums of 48 cycle times per tray 12 %
(each tray draws its 48 normals: the same draws as the per-cell model); scrap and
inspection draws 12 %; the ends of soaks 11 %.

Changed in this round, all with byte-identical results (summaries of baseline,
penny_fab, cell_assembly_serial and smart compared after every step): machines drive
their generator bodies with one reused SimPy event instead of a SimPy process (no
Timeout, Event or Process resumption per step); a machine woken inside the engine's own
callback with nothing else due at that instant resumes when the callback ends instead of
in a wake event (a fifth of all events); a fixed soak keeps its lots in a queue with
only the next end in SimPy's heap, under the event number SimPy would have given it
(thousands of ageing lots had made every heap operation deeper); raw material joins a
merge without a lot; scrap counters hold their binomial tables per lot size; smaller
inlining in buffers, delays and ``combine``. Earlier rounds: lot times from block
cumulative sums, binomial inversion by cached tables, a lean loop for stations that work
whole lots, delays releasing lots that end together in one event, and simple (lot-1,
nothing that stops them) stations as timed callbacks.

What is left is Python per lot spread over many small steps (no single hot spot): the 5 s
target needs fewer lots or a compiled core for the per-lot bookkeeping.

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
