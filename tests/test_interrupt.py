"""Ctrl-C during replications: the finished ones are written, complete and readable,
marked partial, and the command exits 130 (also with a process pool, where the terminal's
SIGINT reaches the workers too)."""

from __future__ import annotations

import contextlib
import csv
import json
import os
import queue
import signal
import subprocess
import sys
import threading
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
    scenario: Path, out: Path, jobs: int, signal_number: int = signal.SIGINT
) -> tuple[int, str, str]:
    """Start ``linesim run``, wait until it reports a finished replication (its progress
    line in a log), then send SIGINT to its whole process group (as a terminal's Ctrl-C
    does; other signals go to the main process only, as a scheduler sends SIGTERM);
    return its exit status, stdout and stderr."""
    command = [sys.executable, "-m", "sim", "run", str(scenario), "--jobs", str(jobs),
               "--no-plots", "--out", str(out)]  # fmt: skip
    lines: queue.Queue[str | None] = queue.Queue()
    with subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    ) as process:
        assert process.stdout is not None and process.stderr is not None
        stdout, stderr_pipe = process.stdout, process.stderr
        errors: list[str] = []

        def read() -> None:
            for line in stdout:
                lines.put(line)
            lines.put(None)

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        # stderr read aside too: a run that does not end must fail here, not block a read
        error_reader = threading.Thread(target=lambda: errors.append(stderr_pipe.read()))
        error_reader.daemon = True
        error_reader.start()
        seen: list[str] = []
        try:
            while True:  # a hang guard only: the run reports long before this
                line = lines.get(timeout=600)
                assert line is not None, f"the run ended before it was interrupted: {seen}"
                seen.append(line)
                if " done after " in line:  # "<name>: replications: 2 of 15 runs done ..."
                    break
            if signal_number == signal.SIGINT:
                os.killpg(process.pid, signal_number)
            else:
                os.kill(process.pid, signal_number)
            try:
                process.wait(timeout=120)
            except subprocess.TimeoutExpired:
                pytest.fail(f"the run did not end within 120 s of signal {signal_number}")
            reader.join(timeout=60)
            error_reader.join(timeout=60)
            stderr = "".join(errors)
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
    while (line := lines.get()) is not None:
        seen.append(line)
    return process.returncode, "".join(seen), stderr


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
    out = tmp_path / "out"
    status, stdout, stderr = interrupt(scenario, out, jobs, signal_number)
    assert status == 130, stderr
    assert "Traceback" not in stderr
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["partial"] is True
    kept = summary["replications"]
    assert 0 < kept < REPLICATIONS
    assert summary["replications_requested"] == REPLICATIONS
    assert f"interrupted: kept {kept} of {REPLICATIONS} replications" in stdout
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
