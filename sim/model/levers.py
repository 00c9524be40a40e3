"""Smart-factory levers: named, sourced sets of changes to a line.

A lever file holds ``levers: {name: {description, source, changes: [...]}}``. Each change
names a dotted path (stations and other named list items by name, ``*`` for every item or
key) and one operation: ``set`` a value (``null`` removes the key), ``scale`` a number by a
factor or ``add`` to it. Durations written as strings (``"150 h"``) are read in the line's
time unit before they are scaled.

An effect multiple k (sampled from a lever's ``effect:`` range by an uncertainty study;
1 = as written, 0 = no effect) applies to every change not marked ``cost: true``:

- ``scale: s`` becomes ``scale: 1 + k (s - 1)`` (never below 0);
- ``add: a`` becomes ``add: k a``;
- a numeric ``set: v`` on a numeric value b becomes ``b + k (v - b)``;
- any other ``set`` (text, a mapping, ``null``, or a key the line lacks) is applied when
  k > 0 and left out when k = 0.

Changes marked ``cost: true`` (investment, staff, running cost) always apply as written.
"""

from __future__ import annotations

import copy
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from sim.errors import ConfigError
from sim.model.numbers import NumbersChecked, check_number
from sim.model.uncertainty import Range
from sim.model.units import parse_duration

__all__ = ["Change", "Lever", "LeverFile", "apply_lever"]

_UNSET = object()


class Change(BaseModel):
    """One parameter change of a lever."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, populate_by_name=True, allow_inf_nan=False
    )

    path: str = Field(min_length=1, description="dotted path; * matches every item or key")
    set_: Any = Field(default=_UNSET, alias="set", description="new value (null removes)")
    scale: float | None = Field(default=None, ge=0, description="multiply by [-]")
    add: float | None = Field(default=None, description="add [the value's unit]")
    cost: bool = Field(
        default=False,
        description="what the lever costs (investment, staff, running cost), not what it "
        "achieves: kept as written when an uncertainty study varies the lever's effect",
    )

    @model_validator(mode="after")
    def _one_operation(self) -> Change:
        given = [self.set_ is not _UNSET, self.scale is not None, self.add is not None]
        if sum(given) != 1:
            raise ValueError("give exactly one of set, scale and add")
        return self


class Lever(BaseModel):
    """A named improvement with its evidence."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    description: str = Field(min_length=1, description="what the lever does")
    source: str = Field(min_length=1, description="where the effect size comes from (S/S2/E)")
    changes: list[Change] = Field(default_factory=list, description="parameter changes")
    effect: Range | None = Field(
        default=None,
        description="range of the effect size as a multiple of the changes listed "
        "(1 = as written, 0 = none) [-], sampled by an uncertainty study",
    )


class LeverFile(NumbersChecked):
    """A library of levers (configs/levers_*.yaml)."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    description: str = ""
    levers: dict[str, Lever] = Field(description="lever name -> lever")


def _children(node: Any, key: str) -> list[tuple[Any, Any]]:
    """(container, key) pairs that ``key`` names in ``node``: by name in lists, * for all."""
    if isinstance(node, list):
        if key == "*":
            return [(node, i) for i in range(len(node))]
        return [
            (node, i)
            for i, item in enumerate(node)
            if isinstance(item, dict) and str(item.get("name")) == key
        ]
    if isinstance(node, dict):
        if key == "*":
            return [(node, k) for k in node]
        return [(node, key)] if key in node else []
    return []


def _number(value: Any, time_unit: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError(f"{value!r} is not a number")
    if isinstance(value, str):
        try:
            number = float(value)  # YAML reads 15e6 as text: a number, not a duration
        except ValueError:
            return parse_duration(value, time_unit)
    else:
        number = value
    return float(check_number(number))


def apply_lever(
    data: dict[str, Any],
    name: str,
    lever: Lever,
    file: str | None,
    time_unit: str,
    effect: float = 1.0,
) -> tuple[dict[str, Any], list[tuple[str, int]]]:
    """Return a copy of raw line ``data`` with every change of ``lever`` applied, and the
    dotted paths changed (stations by name) with the index of the change that did it.
    ``effect`` is the effect multiple k of the module docstring [-].

    An exact path must exist (a ``set`` may create its last key); a path with ``*`` changes
    the items that have it and must match at least one. Errors name the lever's change.
    """
    result = copy.deepcopy(data)
    touched: list[tuple[str, int]] = []
    for index, change in enumerate(lever.changes):
        where = f"levers.{name}.changes[{index}].path"
        parts = change.path.split(".")
        nodes: list[tuple[Any, str]] = [(result, "")]
        for depth, key in enumerate(parts[:-1]):
            found = [
                (c[k], _join(prefix, c, k)) for n, prefix in nodes for c, k in _children(n, key)
            ]
            if not found:
                raise ConfigError(
                    f"{'.'.join(parts[: depth + 1])} matches nothing in the line, so "
                    f"{change.path} cannot be changed; check the station or key name",
                    file=file,
                    path=where,
                )
            nodes = found
        last = parts[-1]
        targets = [
            (c, k, _join(prefix, c, k)) for n, prefix in nodes for c, k in _children(n, last)
        ]
        if not targets and change.set_ is not _UNSET and last != "*" and "*" not in parts:
            targets = [
                (n, last, f"{prefix}.{last}".lstrip("."))
                for n, prefix in nodes
                if isinstance(n, dict)
            ]
        if not targets:
            raise ConfigError(
                f"{change.path} matches nothing in the line; a scale or add "
                "needs a value to change (check the key's spelling)",
                file=file,
                path=where,
            )
        k = 1.0 if change.cost else effect
        for container, key, dotted in targets:
            touched.append((dotted, index))
            if change.set_ is not _UNSET:
                if k != 1.0 and _numeric_set(container, key, change.set_, time_unit, k):
                    continue
                if k <= 0:
                    continue
                if change.set_ is None:
                    if isinstance(container, dict):
                        container.pop(key, None)
                else:
                    container[key] = copy.deepcopy(change.set_)
                continue
            try:
                value = _number(container[key], time_unit)
            except ValueError as exc:
                raise ConfigError(
                    f"{change.path}: {exc}; scale and add need a number", file=file, path=where
                ) from None
            if change.scale is not None:
                container[key] = value * max(0.0, 1.0 + k * (change.scale - 1.0))
            else:
                container[key] = value + k * (change.add or 0.0)
    return result, touched


def _numeric_set(container: Any, key: Any, new: Any, time_unit: str, k: float) -> bool:
    """Set ``container[key]`` to base + k (new - base) when both are numbers (or durations);
    return whether it did."""
    try:
        base = container[key]
    except (KeyError, IndexError, TypeError):
        return False
    try:
        old, target = _number(base, time_unit), _number(new, time_unit)
    except ValueError:
        return False
    container[key] = old + k * (target - old)
    return True


def _join(prefix: str, container: Any, key: Any) -> str:
    """Dotted path of ``container[key]``, naming list items by their ``name``."""
    if isinstance(container, list):
        item = container[key]
        key = item.get("name", key) if isinstance(item, dict) else key
    return f"{prefix}.{key}" if prefix else str(key)
