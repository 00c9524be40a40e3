"""Sweep and tune files once read: the scenario they run, loaded with each point's
overrides (errors blamed on the file), and the KPIs they name.

The files themselves are pydantic models in :mod:`sim.model.sweep_file` and
:mod:`sim.model.tune_file`; :meth:`ExperimentFile.read` validates one with every error at
file:line:col and its YAML path (``parameters.release.wip``).
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from sim.errors import ConfigError, ConfigErrors, LinesimError
from sim.model.experiment_file import RUN_KEYS, ExperimentModel
from sim.model.loader import Marks, read_yaml
from sim.model.located import position, validate_located
from sim.model.scenario import Scenario

__all__ = [
    "RUN_KEYS",
    "Constraint",
    "ExperimentFile",
    "kpi_estimate",
    "kpi_names",
    "kpi_value",
]

M = TypeVar("M", bound=ExperimentModel)


@dataclass
class ExperimentFile:
    """A sweep or tune YAML file: its data, the position of every key, and helpers."""

    path: str
    data: dict[str, Any]
    marks: Marks
    run: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def read(cls, path: str | os.PathLike[str], model: type[M]) -> tuple[ExperimentFile, M]:
        """Read ``path`` and validate it as ``model``; errors are located in the file."""
        data, marks = read_yaml(path)
        validated = validate_located(model, data, str(path), marks)
        return cls(str(path), data, marks, dict(validated.run)), validated

    def error(self, message: str, where: tuple[str | int, ...] = ()) -> ConfigError:
        """Return a ConfigError at YAML path ``where`` (a tuple of keys) of this file."""
        line, column = position(self.marks, where)
        return ConfigError(
            message, file=self.path, path=".".join(str(p) for p in where), line=line, column=column
        )

    def fail(self, message: str, where: tuple[str | int, ...] = ()) -> None:
        """Raise :meth:`error`."""
        raise self.error(message, where)

    def scenario_path(self) -> str:
        """The ``scenario:`` file, resolved relative to this file."""
        name = self.data.get("scenario")
        if not isinstance(name, str) or not name:
            self.fail(
                "required key 'scenario' (a scenario YAML, relative to this file)", ("scenario",)
            )
        path = Path(self.path).parent / str(name)
        if not path.is_file():
            self.fail(
                f"scenario file {path} not found; the path is relative to this file", ("scenario",)
            )
        return str(path)

    def name(self) -> str:
        """``name:`` or the file name without extension."""
        name = self.data.get("name")
        return str(name) if name else Path(self.path).stem

    def load(self, overrides: dict[str, Any], section: str, **run: Any) -> Scenario:
        """Load the scenario with dotted ``overrides``; errors blame ``section.<path>``."""
        from sim.model import load_scenario

        settings = {**self.run, **{k: v for k, v in run.items() if v is not None}}
        try:
            return load_scenario(self.scenario_path(), overrides, **settings)
        except ConfigErrors as errors:
            blamed = [self._blame(e, overrides, section) for e in errors.errors]
            raise (blamed[0] if len(blamed) == 1 else ConfigErrors(blamed)) from None
        except ConfigError as error:
            raise self._blame(error, overrides, section) from None

    def _blame(self, error: ConfigError, overrides: dict[str, Any], section: str) -> ConfigError:
        """Move an error caused by a parameter or run setting onto this file."""
        if error.file is not None:
            return error
        for key in overrides:
            if error.path == key or error.path.startswith(key + "."):
                given = "" if "(got " in error.message else f" (value {overrides[key]!r})"
                return self.error(error.message + given, (section, key))
        for key in RUN_KEYS:
            if error.path == f"--{key}":
                return self.error(error.message, (key,))
        return self.error(error.message, (section,))


@dataclass(frozen=True)
class Constraint:
    """``kpi >= bound`` or ``kpi <= bound``."""

    kpi: str
    operator: str
    bound: float

    def violation(self, value: float) -> float:
        """Return how far ``value`` is on the wrong side, relative to |bound| (0 if met) [-]."""
        if math.isnan(value):
            return math.inf
        gap = self.bound - value if self.operator == ">=" else value - self.bound
        return max(0.0, gap) / max(abs(self.bound), 1e-12)

    def __str__(self) -> str:
        return f"{self.kpi} {self.operator} {self.bound:g}"


def kpi_names(summary: dict[str, Any]) -> list[str]:
    """Every KPI name :func:`kpi_value` accepts for ``summary``."""
    names = list(summary.get("kpis", {}))
    for section, values in summary.items():
        if section in ("kpis", "stations", "overrides") or not isinstance(values, dict):
            continue
        names += [k for k, v in values.items() if _number(v) is not None and k not in names]
    for station, values in summary.get("stations", {}).items():
        names += [f"stations.{station}.{k}" for k in values]
    return names


def kpi_estimate(summary: dict[str, Any], name: str) -> dict[str, Any]:
    """Return ``{"mean", "std", "ci95", "unit"}`` of KPI ``name`` in a run summary (unit
    ``None`` where the summary gives none).

    Looks in ``kpis``, then in any other section of numbers or estimates (such as
    costs), then ``stations.<station>.<kpi>``; a plain number has no std or interval.
    Raises :class:`LinesimError` naming the known KPIs when ``name`` is none of them.
    """
    found: Any = _MISSING
    if name in summary.get("kpis", {}):
        found = summary["kpis"][name]
    else:
        for section, values in summary.items():
            if (
                section not in ("kpis", "stations", "overrides")
                and isinstance(values, dict)
                and name in values
                and _number(values[name]) is not None
            ):
                found = values[name]
                break
        parts = name.split(".")
        if found is _MISSING and len(parts) == 3 and parts[0] == "stations":
            found = summary.get("stations", {}).get(parts[1], {}).get(parts[2], _MISSING)
    if found is _MISSING:
        known = ", ".join(k for k in kpi_names(summary) if not k.startswith("stations."))
        raise LinesimError(
            f"{name!r} is not a KPI of this run (known: {known}, and stations.<station>.<kpi>)"
        )
    if isinstance(found, dict):
        return {
            "mean": _as_float(found),
            "std": found.get("std"),
            "ci95": found.get("ci95"),
            "unit": found.get("unit"),
        }
    return {"mean": _as_float(found), "std": None, "ci95": None, "unit": None}


def kpi_value(summary: dict[str, Any], name: str) -> float:
    """Return the mean of KPI ``name`` in a run summary (NaN when undefined); see
    :func:`kpi_estimate`."""
    return float(kpi_estimate(summary, name)["mean"])


_MISSING = object()


def _number(value: Any) -> float | None:
    if isinstance(value, dict) and "mean" in value:
        value = value["mean"]
    if isinstance(value, bool) or not isinstance(value, int | float | type(None)):
        return None
    return math.nan if value is None else float(value)


def _as_float(value: Any) -> float:
    number = _number(value)
    return math.nan if number is None else number
