"""The main job's studies: how long the comparison, its attribution and its uncertainty
study take, side by side, and what CPU they used.

Each stage runs ``linesim compare`` in a fresh process (as a user would) into its own
temporary folder, so no stored uncertainty run is reused:

1. ``linesim compare FILE`` (the comparison alone);
2. ``... --attribution`` (the comparison and the lever attribution);
3. ``... --uncertainty N`` (the comparison and N input sets).

Printed per stage: wall time, CPU time of the process and all its workers (CPU depends
little on other load on the machine; wall time does), and the machine's load average at
the start. The uncertainty stage needs ranges in the files (``uncertain:`` on the line,
``effect:`` on levers).

Usage: python benchmarks/claim_study.py [FILE] [--uncertainty 128] [--jobs 2]
       [--stages compare,attribution,uncertainty]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent


def _stage(arguments: list[str]) -> tuple[float, float, int]:
    """Run ``linesim ARGUMENTS`` in a fresh process; return wall [s], CPU [s] of it and
    every process under it (workers of the fork server included, sampled every 0.2 s, so
    a worker's last 0.2 s may be missed), and the exit status."""
    start = time.perf_counter()
    process = psutil.Popen(
        [sys.executable, "-m", "sim", *arguments],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        cwd=ROOT,
    )
    seen: dict[int, float] = {}
    while process.poll() is None:
        for member in [process, *process.children(recursive=True)]:
            try:
                times = member.cpu_times()
            except psutil.Error:
                continue
            seen[member.pid] = times.user + times.system
        time.sleep(0.2)
    error = process.stderr.read() if process.stderr else b""
    wall = time.perf_counter() - start
    if process.returncode:
        sys.stderr.write(error.decode(errors="replace")[-2000:])
    return wall, sum(seen.values()), process.returncode


def main() -> None:
    """Run the chosen stages and print their figures side by side."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("file", nargs="?", default="scenarios/claim_20_20.yaml")
    parser.add_argument("--uncertainty", type=int, default=128, metavar="N")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--stages", default="compare,attribution,uncertainty")
    args = parser.parse_args()
    extra = {
        "compare": [],
        "attribution": ["--attribution"],
        "uncertainty": ["--uncertainty", str(args.uncertainty)],
    }
    print(f"{args.file}, --jobs {args.jobs}, {psutil.cpu_count()} cores")
    print(f"{'stage':<28} {'wall [s]':>10} {'CPU [s]':>10} {'load at start':>14} {'exit':>5}")
    for stage in args.stages.split(","):
        load = os.getloadavg()[0]
        with tempfile.TemporaryDirectory() as folder:
            command = ["compare", args.file, "--jobs", str(args.jobs), "--out", folder]
            wall, cpu, status = _stage([*command, *extra[stage], "--quiet"])
        label = stage if stage != "uncertainty" else f"uncertainty {args.uncertainty}"
        print(f"{label:<28} {wall:>10.1f} {cpu:>10.1f} {load:>14.1f} {status:>5}")


if __name__ == "__main__":
    main()
