"""How fast ``linesim draw`` writes the reference line's diagram (target: under 2 s).

Prints, side by side, the whole command as a user runs it (wall and CPU time of a fresh
process, so Python start-up and imports count) and its parts in this process: loading the
YAML, the layered layout and the SVG text. On a busy machine the wall time of the command
grows with the load while its CPU time stays; both are printed.

    python benchmarks/draw_speed.py [--repeat N]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LINE = ROOT / "configs" / "prismatic_lfp_300mah.yaml"


def _command(folder: str) -> tuple[float, float]:
    """Wall and CPU time [s] of one ``linesim draw`` in a new process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "sim", "draw", str(LINE), "--out", folder],
        check=True,
        capture_output=True,
        cwd=ROOT,
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs of each (best is kept)")
    args = parser.parse_args()
    from sim.model import load_line
    from sim.report.diagram import diagram_svg

    load, draw = [], []
    for _ in range(args.repeat):
        start = time.perf_counter()
        line = load_line(LINE)
        load.append(time.perf_counter() - start)
        start = time.perf_counter()
        svg = diagram_svg(line)
        draw.append(time.perf_counter() - start)
    with tempfile.TemporaryDirectory() as folder:
        runs = [_command(folder) for _ in range(args.repeat)]
        size = os.path.getsize(Path(folder) / "prismatic-lfp-300mah.svg")
    print(f"reference line: {len(line.stations)} stations, SVG {size / 1024:.0f} KB")
    print(f"{'part':<34}{'best [s]':>10}")
    print(f"{'load and validate the YAML':<34}{min(load):>10.3f}")
    print(f"{'layout and SVG':<34}{min(draw):>10.3f}")
    print(f"{'linesim draw, wall (new process)':<34}{min(w for w, _ in runs):>10.3f}")
    print(f"{'linesim draw, CPU (new process)':<34}{min(c for _, c in runs):>10.3f}")
    print(f"load average now: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    assert svg.startswith("<svg")


if __name__ == "__main__":
    main()
