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

from sim.errors import ConfigError, ConfigErrors
from sim.model import load_scenario
from sim.model.experiment_file import RUN_KEYS, ExperimentModel
from sim.model.loader import read_yaml
from sim.model.located import Marks, position, validate_located
from sim.model.scenario import Scenario

__all__ = [
    "RUN_KEYS",
    "Constraint",
    "ExperimentFile",
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
