"""Ctrl-C during replications: the finished ones are written, complete and readable,
marked partial, and the command exits 130 (also with a process pool, where the terminal's
SIGINT reaches the workers too)."""

from __future__ import annotations

import contextlib
import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
REPLICATIONS = 15
"""Under 16, so two workers get chunks of one replication each [-]."""

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")


def write_scenario(folder: Path) -> Path:
    """A Penny Fab scenario whose replications take about a second each."""
    path = folder / "long.yaml"
    path.write_text(
        f"line: {ROOT / 'configs' / 'penny_fab.yaml'}\nhorizon: 300000\n"
        f"warmup: 0\nreplications: {REPLICATIONS}\n",
        encoding="utf-8",
    )
    return path


def interrupt(
    scenario: Path, out: Path, jobs: int, wait: float, signal_number: int = signal.SIGINT
) -> tuple[subprocess.CompletedProcess[str], float]:
    """Start ``linesim run``, send SIGINT to its whole process group after ``wait`` s (as
    a terminal's Ctrl-C does; other signals go to the main process only, as a scheduler
    sends SIGTERM); return the finished process and how long it took to stop."""
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "sim",
            "run",
            str(scenario),
            "--jobs",
            str(jobs),
            "--quiet",
            "--no-plots",
            "--out",
            str(out),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        time.sleep(wait)
        assert process.poll() is None, "the run ended before it could be interrupted"
        sent = time.perf_counter()
        if signal_number == signal.SIGINT:
            os.killpg(process.pid, signal_number)
        else:
            os.kill(process.pid, signal_number)
        stdout, stderr = process.communicate(timeout=60)
        stopped = time.perf_counter() - sent
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr), stopped


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize(
    ("jobs", "signal_number"),
    [(1, signal.SIGINT), (2, signal.SIGINT), (2, signal.SIGTERM)],
    ids=["sigint-jobs1", "sigint-jobs2", "sigterm-jobs2"],
)
def test_sigint_keeps_finished_replications(tmp_path: Path, jobs: int, signal_number: int) -> None:
    """SIGINT (or SIGTERM, as schedulers and timeout send) mid-run: exit 130,
    summary.json partial with the finished count, and every CSV holding exactly those
    replications; no temporary files are left behind."""
    scenario = write_scenario(tmp_path)
    for wait in (5.0, 10.0, 20.0, 40.0):  # a loaded machine may need long to finish one
        out = tmp_path / f"out-{wait:g}"
        done, stopped = interrupt(scenario, out, jobs, wait, signal_number)
        if done.returncode == -signal_number and not out.exists():
            continue  # killed while Python was still importing linesim: nothing to keep
        assert done.returncode == 130, done.stderr
        assert "Traceback" not in done.stderr
        assert stopped < 10, "the workers were not stopped at once"
        if not (out / "summary.json").exists():  # stopped while loading: nothing to keep
            assert not out.exists() and "interrupted" in done.stderr
            continue
        summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
        if summary["replications"] > 0:
            break
    assert summary["partial"] is True
    kept = summary["replications"]
    assert 0 < kept < REPLICATIONS
    assert summary["replications_requested"] == REPLICATIONS
    assert f"interrupted: kept {kept} of {REPLICATIONS} replications" in done.stdout
    assert len(summary["scenario_hash"]) == 64
    assert summary["kpis"]["throughput"]["mean"] > 0
    replications = rows(out / "replications.csv")
    assert len(replications) == kept
    indices = sorted(int(row["replication"]) for row in replications)
    assert len(set(indices)) == kept
    assert len(rows(out / "stations.csv")) == 4 * kept
    assert len(rows(out / "timeseries.csv")) == 200 * kept
    assert not [p.name for p in out.iterdir() if p.name.startswith(".")]
    assert not [p.name for p in out.parent.iterdir() if ".writing-" in p.name]


def test_workers_die_with_a_killed_parent(tmp_path: Path) -> None:
    """SIGKILL of the parent with --jobs 2 (no chance to clean up): the workers, the fork
    server and the resource tracker are gone within seconds, not minutes."""
    import psutil

    scenario = write_scenario(tmp_path)
    process = subprocess.Popen(
        [sys.executable, "-m", "sim", "run", str(scenario), "--jobs", "2", "--quiet",
         "--no-plots", "--out", str(tmp_path / "out")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip
    try:
        parent = psutil.Process(process.pid)
        helpers: list[psutil.Process] = []
        for _ in range(600):  # wait until both workers run (a loaded machine is slow)
            helpers = parent.children(recursive=True)
            workers = [p for p in helpers if p.ppid() != process.pid]
            # resource tracker, fork server, two workers with their parent watchdogs
            if len(workers) >= 2 and all(p.num_threads() >= 2 for p in workers):
                break
            time.sleep(0.1)
        assert len(helpers) >= 4, helpers
        process.kill()
        process.wait()
        _gone, alive = psutil.wait_procs(helpers, timeout=15)
        assert not alive, [p.cmdline() for p in alive]
    finally:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)
