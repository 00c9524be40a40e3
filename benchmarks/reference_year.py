"""Speed and memory of one simulated year of the reference prismatic line.

Runs ``scenarios/baseline.yaml`` (one replication, its own horizon and warm-up, default lot
sizes: 30 + 330 = 360 simulated days) and prints the CPU seconds of the run, SimPy events
per CPU second and peak memory. CPU time, not wall time, is the figure: the machine may be
shared, and the load average is printed beside it. Targets (issue 12): under 5 s CPU and
under 300 MB.

Where a year goes (py-spy sampling, no profiler overhead, 2026-11-29 late evening, the line
of 27 machine stations and 3 delays): 2.82 M SimPy events and 11.7 s CPU quiet (16.5-16.7 s
at the start of that session, 23.6 s two rounds before at a load of 4). Self time by place:
our machine loops (with wakes and state clocks) 31 %, station quality (scrap and defect
counts, inspection) 13 %, lot merging (``combine``, ``Lot``) 13 %, buffers 12 %, delays 8 %,
output lots (``finish``) 7 %, lot times 6 %, SimPy itself 10 %. Inclusive: merging,
batching and inspecting stations (``_run_general``) 48 %, of which ``StationRun.finish``
25 %; single-input tray stations (``_run_lots``) 26 %; the ends of soaks 12 %. Minor
stops (134,000 in the window) and setups (91,000) cost an event each beyond the lots'.

Changed in the latest round: a lot of n cycles of an untruncated normal (every tray
station of this line) draws its time once, N(n mean, sqrt(n) sd), the exact distribution
of the sum of its cycles, instead of n normals and a cumulative sum (11 % of the year
before); a soak's scrap comes from cached binomial tables instead of numpy's sampler per
lot; machines push their events into SimPy's queue themselves (the entry
``env.schedule`` pushes) and read ``env._now`` instead of the ``now`` property; a machine's
event resumes its body without a further call. These two draws changed, so the output
moved within its CIs (the baseline's KPIs inside their previous 95 % CIs: 54 of 56, the
other two 0.05 % off); every other step left baseline, smart, penny_fab and
cell_assembly_serial byte-identical. Earlier rounds: machines on one reused SimPy event
instead of a process, wakes without events inside the engine's own callbacks, fixed soaks
with only their next end in SimPy's heap, binomial inversion by cached tables, a lean loop
for stations that work whole lots, delays releasing lots that end together in one event,
and simple (lot-1, nothing that stops them) stations as timed callbacks.

What is left is Python per lot spread over many small steps (no single hot spot): the 5 s
target needs fewer lots or a compiled core for the per-lot bookkeeping. ``--flow-floor``
measures it: the same year with no scrap, defects, failures, minor stops or setups (the
lots' flow alone, 2.52 M events) took 8.3-9.9 s CPU on 2026-11-30 (3.2-3.9 us an event),
so even a line that never fails or scraps misses 5 s. Removing one thing at a time (150
days, best of 2): defects cost 19 % of the run, scrap 11 %, minor stops, failures and
setups together 2-3 %. This machine's speed drifts by 10-15 % within an hour (12.1-13.7 s
for the same code within minutes): compare code back to back, not figures of different
hours. Compiling the engine's machine, buffer, delay, lot, monitor, piece and wakes
modules with mypyc (tried twice, not kept: a C compiler at install time on every platform,
stale extensions in editable installs) gave 1.33x on the code of 2026-11-29 morning and
1.19x on that of 2026-11-30 (60 days: 2.96-3.30 -> 2.57-2.63 s): a compiled year would
still take about 10.5 s.

Coarser lots are the one lever left that cuts events without a compiled core, and they
change the model: ``--tray N`` times the year with every lot of 48 cells (the line's
tray, its cell steps and the unloading of bake, formation and grading) made N cells.
Measured 2026-11-30, 4 replications each (common random numbers): trays of 48 took
12.5-13.8 s CPU a year (2.74 M events, 495,736 modules); of 96, 7.4-8.0 s (1.75 M
events, modules +0.19 % [+0.05, +0.33] paired); of 144, 6.1-6.3 s (1.42 M, +0.35 %);
of 192, 5.9-6.3 s (1.35 M): the gain levels off short of 5 s, as the steps with other
lots keep theirs (winding's magazines of 96 rolls, module assembly's 5 modules). The
mean flow time stayed at 19.5 days. Trays of 48 are the reference line's sourced
handling unit: changing them is a modelling decision, not a speed setting.

    python benchmarks/reference_year.py [--replication N] [--no-memory] [--flow-floor]
        [--tray N]
"""

from __future__ import annotations

import argparse
import os
import resource
import time
import tracemalloc
from pathlib import Path

from sim import load_scenario, simulate
from sim.model import Line

ROOT = Path(__file__).resolve().parent.parent


def flow_alone(line: Line) -> Line:
    """The line with its lots' flow alone: every station without scrap, hidden defects,
    failures, minor stops and setups (a benchmark's floor, not a model of a plant)."""
    stations = [
        station.model_copy(
            update={
                "scrap": 0.0,
                "defects": None,
                "failures": None,
                "minor_stops": None,
                "setup": None,
            }
        )
        for station in line.stations
    ]
    return line.model_copy(update={"stations": stations})


TRAY = 48
"""Cells in a tray of the reference line, the lot of its cell steps [cells]."""


def coarser_trays(line: Line, cells: int) -> Line:
    """The line with every lot of :data:`TRAY` cells made ``cells`` (a coarser model of the
    same line, to weigh fewer events against fidelity)."""
    stations = [
        station.model_copy(update={"lot": cells}) if station.lot == TRAY else station
        for station in line.stations
    ]
    return line.model_copy(update={"stations": stations})


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replication", type=int, default=0)
    parser.add_argument("--no-memory", action="store_true", help="skip the traced re-run")
    parser.add_argument(
        "--flow-floor",
        action="store_true",
        help="also time the year with the lots' flow alone (no scrap, defects, failures, "
        "minor stops or setups): what moving the lots costs in this engine",
    )
    parser.add_argument(
        "--tray",
        type=int,
        metavar="N",
        help=f"also time the year with every lot of {TRAY} cells made N cells (a coarser "
        "model: fewer events, slightly different results)",
    )
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
    if args.flow_floor:
        flow = flow_alone(line)
        cpu = time.process_time()
        bare = simulate(flow, scenario.horizon, scenario.warmup, scenario.seed, args.replication)
        cpu = time.process_time() - cpu
        print(
            f"  flow alone         {cpu * 365 / days:8.2f} s   per sim. year, {bare.events:,d} "
            f"events ({cpu / bare.events * 1e6:.2f} us each): no scrap, defects, failures, "
            "stops, setups"
        )
    if args.tray:
        coarse = coarser_trays(line, args.tray)
        cpu = time.process_time()
        tray = simulate(coarse, scenario.horizon, scenario.warmup, scenario.seed, args.replication)
        cpu = time.process_time() - cpu
        coarse_modules = tray.finished.get("module", {}).get("units", 0.0)
        print(
            f"  trays of {args.tray:<4d}     {cpu * 365 / days:8.2f} s   per sim. year, "
            f"{tray.events:,d} events, {coarse_modules:,.0f} modules "
            f"({(coarse_modules / modules - 1) * 100 if modules else 0.0:+.2f} % against "
            f"trays of {TRAY}, this replication)"
        )
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  process max RSS    {rss:8.1f} MB  (target < 300 MB; includes numpy, scipy)")


if __name__ == "__main__":
    main()
