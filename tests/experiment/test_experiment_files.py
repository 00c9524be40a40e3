"""Sweep and tune files are pydantic models: located errors, limits before allocation,
``linesim validate`` checks them and ``linesim schema`` exports their schemas."""

from __future__ import annotations

import json
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest

from sim.cli import main
from sim.cli.validate import check_file
from sim.errors import ConfigError, ConfigErrors, LinesimError
from sim.experiment.sweep import read_sweep
from sim.experiment.tune_spec import read_tune
from sim.model.file_kinds import FILE_KINDS, kind_of
from sim.model.sweep_file import MAX_POINTS, SweepFile

ROOT = Path(__file__).resolve().parents[2]


def _error(exc: LinesimError) -> ConfigError:
    found = exc.errors if isinstance(exc, ConfigErrors) else [exc]
    assert isinstance(found[0], ConfigError)
    return found[0]


@pytest.mark.parametrize(
    ("parameters", "path", "words"),
    [
        ("{linspace: [1, 5, 1000000000]}", "parameters.release.wip.linspace", "over 100,000"),
        ("{range: [1, .inf, 1]}", "parameters.release.wip.range.1", "not a finite number"),
        ("{range: [1, 1000000000, 1]}", "parameters.release.wip.range", "over 100,000"),
        ("{range: [1, 5]}", "parameters.release.wip.range", "3 numbers"),
        ("{sobol: [1, 5]}", "parameters.release.wip", "give a list of values"),
    ],
)
def test_hostile_sweep_values_fail_before_allocation(
    penny_sweep: Callable[..., Path], parameters: str, path: str, words: str
) -> None:
    """Was: 7.45 GiB allocated before the point limit (linspace), a traceback (range to
    .inf). Now a located error, checked from the bounds with almost no memory."""
    file = penny_sweep(f"  release.wip: {parameters}")
    tracemalloc.start()
    try:
        with pytest.raises(LinesimError) as caught:
            read_sweep(file)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    error = _error(caught.value)
    assert (error.file, error.path) == (str(file), path)
    assert error.line == 3 and words in error.message
    assert peak < 20_000_000  # [bytes]: the values are never built


def test_a_grid_over_the_limit_is_counted_not_built(penny_sweep: Callable[..., Path]) -> None:
    file = penny_sweep("  release.wip: {range: [1, 400, 1]}\n  seed: {range: [1, 300, 1]}")
    with pytest.raises(ConfigError, match=f"120,000 points, over {MAX_POINTS:,}"):
        read_sweep(file)


def test_sweep_run_settings_are_checked(penny_sweep: Callable[..., Path]) -> None:
    """Replications and times in the file meet the scenario's bounds, located."""
    file = penny_sweep("  release.wip: [2]", "seed: -1\n")
    assert _error_of(lambda: read_sweep(file)).path == "seed"
    file = penny_sweep("  release.wip: [2]").read_text().replace("horizon: 500", "horizon: 2000 y")
    path = Path(penny_sweep("  release.wip: [2]"))
    path.write_text(file)
    assert "1000 y" in _error_of(lambda: read_sweep(path)).message


def _error_of(call: Callable[[], object]) -> ConfigError:
    with pytest.raises(LinesimError) as caught:
        call()
    return _error(caught.value)


@pytest.mark.parametrize(
    ("body", "path", "words"),
    [
        ("objectives: [{minimise: wip}]", "objectives.0", "{minimize: KPI}"),
        ("objectives: [{minimize: wip}]\nconstraints: ['wip >> 3']", "constraints.0", "KPI >="),
        ("objectives: [{minimize: wip}]\nfidelity: {pruner: fast}", "fidelity.pruner", "hyperband"),
        (
            "objectives: [{minimize: wip}]\nfidelity: {stages: [{horizon: 2 fortnights}]}",
            "fidelity.stages.0.horizon",
            "unknown time unit",
        ),
        ("objectives: [{minimize: wip}, {maximize: throughput}]\nsampler: tpe", "sampler", "nsga2"),
        ("objectives: [{minimize: wip}]\ntrials: 1.5", "trials", "integer"),
    ],
)
def test_tune_file_errors_are_located(
    pair: Path, write: Callable[..., Path], body: str, path: str, words: str
) -> None:
    file = write(
        "tune.yaml",
        f"scenario: pair_scenario.yaml\nspace: {{release.wip: {{int: [1, 3]}}}}\n{body}\n",
    )
    error = _error_of(lambda: read_tune(file))
    assert (error.file, error.path) == (str(file), path)
    assert error.line is not None and words in error.message, str(error)


def test_shipped_sweep_and_tune_files_validate() -> None:
    for name in ("sweep_conwip_penny_fab.yaml", "sweep_formation_buffer.yaml"):
        assert kind_of(_data(name)) is FILE_KINDS["sweep"]
        assert check_file(str(ROOT / "scenarios" / name))[0] == []
    assert kind_of(_data("tune_winders_buffers.yaml")) is FILE_KINDS["tune"]


def _data(name: str) -> dict[str, object]:
    import yaml

    return dict(yaml.safe_load((ROOT / "scenarios" / name).read_text(encoding="utf-8")))


def test_validate_checks_the_sweep_file_itself(
    penny_sweep: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """Before, validate only checked the scenario a sweep names; now its own keys, values
    and parameter paths, each at file:line:col."""
    file = penny_sweep("  release.wipp: [1, 2]", "replicatons: 2\n")
    assert main(["validate", str(file)]) == 2
    err = capsys.readouterr().err
    assert f"{file}:7:1: replicatons: unknown key 'replicatons'; did you mean 'replications'" in err
    file = penny_sweep("  release.wipp: [1, 2]")
    assert main(["validate", str(file)]) == 2
    assert f"{file}:3:3: parameters.release.wipp: unknown key 'wipp'" in capsys.readouterr().err


def test_schema_exports_sweep_and_tune(tmp_path: Path) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    assert main(["schema", "--out", str(tmp_path)]) == 0
    for kind, name in (
        ("sweep", "sweep_conwip_penny_fab.yaml"),
        ("tune", "tune_winders_buffers.yaml"),
    ):
        schema = json.loads((tmp_path / f"{kind}.schema.json").read_text(encoding="utf-8"))
        validator = jsonschema.Draft202012Validator(schema)
        assert list(validator.iter_errors(_data(name))) == [], name
        assert list(validator.iter_errors({**_data(name), "replicatons": 2}))


def test_the_sweep_model_is_usable_from_python() -> None:
    model = SweepFile.model_validate(
        {"scenario": "x.yaml", "parameters": {"a": {"linspace": [0, 1, 3]}, "b": [1, 2]}}
    )
    assert model.points() == [
        {"a": 0.0, "b": 1},
        {"a": 0.0, "b": 2},
        {"a": 0.5, "b": 1},
        {"a": 0.5, "b": 2},
        {"a": 1.0, "b": 1},
        {"a": 1.0, "b": 2},
    ]
