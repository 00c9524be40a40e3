"""Small saved results folders shared by the plot and report tests."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from sim import build_summary, load_scenario, run, write_results

ROOT = Path(__file__).resolve().parents[2]


def _results(folder: Path, replications: int) -> Path:
    """Run a short Penny Fab and save its results folder in ``folder``."""
    scenario = load_scenario(
        ROOT / "scenarios" / "penny_fab.yaml", replications=replications, horizon=500, warmup=50
    )
    result = run(scenario, jobs=1)
    write_results(result, build_summary(result), folder)
    return folder


@pytest.fixture(scope="session")
def saved_two(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A results folder of two replications (read only: copy it before changing it)."""
    return _results(tmp_path_factory.mktemp("two"), 2)


@pytest.fixture(scope="session")
def saved_one(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A results folder of one replication (ci95 and std are null)."""
    return _results(tmp_path_factory.mktemp("one"), 1)


@pytest.fixture
def results(saved_two: Path, tmp_path: Path) -> Path:
    """A private copy of the two-replication results folder."""
    return Path(shutil.copytree(saved_two, tmp_path / "results"))


@pytest.fixture
def results_one(saved_one: Path, tmp_path: Path) -> Path:
    """A private copy of the one-replication results folder."""
    return Path(shutil.copytree(saved_one, tmp_path / "results_one"))


@pytest.fixture
def drawn(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """The matplotlib figures saved during the test, in order (each still saved)."""
    from matplotlib.figure import Figure

    figures: list[Figure] = []
    save = Figure.savefig

    def capture(figure: Figure, *args: Any, **kwargs: Any) -> None:
        figures.append(figure)
        save(figure, *args, **kwargs)

    monkeypatch.setattr(Figure, "savefig", capture)
    return figures
