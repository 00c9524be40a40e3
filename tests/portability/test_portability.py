"""What Windows and macOS users meet, checked on Linux: no POSIX-only module imported by
sim, workers started with ``spawn``, README's Python run as a script."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from sim.experiment import executors

ROOT = Path(__file__).resolve().parents[2]

BLOCKER = textwrap.dedent(
    """
    import sys

    POSIX_ONLY = {"resource", "fcntl", "termios", "pwd", "grp"}


    def importer():
        frame = sys._getframe(2)
        while frame is not None and frame.f_code.co_filename.startswith("<frozen"):
            frame = frame.f_back
        return frame.f_globals.get("__name__", "") if frame else ""


    class Windows:
        # Refuse POSIX-only modules to sim itself, as Windows would; libraries such as
        # psutil pick their own platform backend and may import them here.
        def find_spec(self, name, path=None, target=None):
            who = importer()
            if name in POSIX_ONLY and (who == "sim" or who.startswith("sim.")):
                raise ModuleNotFoundError(f"No module named {name!r}", name=name)
            return None


    for name in POSIX_ONLY:
        sys.modules.pop(name, None)
    sys.meta_path.insert(0, Windows())
    """
)


def _python(code: str, cwd: Path = ROOT, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MPLBACKEND": "Agg"}
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
    )


def test_import_and_run_without_posix_only_modules() -> None:
    """With resource, fcntl, termios, pwd and grp missing (as on Windows), sim imports
    and runs a memory-bounded scenario (the memory probe is psutil's)."""
    done = _python(
        BLOCKER
        + textwrap.dedent(
            """
            import sim
            result = sim.run("scenarios/penny_fab.yaml", replications=2, horizon=200,
                             max_memory=100000)
            print("n =", result.summary["kpis"]["throughput"]["n"])
            """
        )
    )
    assert done.returncode == 0, done.stderr
    assert "n = 2" in done.stdout


def test_spawn_workers_give_the_same_results(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two workers started with spawn (Windows' and macOS' way) give the replications
    one process gives, number for number."""
    import sim

    monkeypatch.setattr(executors, "START_METHOD", "spawn")
    pooled = sim.run("scenarios/penny_fab.yaml", replications=3, horizon=300, jobs=2)
    here = sim.run("scenarios/penny_fab.yaml", replications=3, horizon=300, jobs=1)
    assert pooled.replications == here.replications
    assert pooled.summary["kpis"] == here.summary["kpis"]


def test_unguarded_script_with_workers_gets_a_clear_error(tmp_path: Path) -> None:
    """A script calling sim.run(jobs=2) without the __main__ guard, under spawn, fails
    with a linesim error that names the guard, not a bare BrokenProcessPool."""
    script = tmp_path / "unguarded.py"
    script.write_text(
        "import sim\nfrom sim.experiment import executors\n"
        'executors.START_METHOD = "spawn"\n'
        f"sim.run({str(ROOT / 'scenarios' / 'penny_fab.yaml')!r}, replications=2, "
        "horizon=100, jobs=2)\n"
    )
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=300, cwd=tmp_path
    )
    assert done.returncode != 0
    assert "sim.errors.RunError" in done.stderr
    assert 'if __name__ == "__main__":' in done.stderr


def _readme_snippets() -> list[str]:
    """The Python blocks of README.md and of every page in docs/."""
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    text = "\n".join(page.read_text(encoding="utf-8") for page in pages)
    return re.findall(r"```python\n(.*?)```", text, flags=re.DOTALL)


def test_readme_has_python_snippets() -> None:
    assert _readme_snippets(), "README.md lost its Python section"


@pytest.mark.parametrize("number", range(len(_readme_snippets())))
def test_readme_python_snippet_runs_as_a_script(number: int, tmp_path: Path) -> None:
    """Each Python block of README, saved as a script in a copy of the project, runs to
    the end (workers and all) with exit status 0."""
    for folder in ("configs", "scenarios"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    script = tmp_path / f"readme_{number}.py"
    script.write_text(_readme_snippets()[number], encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(script)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
        # the sim of this checkout, not whichever one is installed (a worktree's tests
        # must run its own code)
        env={**os.environ, "MPLBACKEND": "Agg", "PYTHONPATH": _this_checkout_first()},
    )
    assert done.returncode == 0, done.stderr[-3000:]


def _this_checkout_first() -> str:
    return os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)
