"""Is this change faster? The working tree against a git revision, back to back.

This machine's speed drifts by 10-15 % within an hour, more than most single speed-ups,
so figures of different hours cannot be compared. This benchmark runs the same workload
on the code of a revision and on the working tree in alternating fresh processes (pairs
in A-B, B-A order, so a steady drift cancels), and prints each run's CPU time [s], the
ratio new / base of each pair and the mean ratio with its 95 % t-interval: a change is a
speed-up when the whole interval lies below 1.

    python benchmarks/ab_speed.py --base HEAD~3 [--workload year|penny] [--pairs 6]

Workloads: ``year`` simulates the reference line (``scenarios/baseline.yaml``, replication
0) for ``--days`` measured days after its 30-day warm-up; ``penny`` is
``benchmarks/engine_speed.py``'s Penny Fab (w = 16, about 1 M station completions). The
revision's code is exported with ``git archive`` into a temporary folder (the repository's
work trees are not touched) and imported from there; the scenario files are the working
tree's, so both sides simulate the same line.

Measured 2026-11-30, the first round of that day (base 19bc9f3) against its end:
see docs/speed.md.
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

WORKLOADS = {
    "year": """
import time
import sim
from sim import load_scenario, simulate
print(sim.__file__)
scenario = load_scenario({scenario!r})
cpu = time.process_time()
simulate(scenario.line, {days} * 24.0, scenario.warmup, scenario.seed, 0)
print(time.process_time() - cpu)
""",
    "penny": """
import time
import sim
from sim.engine import simulate
from sim.model import load_line
print(sim.__file__)
line = load_line({penny!r}, {{"release.wip": 16}})
cpu = time.process_time()
simulate(line, horizon=593750.0, warmup=0.0, seed=1)
print(time.process_time() - cpu)
""",
}


def export(revision: str, folder: Path) -> Path:
    """Write the ``sim`` package of ``revision`` into ``folder``; return ``folder``."""
    done = subprocess.run(
        ["git", "-C", str(ROOT), "archive", "--format=tar", revision, "sim"],
        capture_output=True,
    )
    if done.returncode != 0:
        message = done.stderr.decode(errors="replace").strip()
        raise SystemExit(f"--base {revision}: no such revision of linesim here ({message})")
    archive = done.stdout
    tar = folder / "sim.tar"
    tar.write_bytes(archive)
    with tarfile.open(tar) as bundle:
        if hasattr(tarfile, "data_filter"):  # Python 3.11.4 and later
            bundle.extractall(folder, filter="data")
        else:  # pragma: no cover - our own archive of our own repository
            bundle.extractall(folder)
    tar.unlink()
    return folder


def one_run(tree: Path, code: str) -> float:
    """CPU seconds of ``code`` run in a fresh process importing ``sim`` from ``tree``."""
    environment = {**os.environ, "PYTHONPATH": str(tree), "OPENBLAS_NUM_THREADS": "1"}
    done = subprocess.run(  # in the tree: ``-c`` puts the working folder first on sys.path
        [sys.executable, "-c", code],
        check=True,
        capture_output=True,
        text=True,
        env=environment,
        cwd=tree,
    )
    imported, cpu = done.stdout.strip().splitlines()[-2:]
    if not Path(imported).resolve().is_relative_to(tree.resolve()):
        raise SystemExit(f"the run imported linesim from {imported}, not from {tree}")
    return float(cpu)


def interval(ratios: list[float]) -> tuple[float, float]:
    """Mean of ``ratios`` and the half-width of its 95 % t-interval."""
    from sim.analysis.statistics import t_halfwidth

    return statistics.fmean(ratios), t_halfwidth(ratios)


def main() -> None:
    """Run the pairs and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", required=True, help="git revision to compare against")
    parser.add_argument("--workload", choices=sorted(WORKLOADS), default="year")
    parser.add_argument("--pairs", type=int, default=6, help="base/new pairs (at least 2)")
    parser.add_argument("--days", type=float, default=60.0, help="year: measured days")
    args = parser.parse_args()
    if args.pairs < 2:
        parser.error("--pairs must be at least 2")
    code = WORKLOADS[args.workload].format(
        scenario=str(ROOT / "scenarios" / "baseline.yaml"),
        penny=str(ROOT / "configs" / "penny_fab.yaml"),
        days=args.days,
    )
    ratios = []
    with tempfile.TemporaryDirectory(prefix="linesim-ab-") as folder:
        base = export(args.base, Path(folder))
        print(
            f"{args.workload}: base {args.base} against the working tree, {args.pairs} pairs, "
            f"load average {os.getloadavg()[0]:.1f} at the start, {os.cpu_count()} cores"
        )
        print(f"{'pair':>4} {'base CPU [s]':>13} {'new CPU [s]':>12} {'new / base':>11}")
        for pair in range(args.pairs):
            if pair % 2 == 0:
                old = one_run(base, code)
                new = one_run(ROOT, code)
            else:
                new = one_run(ROOT, code)
                old = one_run(base, code)
            ratios.append(new / old)
            print(f"{pair + 1:>4} {old:>13.3f} {new:>12.3f} {new / old:>11.3f}")
    mean, half = interval(ratios)
    low, high = mean - half, mean + half
    verdict = (
        "faster" if high < 1 else "slower" if low > 1 else "no difference this benchmark can see"
    )
    print(f"new / base: {mean:.3f} [{low:.3f}, {high:.3f}] (95 % t-interval): {verdict}")
    print(f"load average {os.getloadavg()[0]:.1f} at the end")
    if not math.isfinite(half):
        sys.exit(1)


if __name__ == "__main__":
    main()
