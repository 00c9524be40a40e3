"""Executor overhead: what running on worker processes costs per run, against the run itself.

The workload is a 50-point CONWIP sweep of the Penny Fab (w = 1..50), 10 replications per
point, 4,000 h measured after 400 h warm-up (up to 2,000 pennies at the bottleneck rate
of 0.5/h), so 500 runs of about 15 ms each.

1. ``linesim sweep`` end to end on ``--jobs`` local processes: wall time, including
   Python start-up, the pool, loading the 50 points, summaries, files and plots.
2. The same 500 runs in this process, one after the other: the run itself (wall and CPU).
3. The 500 runs through the executor alone, in chunks (guided scheduling) and one run per
   task, on a running pool. Overhead per run = (CPU of this process + CPU of the workers
   - CPU of the serial runs) / runs: the core time spent on anything but simulating
   (pickling, pipes, scheduling). CPU times do not depend on other load on the machine;
   the wall-time figure (workers x wall - serial wall) / runs does, and is shown too.
   The one-off cost of starting the pool (the fork server imports linesim once) is given
   apart, in wall seconds.
4. The same on a Dask ``LocalCluster`` of two single-thread worker processes, if
   dask.distributed is installed.

Usage: python benchmarks/executor_overhead.py [--jobs 2] [--points 50] [--replications 10]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import psutil

import sim.experiment.executors as executors
from sim.experiment.executors import LocalExecutor
from sim.experiment.replicate import replicate_task
from sim.experiment.sweep import read_sweep

ROOT = Path(__file__).resolve().parent.parent
HORIZON = 4000.0
"""Measured time per run [h]."""
WARMUP = 400.0
"""Warm-up per run [h]."""


def _sweep_file(folder: Path, points: int, replications: int) -> Path:
    path = folder / "sweep.yaml"
    path.write_text(
        f"scenario: {ROOT / 'scenarios' / 'penny_fab.yaml'}\n"
        f"parameters:\n  release.wip: {{range: [1, {points}, 1]}}\n"
        f"kpis: [throughput, flow_time]\nreplications: {replications}\n"
        f"horizon: {HORIZON}\nwarmup: {WARMUP}\n",
        encoding="utf-8",
    )
    return path


def _cpu(pids: Sequence[int]) -> float:
    """User + system CPU time of the processes ``pids`` [s]."""
    total = 0.0
    for pid in pids:
        times = psutil.Process(pid).cpu_times()
        total += times.user + times.system
    return total


def _measure(
    label: str,
    run: Callable[[], Any],
    workers: list[int],
    jobs: int,
    serial: tuple[float, float],
    runs: int,
) -> Any:
    """Run ``run()``, print wall time and the CPU and wall overhead per run."""
    me = psutil.Process()
    before_me, before_workers = me.cpu_times(), _cpu(workers)
    start = time.perf_counter()
    result = run()
    wall = time.perf_counter() - start
    after_me = me.cpu_times()
    used = (
        after_me.user
        + after_me.system
        - before_me.user
        - before_me.system
        + _cpu(workers)
        - before_workers
    )
    serial_wall, serial_cpu = serial
    cpu_over = (used - serial_cpu) / runs
    wall_over = (jobs * wall - serial_wall) / runs
    print(
        f"  {label:<34} {wall:5.2f} s wall; overhead per run: CPU {1000 * cpu_over:5.2f} ms "
        f"= {100 * cpu_over / (serial_cpu / runs):4.1f} % of a run, wall "
        f"{1000 * wall_over:5.2f} ms = {100 * wall_over / (serial_wall / runs):5.1f} %"
    )
    return result


def main() -> None:
    """Print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--points", type=int, default=50)
    parser.add_argument("--replications", type=int, default=10)
    parser.add_argument("--no-dask", action="store_true")
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        sweep_file = _sweep_file(folder, args.points, args.replications)
        spec = read_sweep(sweep_file)
        runs = args.points * args.replications
        print(
            f"Penny Fab sweep: {args.points} points x {args.replications} replications = "
            f"{runs} runs, {HORIZON:g} h + {WARMUP:g} h warm-up each, --jobs {args.jobs}"
        )

        start = time.perf_counter()
        subprocess.run(
            [
                sys.executable,
                "-m",
                "sim",
                "sweep",
                str(sweep_file),
                "--jobs",
                str(args.jobs),
                "--out",
                str(folder / "cli"),
                "--quiet",
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        print(
            f"1. linesim sweep end to end (start-up, pool, {args.points} points, summaries, "
            f"table, plots): {time.perf_counter() - start:.2f} s"
        )

        scenarios = [spec.file.load(point, "parameters") for point in spec.points]
        tasks = [
            (s.line, s.horizon, s.warmup, s.seed, r)
            for s in scenarios
            for r in range(s.replications)
        ]
        start, cpu = time.perf_counter(), time.process_time()
        serial_results = [replicate_task(task) for task in tasks]
        serial = (time.perf_counter() - start, time.process_time() - cpu)
        jobs = sum(r.released_total for r in serial_results) / runs
        print(
            f"2. the runs themselves, one after the other: {serial[0]:.2f} s wall, "
            f"{1000 * serial[1] / runs:.1f} ms CPU per run, {jobs:,.0f} jobs released a run"
        )

        print(f"3. the same runs on {args.jobs} local processes:")
        start = time.perf_counter()
        with LocalExecutor(args.jobs) as executor:
            executor.map(abs, list(range(args.jobs)))
            print(
                f"  pool start (fork server imports linesim once): "
                f"{time.perf_counter() - start:.2f} s wall, once per command"
            )
        for label, factor in (
            ("chunks (guided scheduling)", executors.GUIDED_FACTOR),
            ("one run per task", 10**9),
        ):
            executors.GUIDED_FACTOR = factor
            with LocalExecutor(args.jobs) as executor:
                executor.map(replicate_task, tasks[: 2 * args.jobs])
                assert executor._pool is not None
                workers = list(executor._pool._processes)  # type: ignore[attr-defined]
                parallel = _measure(
                    label,
                    lambda e=executor: e.map(replicate_task, tasks),
                    workers,
                    args.jobs,
                    serial,
                    runs,
                )
            assert parallel == serial_results
        executors.GUIDED_FACTOR = 4
        if not args.no_dask:
            _dask(tasks, serial_results, serial, runs)


def _dask(
    tasks: list[Any], serial_results: list[Any], serial: tuple[float, float], runs: int
) -> None:
    try:
        from distributed import LocalCluster
    except ImportError:
        print("4. Dask: not installed (pip install 'linesim[cluster]')")
        return
    from sim.experiment.executors import DaskExecutor

    print("4. Dask LocalCluster, 2 single-thread worker processes:")
    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        DaskExecutor(cluster.scheduler_address) as executor,
    ):
        executor.map(replicate_task, tasks[:4])  # workers import linesim once
        assert executor._client is not None
        workers = list(executor._client.run(os.getpid).values())
        parallel = _measure(
            "chunks (guided), scheduler in-process",
            lambda: executor.map(replicate_task, tasks),
            workers,
            2,
            serial,
            runs,
        )
    assert parallel == serial_results


if __name__ == "__main__":
    main()
