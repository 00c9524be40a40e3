"""The kinds of file a user writes, each a pydantic model: recognised by their keys,
checked by ``linesim validate`` and exported as JSON Schemas by ``linesim schema``.

A new kind of file is one :func:`register` call with its model (see the comparison file
below): ``linesim schema`` then writes ``<name>.schema.json``; a kind whose files need more
than the model, such as the scenarios they name, adds that in ``sim/cli/validate.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from sim.model.comparison_file import ComparisonFile
from sim.model.levers import LeverFile
from sim.model.line import Line
from sim.model.scenario import ScenarioFile
from sim.model.sweep_file import SweepFile
from sim.model.tune_file import TuneFile

__all__ = ["FILE_KINDS", "FileKind", "kind_of", "register"]


@dataclass(frozen=True)
class FileKind:
    """One kind of YAML file.

    Parameters
    ----------
    name
        Short name (``sweep``); the schema file is ``<name>.schema.json``.
    model
        The pydantic model the file validates against.
    title
        Title of its JSON Schema.
    detect
        Whether a file's top-level mapping is of this kind (checked in registration order).
    """

    name: str
    model: type[BaseModel]
    title: str
    detect: Callable[[dict[str, Any]], bool]

    @property
    def schema_file(self) -> str:
        """Name of the JSON Schema file, e.g. ``sweep.schema.json``."""
        return f"{self.name}.schema.json"


FILE_KINDS: dict[str, FileKind] = {}
"""Every kind registered, by name, in the order they are recognised."""


def register(kind: FileKind) -> None:
    """Add (or replace) a kind of file."""
    FILE_KINDS[kind.name] = kind


def kind_of(data: dict[str, Any]) -> FileKind | None:
    """The kind of a file from its top-level keys, or ``None`` when none matches."""
    return next((kind for kind in FILE_KINDS.values() if kind.detect(data)), None)


register(FileKind("line", Line, "linesim line", lambda data: "stations" in data))
register(FileKind("scenario", ScenarioFile, "linesim scenario", lambda data: "line" in data))
register(
    FileKind(
        "sweep",
        SweepFile,
        "linesim sweep",
        lambda data: "scenario" in data and "space" not in data,
    )
)
register(
    FileKind("comparison", ComparisonFile, "linesim comparison", lambda data: "compare" in data)
)
register(FileKind("tune", TuneFile, "linesim tune", lambda data: "space" in data))
register(
    FileKind(
        "levers",
        LeverFile,
        "linesim lever library",
        lambda data: isinstance(data.get("levers"), dict),
    )
)
