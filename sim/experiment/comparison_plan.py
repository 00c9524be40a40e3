"""What a comparison compares: its scenario files (from a comparison file or a list),
their name, the overrides each gets, and the scenarios loaded and aligned on one seed,
replication count and window (:func:`plan_comparison`). The runs are
:mod:`sim.experiment.compare`'s.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sim.errors import ConfigError, LinesimError
from sim.experiment.pairs import align
from sim.experiment.settings import RunSettings
from sim.model import load_scenario
from sim.model.comparison_file import ComparisonFile, is_comparison_file, read_comparison_file
from sim.model.loader import read_yaml
from sim.model.scenario import Scenario
from sim.model.units import parse_duration

__all__ = [
    "ComparisonPlan",
    "comparison_name",
    "plan_comparison",
    "scenario_names",
    "split_overrides",
]


@dataclass(frozen=True)
class ComparisonPlan:
    """What to compare, resolved from the command line or the Python call."""

    name: str
    paths: list[str]
    """Scenario files, reference first."""
    scenarios: list[Scenario]
    """Loaded and aligned (same seed, replications, real window)."""
    spec: ComparisonFile | None
    """The comparison file, when one was given."""
    overrides: dict[str, Any] = field(default_factory=dict)
    """The overrides every scenario got (``--set PATH=VALUE``)."""
    scenario_overrides: list[dict[str, Any]] = field(default_factory=list)
    """Per scenario, all of its overrides: the common ones, then its own
    (``--set SCENARIO:PATH=VALUE``)."""

    def overrides_for(self, index: int) -> dict[str, Any]:
        """The overrides scenario ``index`` was loaded with."""
        if index < len(self.scenario_overrides):
            return self.scenario_overrides[index]
        return self.overrides


def _window(value: Any, unit: str, what: str) -> float | None:
    if value is None:
        return None
    try:
        return parse_duration(value, unit)
    except ValueError as exc:
        raise ConfigError(f"{what}: {exc}") from None


def _files(
    files: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
) -> tuple[ComparisonFile | None, list[str], str]:
    """The comparison file (if one is given), the scenario files and the name."""

    given = [files] if isinstance(files, str | os.PathLike) else list(files)
    listed = [str(f) for f in given]
    if not listed:
        raise ConfigError("give two or more scenarios, or one comparison file")
    spec = None
    if len(listed) == 1 and is_comparison_file(read_yaml(listed[0])[0]):
        spec = read_comparison_file(listed[0])
    if spec is None and len(listed) < 2:
        raise ConfigError(
            f"{listed[0]}: give two or more scenarios, or a comparison file "
            "with compare: [reference.yaml, other.yaml]"
        )
    base = Path(listed[0]).parent
    paths = [str(base / p) for p in spec.compare] if spec else listed
    name = (spec.name or Path(listed[0]).stem) if spec else "-vs-".join(Path(p).stem for p in paths)
    return spec, paths, name


def scenario_names(paths: Sequence[str]) -> list[tuple[str, str]]:
    """(name, file stem) of each scenario file: the name its ``name:`` gives (else the
    stem), as :func:`sim.model.load_scenario` names it."""

    names = []
    for path in paths:
        stem = Path(path).stem
        try:
            data = read_yaml(path)[0]
        except (OSError, LinesimError):  # loading it says what is wrong, where
            data = None
        given = data.get("name") if isinstance(data, dict) else None
        names.append((given if isinstance(given, str) and given else stem, stem))
    return names


def split_overrides(
    overrides: dict[str, Any], paths: Sequence[str]
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Split ``overrides`` into the common ones (``PATH``) and each scenario's own
    (``SCENARIO:PATH``, the scenario by its name or file stem; every scenario so named);
    return the common ones and, per scenario, the common ones updated with its own.

    A ``SCENARIO`` that names no scenario of the comparison is a :class:`ConfigError`
    located at the override (``--set SCENARIO:PATH``), with the names there are.
    """
    import difflib

    common = {k: v for k, v in overrides.items() if ":" not in k}
    names = scenario_names(paths) if len(common) < len(overrides) else []
    each = [dict(common) for _ in paths]
    for key, value in overrides.items():
        if ":" not in key:
            continue
        aimed, _, path = (part.strip() for part in key.partition(":"))
        chosen = [i for i, (name, stem) in enumerate(names) if aimed in (name, stem)]
        if not path:
            raise ConfigError(
                "give the path after the scenario, e.g. --set smart:release.wip=8", path=key
            )
        if not chosen:
            known = sorted({n for pair in names for n in pair})
            close = difflib.get_close_matches(aimed, known, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            listed = ", ".join(
                name if name == stem else f"{name} ({stem}.yaml)" for name, stem in names
            )
            raise ConfigError(
                f"no scenario {aimed!r} in this comparison (its scenarios: {listed}){hint}",
                path=key,
            )
        for index in chosen:
            each[index][path] = value
    return common, each


def comparison_name(files: str | os.PathLike[str] | Sequence[str | os.PathLike[str]]) -> str:
    """The name of the comparison of ``files`` (its default folder ``results/<name>/``):
    a comparison file's ``name:`` or stem, else the scenario files' stems joined by
    ``-vs-``."""
    return _files(files)[2]


def plan_comparison(
    files: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
    overrides: dict[str, Any] | None = None,
    settings: RunSettings | None = None,
) -> ComparisonPlan:
    """Load the scenarios of a comparison: two or more scenario files, or one comparison
    file (``compare: [...]``). The ``settings`` given (replications, seed, window) win
    over the comparison file's."""
    given = settings or RunSettings()
    replications, seed = given.replications, given.seed
    horizon, warmup = given.horizon, given.warmup
    spec, paths, name = _files(files)
    common, each = split_overrides(overrides or {}, paths)
    scenarios = [load_scenario(p, own) for p, own in zip(paths, each, strict=True)]
    unit = scenarios[0].line.time_unit
    window = _window(horizon, unit, "horizon") or _window(spec and spec.horizon, unit, "horizon")
    start = _window(warmup, unit, "warmup")
    if start is None:
        start = _window(spec and spec.warmup, unit, "warmup")
    if window is not None and window <= 0:
        raise ConfigError("horizon must be > 0")
    if replications is not None and replications < 1:
        raise ConfigError("--replications must be >= 1")
    aligned = align(
        scenarios,
        replications=replications or (spec.replications if spec else None),
        seed=seed if seed is not None else (spec.seed if spec else None),
        horizon=window,
        warmup=start,
    )
    return ComparisonPlan(name, paths, aligned, spec, common, each)
