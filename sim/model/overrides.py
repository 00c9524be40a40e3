"""Dotted overrides such as ``stations.press.process_time.mean: 1.5`` on raw YAML data.

Stations (and any list of named mappings) are addressed by name.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from typing import Any

import yaml

from sim.errors import ConfigError
from sim.model.numbers import MAX_DIGITS, MAX_MAGNITUDE

__all__ = ["MAX_NESTING", "apply_overrides", "parse_assignment"]

MAX_NESTING = 50
"""Most parts of an override path and deepest nesting of its value [-], as for a file
(``sim.model.loader.MAX_DEPTH``); a line needs under 10."""


def _nesting(root: Any, children: Callable[[Any], Iterable[Any]]) -> int:
    """How deep ``root`` nests (0 for a leaf), with ``children(node)`` its direct parts,
    counted without recursion so that no depth can overflow the stack; stops past
    :data:`MAX_NESTING`."""
    deepest, todo = 0, [(root, 0)]
    while todo and deepest <= MAX_NESTING:
        item, depth = todo.pop()
        deepest = max(deepest, depth)
        todo.extend((child, depth + 1) for child in children(item))
    return deepest


def _value_parts(item: Any) -> Iterable[Any]:
    """The parts of a Python value: a mapping's values, a list's items."""
    if isinstance(item, dict):
        return item.values()
    return item if isinstance(item, list | tuple) else ()


def _node_parts(item: Any) -> Iterable[Any]:
    """The parts of a composed YAML node: a sequence's items, a mapping's values."""
    if isinstance(item, yaml.SequenceNode):
        return list(item.value)
    if isinstance(item, yaml.MappingNode):
        return [value for _, value in item.value]
    return ()


def _too_deep(what: str, path: str, file: str | None) -> ConfigError:
    return ConfigError(
        f"{what} nests deeper than {MAX_NESTING} levels; a line needs under 10",
        file=file,
        path=path,
    )


def parse_assignment(text: str) -> tuple[str, Any]:
    """Split a command-line ``PATH=VALUE`` into the path and the YAML-typed value."""
    path, sep, raw = text.partition("=")
    if not sep or not path.strip():
        raise ConfigError(
            f"--set {text!r} is not PATH=VALUE; write e.g. --set stations.press.machines=2"
        )
    try:
        node = yaml.compose(raw, Loader=yaml.SafeLoader)
        if _nesting(node, _node_parts) > MAX_NESTING:
            raise _too_deep("the value", f"--set {path.strip()[:80]}", None)
        _no_long_integers(node, text)
        value = yaml.safe_load(raw)
    except yaml.YAMLError as exc:
        raise ConfigError(f"--set {text!r}: the value is not valid YAML ({exc})") from None
    except RecursionError:  # PyYAML composes nested nodes recursively
        raise _too_deep("the value", f"--set {path.strip()[:80]}", None) from None
    return path.strip(), value


def _no_long_integers(node: yaml.Node | None, text: str, depth: int = 0) -> None:
    """Refuse integers too long to be numbers of a line before Python builds them."""
    if node is None or depth > 50:
        return
    if isinstance(node, yaml.ScalarNode):
        digits = len(str(node.value).lstrip("+-"))
        if node.tag == "tag:yaml.org,2002:int" and digits > MAX_DIGITS:
            raise ConfigError(
                f"--set {text[:40]!r}...: a {digits}-digit number is out of range: numbers are "
                f"at most {MAX_MAGNITUDE:.2g} in size"
            )
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            _no_long_integers(item, text, depth + 1)
    elif isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            _no_long_integers(key, text, depth + 1)
            _no_long_integers(value, text, depth + 1)


def _names(items: list[Any]) -> list[str]:
    return [str(item.get("name")) for item in items if isinstance(item, dict)]


def _step(node: Any, key: str, path: str, full: str, file: str | None) -> Any:
    """Return the child ``key`` of ``node``, creating an empty mapping where one is missing."""
    if isinstance(node, list):
        for item in node:
            if isinstance(item, dict) and str(item.get("name")) == key:
                return item
        if key.isdigit() and int(key) < len(node):
            return node[int(key)]
        known = ", ".join(_names(node)) or "none"
        raise ConfigError(
            f"no entry named {key!r} in {path or 'the list'} (known: {known})", file=file, path=full
        )
    if isinstance(node, dict):
        child = node.get(key)
        if child is None:
            child = node[key] = {}
        return child
    raise ConfigError(
        f"{path} is the value {node!r}, not a mapping, so it has no {key!r}; "
        f"set {path} itself (for example to a distribution mapping)",
        file=file,
        path=full,
    )


def apply_overrides(
    data: dict[str, Any], overrides: dict[str, Any], file: str | None = None
) -> dict[str, Any]:
    """Return a copy of ``data`` with each dotted override set; ``data`` is left as it was."""
    for full, value in overrides.items():
        shown = str(full)[:80] + ("..." if len(str(full)) > 80 else "")
        if str(full).count(".") >= MAX_NESTING:
            raise _too_deep(f"the path ({str(full).count('.') + 1} parts)", shown, file)
        if _nesting(value, _value_parts) > MAX_NESTING:
            raise _too_deep("the value", shown, file)
    result = copy.deepcopy(data)
    for full, value in overrides.items():
        parts = str(full).split(".")
        if not all(parts):
            raise ConfigError("an override path has an empty part", file=file, path=str(full))
        node: Any = result
        for depth, key in enumerate(parts[:-1]):
            node = _step(node, key, ".".join(parts[:depth]), str(full), file)
        last = parts[-1]
        if isinstance(node, list):
            target = _step(node, last, ".".join(parts[:-1]), str(full), file)
            node[node.index(target)] = value
        elif isinstance(node, dict):
            node[last] = value
        else:
            raise ConfigError(
                f"{'.'.join(parts[:-1])} is the value {node!r}, not a mapping",
                file=file,
                path=str(full),
            )
    return result
