"""Fit speed benchmark: ``linesim fit`` on a generated MES log of 10 million rows.

The log is generated here with numpy (simulating 10 million rows would take minutes and
measure the engine, not the fit): 10 stations of 10 machines each, every machine a
sequence of busy cycles (gamma times, one unit each, 2 % scrapped), idle spells and
failures (exponential up-times on the operating basis and repairs), interleaved by time
across machines as an MES writes them, stored as Parquet (and, with ``--csv``, as CSV).
The fit is timed in its steps: reading and cleaning, per-station fitting, writing
``fitted.yaml``/``fit.json`` (the report's plots are left out with ``--no-report``, as
their cost does not grow with the log). The recovered parameters are printed next to the
true ones so the figures are of a fit that works.

Target (from the issue): 10 million rows fit in under a minute on this machine.

Run from the repository root::

    python benchmarks/fit_speed.py [--rows 10000000] [--csv] [--no-report]
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

import numpy as np

STATIONS = 10
MACHINES = 10
PROCESS_MEAN = 30.0  # [s]
PROCESS_CV = 0.4
IDLE_SHARE = 0.1  # rows that are idle spells [-]
IDLE_MEAN = 20.0  # [s]
MTBF = 3600.0  # operating basis [s]
MTTR = 300.0  # [s]
SCRAP = 0.02


def generate(rows: int, folder: Path, seed: int = 1) -> tuple[Path, Path]:
    """Write the log (Parquet) and its line (YAML) into ``folder``; return both paths."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = np.random.default_rng(seed)
    machines = STATIONS * MACHINES
    per_machine = rows // machines
    shape = 1 / PROCESS_CV**2
    kind = rng.random((machines, per_machine))
    idle = kind < IDLE_SHARE
    busy = ~idle
    process = rng.gamma(shape, PROCESS_MEAN / shape, (machines, per_machine))
    # Failures: exponential busy time between them on each machine's busy-time axis; a
    # cycle hit by one is split there and resumes after the repair.
    fails = np.zeros((machines, per_machine), dtype=bool)
    part = np.zeros((machines, per_machine))
    for machine in range(machines):  # one pass per machine, not per row
        work = np.where(busy[machine], process[machine], 0.0)
        ends = np.cumsum(work)
        moments = np.cumsum(rng.exponential(MTBF, int(ends[-1] / MTBF * 1.2) + 100))
        moments = moments[moments < ends[-1]]
        rows_hit = np.searchsorted(ends, moments, side="right")
        hit, first = np.unique(rows_hit, return_index=True)
        fails[machine, hit] = True
        part[machine, hit] = moments[first] - (ends[hit] - work[hit])
    scrap = busy & (rng.random((machines, per_machine)) < SCRAP)
    # Each busy row that fails becomes busy (part) + down + busy (rest): three rows.
    pieces = np.where(fails, 3, 1)
    count = pieces.sum(axis=1)
    width = int(count.max())
    state = np.full((machines, width), -1, dtype=np.int8)
    duration = np.zeros((machines, width))
    units = np.zeros((machines, width))
    scrapped = np.zeros((machines, width))
    start = np.cumsum(pieces, axis=1) - pieces
    m = np.repeat(np.arange(machines)[:, None], per_machine, axis=1)
    # first piece
    state[m, start] = np.where(idle, 1, 0)
    duration[m, start] = np.where(
        idle, rng.exponential(IDLE_MEAN, idle.shape), np.where(fails, part, process)
    )
    last = np.where(fails, start + 2, start)
    units[m, last] = (busy & ~scrap).astype(float)
    scrapped[m, last] = scrap.astype(float)
    fm, fi = np.nonzero(fails)
    state[fm, start[fm, fi] + 1] = 3
    duration[fm, start[fm, fi] + 1] = rng.exponential(MTTR, len(fm))
    state[fm, start[fm, fi] + 2] = 0
    duration[fm, start[fm, fi] + 2] = process[fm, fi] - part[fm, fi]
    time_ = np.cumsum(duration, axis=1) - duration
    # Every machine logs up to the same end, as in a plant: cut at the earliest last row.
    end = np.where(state >= 0, time_, 0.0).max(axis=1).min()
    valid = (state >= 0) & (time_ <= end)
    time_, state = time_[valid], state[valid]
    units, scrapped = units[valid], scrapped[valid]
    machine = np.repeat(np.arange(machines)[:, None], width, axis=1)[valid]
    order = np.argsort(time_, kind="stable")  # an MES writes rows as they happen
    names = np.array([f"s{i}" for i in range(STATIONS)])
    words = np.array(["run", "starved", "blocked", "fault"])
    table = pa.table(
        {
            "timestamp": time_[order],
            "station": pa.array(names[machine[order] // MACHINES]).dictionary_encode(),
            "machine": pa.array((machine[order] % MACHINES).astype(str)).dictionary_encode(),
            "state": pa.array(words[state[order]]).dictionary_encode(),
            "units": units[order],
            "scrap": scrapped[order],
        }
    )
    log = folder / "mes.parquet"
    pq.write_table(table, log)
    line = folder / "line.yaml"
    stations = "\n".join(
        f"  - {{name: s{i}, machines: {MACHINES}, process_time: 0.5, buffer: 10, "
        f"failures: {{mtbf: 60, mttr: 5}}}}"
        for i in range(STATIONS)
    )
    line.write_text(
        f"name: bench\ntime_unit: min\nrelease: {{policy: push}}\nstations:\n{stations}\n"
    )
    return log, line


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000, help="rows about (default 10 M)")
    parser.add_argument("--csv", action="store_true", help="also time the same log as CSV")
    parser.add_argument("--no-report", action="store_true", help="skip the report's plots")
    args = parser.parse_args()

    from sim.fit import fit_log
    from sim.fit.log import read_log

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        began = time.perf_counter()
        log, line = generate(args.rows, folder)
        generated = time.perf_counter() - began
        logs = [log]
        if args.csv:
            import pyarrow.csv as pa_csv
            import pyarrow.parquet as pq

            csv_log = folder / "mes.csv"
            import pyarrow as pa

            table = pq.read_table(log)
            plain = pa.schema(
                [
                    pa.field(
                        f.name, f.type.value_type if pa.types.is_dictionary(f.type) else f.type
                    )
                    for f in table.schema
                ]
            )
            pa_csv.write_csv(table.cast(plain), csv_log)
            logs.append(csv_log)
        print(f"generated {log.stat().st_size / 1e6:.0f} MB Parquet in {generated:.1f} s")
        for path in logs:
            began = time.perf_counter()
            read = read_log(path, stations={f"s{i}" for i in range(STATIONS)})
            reading = time.perf_counter() - began
            began, cpu = time.perf_counter(), time.process_time()
            result = fit_log(path, line, folder / "out", report=not args.no_report)
            total, cpu = time.perf_counter() - began, time.process_time() - cpu
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(f"\n{path.suffix[1:]}: {read.rows_read:,} rows")
            print(f"  read and clean       {reading:6.1f} s")
            print(
                f"  whole fit (read, fit, write{'' if args.no_report else ', report'}) "
                f"{total:6.1f} s wall, {cpu:.1f} s CPU   target < 60 s   peak RSS {peak:,.0f} MB"
            )
            s0 = result.record["stations"]["s0"]
            rows = [
                ("process mean [s]", PROCESS_MEAN, s0["process_time"]["mean"]),
                ("process cv [-]", PROCESS_CV, s0["process_time"]["cv"]),
                ("MTBF operating [s]", MTBF, s0["failures"]["mtbf"]),
                ("MTTR [s]", MTTR, s0["failures"]["repair_time"]["mean"]),
                ("scrap [-]", SCRAP, s0["scrap"]),
            ]
            print(f"  {'station s0':20s} {'true':>10s} {'fitted':>10s}  95 % CI")
            for name, truth, fitted in rows:
                low, high = fitted["ci"]
                print(
                    f"  {name:20s} {truth:10.4g} {fitted['value']:10.4g}  [{low:.4g}, {high:.4g}]"
                )


if __name__ == "__main__":
    main()
