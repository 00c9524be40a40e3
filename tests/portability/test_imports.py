"""`import sim` and `linesim --help` load none of the heavy libraries; commands import
what they need when they run (issue 12). Checked in fresh interpreters."""

from __future__ import annotations

import json
import math
import subprocess
import sys

import numpy as np
import pytest

HEAVY = [
    "matplotlib",
    "scipy",
    "optuna",
    "rich",
    "dask",
    "distributed",
    "pyarrow",
    "pandas",
    "jinja2",
]


def _loaded(code: str) -> list[str]:
    probe = (
        code + f"\nimport json, sys\nprint(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_import_sim_loads_no_heavy_library() -> None:
    assert _loaded("import sim") == []


def test_linesim_help_loads_no_heavy_library() -> None:
    code = "from sim.cli import main\ntry:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
    assert _loaded(code) == []


@pytest.mark.parametrize("command", ["run", "compare", "sweep", "tune", "plot", "validate"])
def test_command_help_loads_no_plotting_or_optimiser(command: str) -> None:
    code = (
        "from sim.cli import main\n"
        f"try:\n    main([{command!r}, '--help'])\nexcept SystemExit:\n    pass\n"
    )
    assert not {"matplotlib", "optuna", "dask", "pyarrow", "jinja2"} & set(_loaded(code))


def test_validate_loads_no_scipy_stats_or_matplotlib() -> None:
    code = "from sim.cli import main\nmain(['validate', 'scenarios/baseline.yaml'])\n"
    assert not {"scipy", "matplotlib", "optuna"} & set(_loaded(code))


def test_help_lists_every_command_with_its_modules_help() -> None:
    """The lazy command table's help agrees with each command module's own."""
    import argparse

    from sim.cli import COMMANDS, command_module

    for name, text in COMMANDS.items():
        commands = argparse.ArgumentParser().add_subparsers()
        command_module(name).add_parser(commands)
        assert commands._choices_actions[0].help == text, name


def test_narrow_normal_moments_equal_scipy_truncnorm() -> None:
    """Up to cv 0.1 the truncated normal's mean and cv are the untruncated ones to the last
    bit, as scipy.stats.truncnorm computes them: skipping scipy changes no number."""
    from scipy import stats

    from sim.model.distributions import UNTRUNCATED_CV, Normal

    rng = np.random.default_rng(7)
    for mean in [*rng.uniform(1e-3, 1e4, 40), 3.0, 7.5, 3600.0]:
        for cv in [*rng.uniform(1e-6, UNTRUNCATED_CV, 10), UNTRUNCATED_CV]:
            normal = Normal(dist="normal", mean=float(mean), cv=float(cv))
            sigma = normal._sigma
            a = -normal.mean_ / sigma
            exact = stats.truncnorm.mean(a, math.inf, normal.mean_, sigma)
            sd = stats.truncnorm.std(a, math.inf, normal.mean_, sigma)
            assert normal.mean == exact
            assert normal.cv == float(sd) / float(exact)
