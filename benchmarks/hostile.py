"""Hostile inputs against the command line: a few hundred generated cases, each run as a
user would (a fresh ``linesim`` process), counted as tracebacks, hangs, crashes and
orphans. Every count should be zero.

Cases are drawn from a seeded generator over every command (run, compare, sweep, size,
tune, fit, check, validate, draw, plot) and hostile values of their arguments: horizons
and warm-ups from 1e-300 to 1e300 and of no number at all, seeds and counts out of range,
``--set`` values nested, aliased, huge or of the wrong type, paths that are devices,
folders, missing or binary, logs in UTF-16, binary or with repeated columns, output
folders that are files or unwritable. Per case:

- *traceback*: ``Traceback`` on stderr (every bad input must be one located line);
- *hang*: still running after ``--timeout`` seconds (default 60) without having said
  how long it would take (a run estimated above 2 min of CPU says so before it starts;
  those are counted apart, as long);
- *crash*: an exit status other than 0 (done) or 2 (refused), or a signal;
- *orphan*: a process the command started still alive 2 s after it exited.

Usage: python benchmarks/hostile.py [--cases 300] [--seed 1] [--parallel 2] [--timeout 60]
Prints one line per failing case and the counts by class, side by side with the number
of cases and the wall time.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import contextlib
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
SCEN = ROOT / "scenarios"
PENNY = str(SCEN / "penny_fab.yaml")
MES = SCEN / "mes_example"

TIMES = [
    "1e-300",
    "1e300",
    "-1",
    "0",
    "nan",
    "inf",
    "1e-9 s",
    "100 y",
    "abc",
    "",
    "5 d",
    "1e308 h",
    "2000",
    "0x10",
    "1e-320",
    "3 fortnights",
    "200",
    "1000 y",
    "50",
]
COUNTS = ["0", "-1", "1e9", "2.5", "x", "999999999999999999999", "3", "1"]
SETS = [
    "release.wip=0",
    "release.wip=1e9",
    "release.wip=-4",
    "release.wip=[[[[1]]]]",
    "release.wip=" + "[" * 3000 + "]" * 3000,
    "release.wip=&a [*a, *a]",
    "release.wip=8",
    "stations.0.machines=-1",
    "stations.nosuch.machines=2",
    "a.b.c=1",
    "." * 60 + "=1",
    ".".join(["a"] * 500) + "=1",
    "stations.0.process_time.mean=1e-300",
    "stations.0.process_time.mean=nan",
    "release.policy=teleport",
    "release.wip=" + "9" * 400,
    "stations.0.process_time={dist: gamma, mean: 1, cv: 1e-300}",
    "name=",
    "stations.0.failures={mtbf: 1e-9, mttr: 1}",
    "shift_cycle=1e-9",
]


def _paths(work: Path) -> dict[str, str]:
    """Hostile files made once: a binary file, a folder, a UTF-16 and a repeated-column
    log, an empty file, a file in the way of an output folder."""
    binary = work / "binary.yaml"
    binary.write_bytes(bytes(random.Random(0).randrange(256) for _ in range(4000)))
    log = (MES / "mes_log.csv").read_text(encoding="utf-8")
    (work / "utf16.csv").write_text(log, encoding="utf-16")
    lines = log.splitlines()
    head = lines[0].split(",")
    (work / "repeated.csv").write_text(
        "\n".join(
            [",".join([*head, head[0]]), *(row + "," + row.split(",")[0] for row in lines[1:400])]
        ),
        encoding="utf-8",
    )
    (work / "empty.yaml").write_text("", encoding="utf-8")
    (work / "a_file").write_text("x", encoding="utf-8")
    (work / "folder.yaml").mkdir(exist_ok=True)
    return {
        "binary": str(binary),
        "utf16": str(work / "utf16.csv"),
        "repeated": str(work / "repeated.csv"),
        "empty": str(work / "empty.yaml"),
        "file": str(work / "a_file"),
        "folder": str(work / "folder.yaml"),
        "missing": str(work / "missing.yaml"),
        "device": "/dev/zero",
    }


def _case(rng: random.Random, paths: dict[str, str], out: str) -> list[str]:
    """One hostile command line (without ``linesim``)."""

    def window() -> list[str]:
        args = ["--horizon", rng.choice(TIMES[-4:]) if rng.random() < 0.5 else rng.choice(TIMES)]
        if rng.random() < 0.5:
            args += ["--warmup", rng.choice(TIMES)]
        if rng.random() < 0.4:
            args += ["--replications", rng.choice(COUNTS)]
        if rng.random() < 0.3:
            args += ["--seed", rng.choice(COUNTS)]
        if rng.random() < 0.2:
            args += ["--jobs", rng.choice(["0", "-2", "2", "64"])]
        if rng.random() < 0.5:
            args += ["--set", rng.choice(SETS)]
        return args

    target = out if rng.random() < 0.8 else rng.choice([paths["file"], "/proc/nope", ""])
    outs = ["--out", target]
    scenario = rng.choice(
        [PENNY] * 6 + [paths[k] for k in ("binary", "empty", "folder", "missing", "device")]
    )
    command = rng.choice(
        [
            "run",
            "run",
            "compare",
            "sweep",
            "size",
            "tune",
            "fit",
            "check",
            "validate",
            "draw",
            "plot",
        ]
    )
    if command == "run":
        return ["run", scenario, *window(), *outs, "--no-plots", "--quiet"]
    if command == "compare":
        return ["compare", scenario, PENNY, *window(), *outs, "--no-plots", "--quiet"]
    if command == "sweep":
        return [
            "sweep",
            str(SCEN / "sweep_conwip_penny_fab.yaml"),
            *window(),
            *outs,
            "--no-plots",
            "--quiet",
        ]
    if command == "size":
        rate = rng.choice(
            ["0.9 /h", "300 M Ah/yr", "-1 /h", "nan /h", "1e300 /h", "fast", "0.45 /h"]
        )
        return [
            "size",
            str(ROOT / "configs" / "penny_fab.yaml"),
            "--target",
            rate,
            *window(),
            *outs,
        ]
    if command == "tune":
        return [
            "tune",
            str(SCEN / "tune_penny_fab_wip.yaml"),
            "--trials",
            rng.choice(COUNTS),
            *outs,
            "--no-plots",
            "--quiet",
        ]
    log = rng.choice(
        [
            str(MES / "mes_log.csv"),
            paths["utf16"],
            paths["repeated"],
            paths["binary"],
            paths["missing"],
            paths["device"],
        ]
    )
    if command == "fit":
        return [
            "fit",
            log,
            "--line",
            str(MES / "line.yaml"),
            "--aliases",
            str(MES / "aliases.yaml"),
            *outs,
            "--no-plots",
        ]
    if command == "check":
        return ["check", log, "--scenario", scenario, "--aliases", str(MES / "aliases.yaml")]
    if command == "validate":
        return ["validate", scenario]
    if command == "draw":
        return ["draw", scenario, *outs]
    return ["plot", rng.choice([out, paths["file"], paths["missing"], paths["folder"], "/"])]


def _run(
    arguments: list[str], timeout: float, cwd: Path
) -> tuple[str | None, list[str], int | None]:
    """Run one case; return (failure class or None, arguments, exit status)."""
    process = psutil.Popen(
        [sys.executable, "-m", "sim", *arguments],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        cwd=cwd,  # a case without --out writes results/ here, not into the project
    )
    seen: dict[int, psutil.Process] = {}
    start = time.monotonic()
    while process.poll() is None:
        for child in process.children(recursive=True):
            seen.setdefault(child.pid, child)
        if time.monotonic() - start > timeout:
            for child in [process, *seen.values()]:
                with contextlib.suppress(psutil.Error):
                    child.kill()
            process.wait()
            said = process.stderr.read().decode(errors="replace") if process.stderr else ""
            # a run that said how long it would take before starting is long, not hung
            return ("long" if "this will take about" in said else "hang"), arguments, None
        time.sleep(0.05)
    err = process.stderr.read().decode(errors="replace") if process.stderr else ""
    if seen:  # a worker has 2 s to notice its parent is gone
        time.sleep(2.0)
    alive = [c for c in seen.values() if c.is_running() and c.status() != psutil.STATUS_ZOMBIE]
    for child in alive:
        child.kill()
    if alive:
        return "orphan", arguments, process.returncode
    if "Traceback" in err:
        return "traceback", arguments, process.returncode
    if process.returncode not in (0, 2):
        return "crash", arguments, process.returncode
    return None, arguments, process.returncode


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--parallel", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=60.0)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    start = time.perf_counter()
    counts = {"traceback": 0, "hang": 0, "crash": 0, "orphan": 0}
    announced = 0
    with tempfile.TemporaryDirectory(prefix="linesim-hostile-") as folder:
        work = Path(folder)
        paths = _paths(work)
        cases = [_case(rng, paths, str(work / f"out{i}")) for i in range(args.cases)]
        statuses: dict[int, int] = {}
        with concurrent.futures.ThreadPoolExecutor(args.parallel) as pool:
            for failure, arguments, status in pool.map(
                lambda c: _run(c, args.timeout, work), cases
            ):
                statuses[status if status is not None else -99] = (
                    statuses.get(status if status is not None else -99, 0) + 1
                )
                if failure == "long":
                    announced += 1
                elif failure:
                    counts[failure] += 1
                    shown = " ".join(a if len(a) < 60 else a[:57] + "..." for a in arguments)
                    print(f"{failure}: linesim {shown} (exit {status})", flush=True)
    wall = time.perf_counter() - start
    print(
        f"{args.cases} cases in {wall:.0f} s wall: "
        + ", ".join(f"{name} {count}" for name, count in counts.items())
        + f"; {announced} long runs stopped at the timeout after announcing their estimate"
        + f"; exit statuses {dict(sorted(statuses.items()))} (-99: stopped at the timeout)"
    )
    return 1 if any(counts.values()) else 0


if __name__ == "__main__":
    raise SystemExit(main())
