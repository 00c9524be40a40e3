"""Wall time of what a user waits for at the command line, against issue 12's goals.

Prints the median of several runs, each in a fresh process, of ``linesim --help``,
``linesim validate scenarios/baseline.yaml`` and a tiny run of the Penny Fab (its fixed
cost: imports, checks, writing the results folder), side by side with the goal:

    python benchmarks/cli_latency.py [--repeat 5]

Figures vary with load; on a shared machine run it twice and read the lower medians.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _linesim(*words: str) -> list[str]:
    return [sys.executable, "-m", "sim", *words]


def _timed(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=ROOT, check=True, capture_output=True, env=_env())
    return time.perf_counter() - start


def _env() -> dict[str, str]:
    return {**os.environ, "MPLBACKEND": "Agg"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs of each command")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as out:
        cases = [
            ("linesim --help", _linesim("--help"), 0.3),
            (
                "linesim validate scenarios/baseline.yaml",
                _linesim("validate", "scenarios/baseline.yaml"),
                0.3,
            ),
            (
                "linesim run penny_fab, 1 x 10 h, --no-plots",
                _linesim(
                    "run",
                    "scenarios/penny_fab.yaml",
                    "--replications",
                    "1",
                    "--horizon",
                    "10",
                    "--warmup",
                    "0",
                    "--jobs",
                    "1",
                    "--no-plots",
                    "--quiet",
                    "--out",
                    str(Path(out) / "run"),
                ),
                0.4,
            ),
        ]
        bare = statistics.median(_timed([sys.executable, "-c", "pass"]) for _ in range(3))
        print(f"{'command':<46} {'median [s]':>10} {'min [s]':>8} {'goal [s]':>9}")
        print(f"{'python -c pass (interpreter start)':<46} {bare:>10.3f} {'':>8} {'':>9}")
        for name, command, goal in cases:
            if "run" in command:  # each run writes a new folder: the cost of a fresh run
                times = []
                for index in range(args.repeat):
                    command[-1] = str(Path(out) / f"run{index}")
                    times.append(_timed(command))
            else:
                times = [_timed(command) for _ in range(args.repeat)]
            median = statistics.median(times)
            mark = "ok" if median <= goal else "over"
            print(f"{name:<46} {median:>10.3f} {min(times):>8.3f} {goal:>9.1f}  {mark}")


if __name__ == "__main__":
    main()
