"""The ``linesim`` process sets one BLAS thread, pauses the garbage collector at start-up
and freezes at exit; ``main(argv)`` called in a program leaves all that as it found it."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from sim.cli import main
from sim.cli.process import BLAS_THREADS, before_exit, startup

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def thawed() -> Iterator[None]:
    """Undo any freeze a test makes, so the test process keeps collecting as usual."""
    yield
    gc.unfreeze()


@pytest.fixture
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """No BLAS setting of the user's; monkeypatch restores the environment afterwards."""
    for name in BLAS_THREADS:
        monkeypatch.delenv(name, raising=False)


def test_startup_pauses_then_freezes_and_resumes(thawed: None, clean_environment: None) -> None:
    frozen = gc.get_freeze_count()
    with startup(True):
        assert not gc.isenabled()
        assert os.environ["OPENBLAS_NUM_THREADS"] == "1"
        made = [[index] for index in range(1000)]  # objects the start-up keeps
    assert gc.isenabled()
    assert gc.get_freeze_count() >= frozen + len(made)


def test_startup_resumes_after_an_error(thawed: None, clean_environment: None) -> None:
    with pytest.raises(KeyboardInterrupt), startup(True):
        raise KeyboardInterrupt
    assert gc.isenabled()


def test_startup_leaves_a_disabled_collector_disabled(clean_environment: None) -> None:
    gc.disable()
    try:
        frozen = gc.get_freeze_count()
        with startup(True):
            pass
        assert not gc.isenabled()
        assert gc.get_freeze_count() == frozen
    finally:
        gc.enable()


def test_nothing_changes_outside_the_process(clean_environment: None) -> None:
    frozen = gc.get_freeze_count()
    with startup(False):
        assert gc.isenabled()
        assert not set(BLAS_THREADS) & set(os.environ)
    before_exit(False)
    assert gc.isenabled()
    assert gc.get_freeze_count() == frozen


def test_main_with_arguments_keeps_the_collector(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A program calling main(argv) goes on running: nothing frozen, collection on."""
    frozen = gc.get_freeze_count()
    scenario = str(ROOT / "scenarios" / "penny_fab.yaml")
    options = ["--replications", "1", "--horizon", "10", "--warmup", "0", "--jobs", "1"]
    out = str(tmp_path / "out")
    assert main(["run", scenario, *options, "--no-plots", "--quiet", "--out", out]) == 0
    capsys.readouterr()
    assert gc.isenabled()
    assert gc.get_freeze_count() == frozen


def test_the_process_collects_during_the_command(tmp_path: Path) -> None:
    """In the linesim process the collector runs again once the command starts."""
    probe = (
        "import gc, sys\n"
        "import sim.cli.validate as command\n"
        "handle = command.handle\n"
        "def checked(args, console):\n"
        "    print('collecting' if gc.isenabled() else 'paused', gc.get_freeze_count() > 0)\n"
        "    return handle(args, console)\n"
        "command.handle = checked\n"
        "from sim.cli import main\n"
        "sys.argv = ['linesim', 'validate', 'scenarios/penny_fab.yaml']\n"
        "sys.exit(main())\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == "collecting True"


def test_the_users_blas_setting_is_kept(monkeypatch: pytest.MonkeyPatch, thawed: None) -> None:
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "4")
    with startup(True):
        assert os.environ["OPENBLAS_NUM_THREADS"] == "4"


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="counts Linux threads")
def test_the_process_has_one_blas_thread(tmp_path: Path) -> None:
    """numpy is first imported by the command, after the setting: OpenBLAS starts no
    thread of its own, so the run ends with only its main thread."""
    options = ["--replications", "1", "--horizon", "10", "--warmup", "0", "--jobs", "1"]
    argv = ["linesim", "run", "scenarios/penny_fab.yaml", *options, "--no-plots", "--quiet"]
    probe = (
        "import atexit, os, sys\n"
        "from sim.cli import main\n"
        "assert 'numpy' not in sys.modules\n"
        "threads = lambda: len(os.listdir('/proc/self/task'))\n"
        "atexit.register(lambda: print(threads(), 'numpy' in sys.modules))\n"
        f"sys.argv = {argv!r} + ['--out', {str(tmp_path / 'out')!r}]\n"
        "sys.exit(main())\n"
    )
    environment = {k: v for k, v in os.environ.items() if k not in BLAS_THREADS}
    done = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "1 True"
