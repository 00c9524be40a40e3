"""Which progress a command shows: a rich bar at a terminal, lines in a log, nothing with
--quiet; rich.progress is imported only for the bar."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

from rich.console import Console

from sim.cli.common import LogProgress, QuietProgress, progress

ROOT = Path(__file__).resolve().parent.parent


def test_quiet_shows_nothing() -> None:
    out = io.StringIO()
    console = Console(file=out, force_terminal=True)
    with progress(console, quiet=True) as bar:
        assert isinstance(bar, QuietProgress)
        first = bar.add_task("runs", total=2)
        second = bar.add_task("more runs", total=None)
        bar.update(second, total=3)
        bar.advance(first)
        bar.remove_task(first)
    assert first != second
    assert out.getvalue() == ""


def test_a_log_gets_lines() -> None:
    out = io.StringIO()
    console = Console(file=out, force_terminal=False)
    with progress(console, quiet=False) as bar:
        assert isinstance(bar, LogProgress)
        task = bar.add_task("runs", total=1)
        bar.advance(task)
    assert "runs: 1 of 1 run done after" in out.getvalue()  # singular: 1 run


def test_a_terminal_gets_the_rich_bar() -> None:
    from rich.progress import Progress

    console = Console(file=io.StringIO(), force_terminal=True)
    bar = progress(console, quiet=False)
    assert isinstance(bar, Progress)
    assert not bar.disable


def test_a_quiet_run_does_not_import_rich_progress(tmp_path: Path) -> None:
    options = ["--replications", "1", "--horizon", "10", "--warmup", "0", "--jobs", "1"]
    argv = ["run", "scenarios/penny_fab.yaml", *options, "--quiet", "--out", str(tmp_path / "o")]
    probe = (
        "import sys\n"
        "from sim.cli import main\n"
        f"main({argv!r} + ['--no-plots'])\n"
        "print('rich.progress' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "False"


def test_a_long_run_shows_its_estimate_in_the_bar() -> None:
    """The estimate check_work announces for a long run goes above the bar (not on a bare
    stderr line that would tear it) and into the bar of the runs it estimated."""
    from rich.progress import Progress

    from sim.cli.progress_bar import EstimateColumn
    from sim.experiment.guards import NOTICE_CPU, SECONDS_PER_EVENT, WorkEstimate, check_work

    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=200)
    long_run = WorkEstimate(events=2 * NOTICE_CPU / SECONDS_PER_EVENT, clock="failures")
    with progress(console, quiet=False) as bar:
        assert isinstance(bar, Progress)
        check_work(long_run)
        task = bar.add_task("baseline: replications", total=4)
        shown = EstimateColumn().render(bar.tasks[task]).plain
    assert shown == "est. 4 min"
    assert "this will take about 4 min of CPU" in out.getvalue()


def test_a_short_run_has_no_estimate_in_its_bar() -> None:
    from sim.cli.progress_bar import EstimateColumn
    from sim.experiment.guards import WorkEstimate, check_work

    console = Console(file=io.StringIO(), force_terminal=True)
    with progress(console, quiet=False) as bar:
        check_work(WorkEstimate(events=1000.0, clock="failures"))
        task = bar.add_task("runs", total=1)
        assert EstimateColumn().render(bar.tasks[task]).plain == ""  # type: ignore[union-attr]
