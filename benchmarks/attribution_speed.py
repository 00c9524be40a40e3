"""How long the main job's lever attribution takes, apart from the comparison before it.

Runs ``sim.experiment.compare.compare(FILE, attribution=True, jobs=N)`` (what
``linesim compare FILE --attribution --jobs N`` does, without writing files) and prints
the wall time of each stage (the comparison, the attribution), the CPU time of this
process and its workers during each (sampled every 0.2 s: CPU depends little on other
load, wall time does), the load average, what the attribution cut and its check against
the full comparison, with the sampling error of each Shapley value when sampled:

    python benchmarks/attribution_speed.py [scenarios/claim_20_20.yaml] [--jobs 2]

With ``--dask-workers 1 2`` it runs the same on a local Dask cluster of each number of
one-thread worker processes in turn (``--cluster`` as a user would give it) and prints the
attribution stage's speed-up over the first: the lever sets are independent runs, so the
speed-up should follow the workers while each has a core of its own (the ``cluster``
extra). ``--replications 1`` shortens the comparison before it (the attribution keeps its
own window and check).
"""

from __future__ import annotations

import argparse
import logging
import os
import threading
import time
from typing import Any

import psutil

from sim.experiment.compare import compare
from sim.report.attribution_check import check_sentence


class _Stages:
    """A progress receiver that times each stage and samples the CPU of the process tree."""

    def __init__(self) -> None:
        self.marks: list[tuple[str, float, float, float]] = []
        self._cpu: dict[int, float] = {}
        self._stop = threading.Event()
        self._sampler = threading.Thread(target=self._sample, daemon=True)
        self._sampler.start()

    def _sample(self) -> None:
        me = psutil.Process()
        while not self._stop.wait(0.2):
            for member in [me, *me.children(recursive=True)]:
                try:
                    times = member.cpu_times()
                except psutil.Error:
                    continue
                self._cpu[member.pid] = times.user + times.system

    def cpu(self) -> float:
        return sum(self._cpu.values())

    def start(self, description: str, total: int) -> None:
        self.marks.append((f"{description} ({total} runs)", time.perf_counter(), self.cpu(), 0.0))

    def advance(self) -> None:
        pass

    def close(self) -> list[tuple[str, float, float]]:
        """Each stage's name, wall time [s] and CPU time [s]."""
        end, cpu = time.perf_counter(), self.cpu()
        self._stop.set()
        self._sampler.join()
        cpu = max(cpu, self.cpu())
        stages = []
        for index, (name, start, cpu_start, _) in enumerate(self.marks):
            if index + 1 < len(self.marks):
                stop, cpu_stop = self.marks[index + 1][1], self.marks[index + 1][2]
            else:
                stop, cpu_stop = end, cpu
            stages.append((name, stop - start, cpu_stop - cpu_start))
        return stages


def _print_attribution(content: dict[str, Any]) -> None:
    settings = content.get("attribution_settings") or {}
    print(f"attribution: {settings.get('method')}, {settings.get('lever_sets')} lever sets")
    for cut in settings.get("cut", []):
        print(f"  cut: {cut}")
    for kpi, check in (settings.get("check") or {}).items():
        print(f"  check {kpi}: {check_sentence(check)}")
    errors = settings.get("sampling_error") or {}
    for kpi, per_lever in (content.get("attribution") or {}).items():
        cells = [
            f"{lever} {entry['mean']:+.4g}"
            + (f" +/- {errors[kpi][lever]:.2g}" if kpi in errors else "")
            for lever, entry in per_lever.items()
        ]
        print(f"  {kpi}: " + ", ".join(cells))


def _run(file: str, progress: _Stages, **where: Any) -> tuple[Any, float, float]:
    """Compare with attribution; return the result, the attribution stage's wall and CPU
    time [s]."""
    result = compare(file, attribution=True, progress=progress, **where)
    stages = progress.close()
    for name, wall, cpu in stages:
        print(f"  {name:<50} {wall:>9.1f} {cpu:>8.1f}")
    wall, cpu = next(((w, c) for n, w, c in stages if n.startswith("attribution")), (0.0, 0.0))
    return result, wall, cpu


def _scaling(file: str, workers: list[int], replications: int | None) -> None:
    """The attribution stage on local Dask clusters of each size in ``workers``."""
    from distributed import LocalCluster

    rows = []
    for count in workers:
        print(f"Dask, {count} one-thread worker process(es):")
        with LocalCluster(
            n_workers=count,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=logging.CRITICAL,  # the workers' heartbeat errors at shutdown
        ) as cluster:
            _, wall, cpu = _run(
                file, _Stages(), cluster=cluster.scheduler_address, replications=replications
            )
        rows.append((count, wall, cpu))
    first_count, first_wall, _ = rows[0]
    print(
        f"{'workers':>7} {'attribution wall [s]':>21} {'CPU [s]':>8} {'speed-up':>9} {'ideal':>6}"
    )
    for count, wall, cpu in rows:
        print(
            f"{count:>7} {wall:>21.1f} {cpu:>8.1f} {first_wall / wall:>8.2f}x "
            f"{count / first_count:>5.2f}x"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("file", nargs="?", default="scenarios/claim_20_20.yaml")
    parser.add_argument("--jobs", type=int, default=2, help="worker processes")
    parser.add_argument(
        "--dask-workers",
        type=int,
        nargs="+",
        metavar="N",
        help="instead of --jobs: a local Dask cluster of N one-thread workers, for each N",
    )
    parser.add_argument(
        "--replications", type=int, help="replications of the comparison (default: the file's)"
    )
    args = parser.parse_args()
    print(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the start")
    if args.dask_workers:
        _scaling(args.file, args.dask_workers, args.replications)
        print(f"load average {os.getloadavg()[0]:.1f} at the end")
        return
    stages = _Stages()
    started = time.perf_counter()
    result = compare(
        args.file,
        attribution=True,
        jobs=args.jobs,
        progress=stages,
        replications=args.replications,
    )
    total = time.perf_counter() - started
    print(f"{'stage':<52} {'wall [s]':>9} {'CPU [s]':>8}")
    for name, wall, cpu in stages.close():
        print(f"{name:<52} {wall:>9.1f} {cpu:>8.1f}")
    print(f"{'all, with loading the files':<52} {total:>9.1f}")
    print(f"load average {os.getloadavg()[0]:.1f} at the end")
    _print_attribution(result.content)


if __name__ == "__main__":
    main()
