"""Measure every duration that README.md and docs/ state, by running its command, and
write benchmarks/RESULTS.md: the machine, then one row per figure (what, where it is
stated, the command, the time measured and when).

    python benchmarks/readme_times.py --list              # the figures and what they cost
    python benchmarks/readme_times.py                     # the cheap ones (about 10 min)
    python benchmarks/readme_times.py --only main-job draw
    python benchmarks/readme_times.py --only uncertainty --keep results/timed   # and its results
    python benchmarks/readme_times.py --all               # and the expensive ones (+25 min)

Each command runs in a fresh process from the project root (``python -m sim`` for
``linesim``, so this tree's code runs) into a scratch folder, so no cached point, run or
study is reused. Wall time is what a user waits; CPU time adds up the process and every
process under it (at least: see ``_run``), and the load average at the start says how
busy the machine was. A run of a subset keeps the other rows of
RESULTS.md as they were; a figure never measured by this script shows the value the
docs state with the date it was measured then, marked as carried.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "RESULTS.md"
_DATA = re.compile(r"<!-- readme_times data\n(.*?)\n-->", re.DOTALL)

Commands = Callable[[Path], list[list[str]]]
"""Given a scratch folder, the command lines to run one after the other."""


@dataclass(frozen=True)
class Figure:
    """A duration the documentation states, and how to measure it."""

    key: str
    what: str
    where: str
    """The pages that state it."""
    stated: str
    command: str
    """What a user types, as RESULTS.md shows it."""
    commands: Commands
    expensive: bool = False
    carried: str = ""
    """The stated figure with when it was measured, for RESULTS.md until this script
    measures it (expensive figures only)."""
    status: int = 0
    """The exit status the last command must give (2: refused)."""
    parts: bool = False
    """Report each command's wall time (the tutorial's steps), not only the total;
    ``command`` then says where the commands are, in words."""


def linesim(*words: str) -> list[str]:
    """``linesim WORDS`` as this tree's code runs it."""
    return [sys.executable, "-m", "sim", *words]


def _what_ifs(scratch: Path) -> list[list[str]]:
    files = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "scenarios/what_if").glob("*.yaml"))
    base = ["scenarios/baseline.yaml", "scenarios/smart.yaml", *files]
    return [linesim("compare", *base, "--out", str(scratch / "what_if"), "--quiet")]


def _fresh_venv(scratch: Path) -> list[list[str]]:
    venv = scratch / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "-e", str(ROOT)]
    job = [str(venv / "bin" / "linesim"), "compare", "scenarios/claim_20_20.yaml"]
    return [pip, [*job, "--out", str(scratch / "claim"), "--quiet"]]


def tutorial_commands() -> list[list[str]]:
    """The commands of docs/tutorial.md's bash blocks, in order, as words."""
    text = (ROOT / "docs" / "tutorial.md").read_text(encoding="utf-8")
    found = []
    for block in re.findall(r"^```bash\n(.*?)^```", text, flags=re.DOTALL | re.MULTILINE):
        found += [shlex.split(line, comments=True) for line in block.splitlines()]
    return [words for words in found if words]


def _tutorial(scratch: Path) -> list[list[str]]:
    """The tutorial's commands, to run in a copy of the project (they write results/)."""
    for folder in ("configs", "scenarios"):
        shutil.copytree(ROOT / folder, scratch / folder)
    shutil.copy(ROOT / "pyproject.toml", scratch)
    return [linesim(*words[1:]) for words in tutorial_commands()]


FIGURES = [
    Figure(
        "main-job",
        "the main job, installed (2 x 4 years, --jobs = cores, plots and report.html)",
        "README.md, docs/speed.md",
        "51.3 s",
        "linesim compare scenarios/claim_20_20.yaml",
        lambda s: [linesim("compare", "scenarios/claim_20_20.yaml", "--out", str(s), "--quiet")],
    ),
    Figure(
        "main-job-fresh-venv",
        "the main job with its install in a fresh venv (pip install, then the job; "
        "creating the venv not counted)",
        "README.md",
        "1 min 11 s",
        "pip install -e . && linesim compare scenarios/claim_20_20.yaml",
        _fresh_venv,
        expensive=True,
        carried="1 min 11 s (2026-12-08 04:30 UTC)",
    ),
    Figure(
        "tests",
        "the default test suite",
        "README.md",
        "2 min 43 s",
        "pytest",
        lambda s: [[sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]],
    ),
    Figure(
        "uncertainty",
        "the main job with --uncertainty (128 input sets, each re-sized, after the comparison)",
        "README.md, docs/claim.md, docs/speed.md",
        "8 min 0 s wall",
        "linesim compare scenarios/claim_20_20.yaml --uncertainty",
        lambda s: [
            linesim("compare", "scenarios/claim_20_20.yaml", "--uncertainty", "--out", str(s))
        ],
        expensive=True,
        carried="8 min 0 s wall (2026-12-08 04:35 UTC)",
    ),
    Figure(
        "what-ifs",
        "the before line, the smart plant and the three what-ifs compared (330 d, 4 replications)",
        "docs/claim.md",
        "2 min 26 s",
        "linesim compare scenarios/baseline.yaml scenarios/smart.yaml scenarios/what_if/*.yaml",
        _what_ifs,
    ),
    Figure(
        "size-reference",
        "sizing the reference line to 300 M Ah/yr",
        "docs/sizing.md",
        "2 min 36 s",
        'linesim size configs/prismatic_lfp_300mah.yaml --target "300 M Ah/yr"',
        lambda s: [
            linesim(
                *("size", "configs/prismatic_lfp_300mah.yaml", "--target", "300 M Ah/yr"),
                *("--out", str(s), "--quiet"),
            )
        ],
    ),
    Figure(
        "draw",
        "drawing the reference line (the whole command; its parts: benchmarks/draw_speed.py)",
        "docs/seeing.md",
        "0.42 s of CPU",
        "linesim draw configs/prismatic_lfp_300mah.yaml",
        lambda s: [linesim("draw", "configs/prismatic_lfp_300mah.yaml", "--out", str(s))],
    ),
    Figure(
        "refuse-long",
        "refusing work estimated above 2 h of CPU (a 999-year comparison)",
        "docs/running.md",
        "in a second (0.8 s)",
        'linesim compare scenarios/claim_20_20.yaml --horizon "999 y"',
        lambda s: [
            linesim("compare", "scenarios/claim_20_20.yaml", "--horizon", "999 y", "--out", str(s))
        ],
        status=2,
    ),
    Figure(
        "tutorial",
        "the tutorial's commands, in order",
        "docs/tutorial.md",
        "the tune 13 s, the others 8 s or less",
        "the bash blocks of docs/tutorial.md",
        _tutorial,
        parts=True,
    ),
    Figure(
        "tune-winders",
        "tuning the reference line's winders and buffers (200 trials)",
        "docs/speed.md",
        "9 min 51 s (873 s on 2026-11-27)",
        "linesim tune scenarios/tune_winders_buffers.yaml --trials 200 --jobs 2",
        lambda s: [
            linesim(
                *("tune", "scenarios/tune_winders_buffers.yaml", "--trials", "200"),
                *("--jobs", "2", "--out", str(s), "--quiet"),
            )
        ],
        expensive=True,
        carried="9 min 51 s wall (2026-12-08 00:20 UTC)",
    ),
]


def duration(seconds: float) -> str:
    """``1 min 1 s``, ``8.3 s`` or ``0.57 s``."""
    if seconds < 10:
        return f"{seconds:.2f} s"
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest} s"


def _run(words: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float, int, str]:
    """Run one command; return wall [s], CPU [s], the exit status and the end of its output.

    CPU is the larger of two lower bounds: the process and the descendants it waited for
    (``getrusage``, exact for one process, but blind to the fork server's workers, which
    are not its children), and every process under it sampled every 0.2 s (blind to each
    one's last 0.2 s)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    seen: dict[int, float] = {}
    with tempfile.TemporaryFile() as errors:
        process = psutil.Popen(words, cwd=cwd, env=env, stdout=errors, stderr=errors)
        while process.poll() is None:
            for member in [process, *process.children(recursive=True)]:
                try:
                    times = member.cpu_times()
                except psutil.Error:
                    continue
                seen[member.pid] = times.user + times.system
            time.sleep(0.2)
        wall = time.perf_counter() - start
        errors.seek(0)
        tail = errors.read().decode(errors="replace")[-2000:]
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    waited = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, max(waited, sum(seen.values())), process.returncode, tail


def machine() -> str:
    """CPU model, cores, Python and system, in one line."""
    model = platform.processor() or platform.machine()
    with_cpuinfo = Path("/proc/cpuinfo")
    if with_cpuinfo.is_file():
        for line in with_cpuinfo.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return (
        f"{model}, {psutil.cpu_count()} cores, {psutil.virtual_memory().total / 2**30:.0f} GiB, "
        f"Python {platform.python_version()}, {platform.system()}"
    )


def settle(limit: float = 120.0) -> None:
    """Wait (up to ``limit`` [s]) for the 1-minute load average to fall below half the
    cores, so the figure before this one does not count as load at its start."""
    end = time.monotonic() + limit
    while os.getloadavg()[0] >= (psutil.cpu_count() or 1) / 2 and time.monotonic() < end:
        time.sleep(5)


def measure(figure: Figure, keep: Path | None = None) -> dict[str, str]:
    """Run a figure's commands in a scratch folder; return its RESULTS.md row. With
    ``keep``, the scratch folder (the results the figure's commands wrote) is copied to
    ``keep / figure.key`` before it goes, so the figures the docs quote can be read from
    the run that was timed."""
    settle()
    load = os.getloadavg()[0]
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    wall = cpu = 0.0
    parts = []
    with tempfile.TemporaryDirectory() as folder:
        scratch = Path(folder)
        env = {**os.environ, "PYTHONPATH": str(ROOT), "MPLBACKEND": "Agg"}
        cwd = scratch if figure.key == "tutorial" else ROOT
        commands = figure.commands(scratch)
        for number, words in enumerate(commands):
            step_wall, step_cpu, status, tail = _run(words, cwd, env)
            wall, cpu = wall + step_wall, cpu + step_cpu
            expected = figure.status if number == len(commands) - 1 else 0
            if status != expected:
                sys.stderr.write(tail)
                raise SystemExit(f"{figure.key}: {shlex.join(words)} gave exit {status}")
            parts.append((words, step_wall))
        if keep is not None:
            shutil.copytree(scratch, keep / figure.key, dirs_exist_ok=True, symlinks=True)
    measured = f"wall {duration(wall)}, CPU {duration(cpu)}"
    if figure.parts:
        steps = sorted(parts, key=lambda part: part[1])
        slowest = max((p for p in parts if "tune" not in p[0]), key=lambda part: part[1])
        tune = [p for p in parts if "tune" in p[0]]
        measured += (
            f"; {len(parts)} steps from {duration(steps[0][1])} to {duration(steps[-1][1])}"
            f", the slowest but the tune {duration(slowest[1])} ({slowest[0][3]})"
            + (f", the tune {duration(tune[0][1])}" if tune else "")
        )
    return {
        "measured": measured,
        "when": f"{when}, load average {load:.1f} at the start",
        "machine": machine(),
    }


def _read() -> dict[str, dict[str, str]]:
    """The rows RESULTS.md holds, by figure."""
    if not RESULTS.is_file():
        return {}
    found = _DATA.search(RESULTS.read_text(encoding="utf-8"))
    return json.loads(found[1]) if found else {}


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def write(rows: dict[str, dict[str, str]]) -> None:
    """Write RESULTS.md: the machines, then one row per figure in FIGURES order."""
    machines = sorted({row["machine"] for row in rows.values() if row.get("machine")})
    lines = [
        "# Measured times",
        "",
        "Every duration that README.md and docs/ state, measured by running its command "
        "(`python benchmarks/readme_times.py`, written by it; `--only KEY` re-measures one "
        "row). Wall time is what a user waits, CPU time that of the command and all its "
        "workers; both depend on the machine and on what else runs on it (the load "
        "average at the start).",
        "",
        "Machines: " + ("; ".join(machines) if machines else "none yet") + ".",
        "",
        "| key | what (where stated) | command | stated | measured | when |",
        "|---|---|---|---|---|---|",
    ]
    for figure in FIGURES:
        row = rows.get(figure.key)
        if row is None:
            measured = f"carried: {figure.carried}" if figure.carried else "not measured yet"
            when = "not measured by this script yet"
        else:
            measured, when = row["measured"], row["when"]
            if len(machines) > 1:
                when += f", {row['machine']}"
        lines.append(
            "| "
            + " | ".join(
                _cell(cell)
                for cell in (
                    f"`{figure.key}`",
                    f"{figure.what} ({figure.where})",
                    f"`{figure.command}`" if not figure.parts else figure.command,
                    figure.stated,
                    measured,
                    when,
                )
            )
            + " |"
        )
    data = json.dumps(rows, indent=1, sort_keys=True)
    lines += ["", "<!-- readme_times data", data, "-->", ""]
    RESULTS.write_text("\n".join(lines), encoding="utf-8")


def main() -> None:
    """Measure the chosen figures and update RESULTS.md."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    keys = [figure.key for figure in FIGURES]
    parser.add_argument("--only", nargs="+", choices=keys, metavar="KEY", help=", ".join(keys))
    parser.add_argument("--all", action="store_true", help="the expensive figures too")
    parser.add_argument("--list", action="store_true", help="list the figures and stop")
    parser.add_argument(
        "--keep", type=Path, metavar="DIR", help="keep what each figure wrote in DIR/<key>"
    )
    args = parser.parse_args()
    if args.list:
        for figure in FIGURES:
            cost = "expensive" if figure.expensive else "cheap"
            print(f"{figure.key:<22} {cost:<10} {figure.stated} ({figure.where})")
        return
    chosen = [
        figure
        for figure in FIGURES
        if (figure.key in args.only if args.only else args.all or not figure.expensive)
    ]
    rows = _read()
    for figure in chosen:
        print(f"{figure.key}: {figure.command} ...", flush=True)
        rows[figure.key] = measure(figure, args.keep)
        print(f"  {rows[figure.key]['measured']}", flush=True)
        write(rows)  # after each figure, so an interrupted run keeps what it measured
    write(rows)


if __name__ == "__main__":
    main()
