"""The state words of an MES log and the alias table that maps plant words to them.

The built-in table holds common MES words; a YAML alias file (``--aliases FILE``) adds to it
or overrides it::

    # aliases.yaml: canonical state -> words of this plant's MES (case is ignored)
    busy: [cycling, "in production"]
    down: [e-stop, "machine fault"]
    ignore: [heartbeat]      # rows with these words are dropped, counted in fit.json
"""

from __future__ import annotations

import os

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from sim.engine.monitor import STATES
from sim.errors import ConfigError, ConfigErrors

__all__ = ["BUILTIN_ALIASES", "IGNORE", "AliasFile", "alias_table", "load_aliases"]

IGNORE = "ignore"
"""Pseudo-state of words whose rows are dropped on purpose (counted)."""

BUILTIN_ALIASES: dict[str, tuple[str, ...]] = {
    "busy": ("run", "running", "production", "producing", "processing", "working", "cycle",
             "in_cycle", "operating", "productive", "auto", "automatic"),
    "idle": ("starved", "starving", "waiting", "wait", "no_material", "no_parts", "empty",
             "standby", "ready"),
    "blocked": ("block", "output_full", "full", "tailback", "backed_up"),
    "down": ("fault", "failure", "failed", "breakdown", "error", "alarm", "repair", "stopped",
             "unplanned_stop", "unplanned_downtime", "broken"),
    "setup": ("changeover", "change_over", "set_up", "setup_change", "coil_change",
              "cleaning", "tool_change", "format_change"),
    "minor_stop": ("micro_stop", "microstop", "short_stop", "minor", "jam", "small_stop"),
    "maintenance": ("planned_maintenance", "pm", "preventive_maintenance", "service",
                    "inspection_maintenance", "planned_stop"),
    "off_shift": ("offshift", "off", "no_shift", "shift_off", "break", "closed", "weekend",
                  "holiday", "unscheduled", "not_scheduled"),
}  # fmt: skip
"""Canonical state -> common MES words, compared after lower-casing and turning spaces and
hyphens into underscores."""


def normalise(word: str) -> str:
    """Compare words the way the alias table does: lower case, ``_`` for space and ``-``."""
    return word.strip().lower().replace(" ", "_").replace("-", "_")


class AliasFile(BaseModel):
    """A plant's alias file: for each canonical state, the words its MES uses."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    busy: list[str] = Field(default_factory=list, description="words meaning processing")
    idle: list[str] = Field(default_factory=list, description="words meaning starved, waiting")
    blocked: list[str] = Field(default_factory=list, description="holding output, full buffer")
    down: list[str] = Field(default_factory=list, description="failure, under repair")
    setup: list[str] = Field(default_factory=list, description="changeover, cleaning")
    minor_stop: list[str] = Field(default_factory=list, description="short stops")
    maintenance: list[str] = Field(default_factory=list, description="planned maintenance")
    off_shift: list[str] = Field(default_factory=list, description="outside the shifts")
    ignore: list[str] = Field(
        default_factory=list, description="words whose rows are dropped (and counted)"
    )


def alias_table(extra: AliasFile | None = None) -> dict[str, str]:
    """Word (normalised) -> canonical state or :data:`IGNORE`; ``extra`` wins over the
    built-in words, and every canonical name maps to itself."""
    table = {normalise(state): state for state in STATES}
    for state, words in BUILTIN_ALIASES.items():
        for word in words:
            table[normalise(word)] = state
    if extra is not None:
        for state, words in extra.model_dump().items():
            for word in words:
                table[normalise(word)] = state
    return table


def load_aliases(path: str | os.PathLike[str]) -> AliasFile:
    """Read an alias YAML file; errors name the file, line:column, the key and the fix."""
    from sim.model.loader import read_yaml

    file = str(path)
    data, marks = read_yaml(file)
    try:
        return AliasFile.model_validate(data)
    except ValidationError as exc:
        errors = []
        for error in exc.errors(include_url=False):
            location = tuple(error["loc"])
            key = str(location[0]) if location else ""
            line, column = marks.get(location, marks.get((key,), (None, None)))
            message = error["msg"]
            if error["type"] == "extra_forbidden":
                message = (
                    f"unknown state {key!r}; use one of {', '.join(STATES)} or {IGNORE}"
                    " (a state maps to a list of the plant's words)"
                )
            else:
                message += "; write e.g. 'down: [fault, e-stop]'"
            errors.append(
                ConfigError(
                    message,
                    file=file,
                    path=".".join(str(part) for part in location),
                    line=line,
                    column=column,
                )
            )
        raise ConfigErrors(errors) from None
