"""``linesim validate FILE...``: check lines and scenarios without running them.

A file with a ``line:`` key is a scenario (checked with its line, levers and overrides
applied); a sweep or tune file (``scenario:``) is checked against its model, then the
scenario it names and the parameter paths it sets; a comparison (``compare:``) file has
the scenarios it names checked; a lever file is checked through the scenarios using it;
any other file is a line. Every error found is printed with file:line:column, the
dotted YAML path, the value given and what is allowed; warnings name suspicious but legal
values. Exit status 0 when every file is valid (warnings allowed), else 2.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any, Literal

from rich.console import Console
from rich.markup import escape

from sim.cli.common import overrides
from sim.errors import ConfigError, ConfigErrors, LinesimError
from sim.model import load_line, load_scenario
from sim.model.file_kinds import kind_of
from sim.model.loader import read_yaml
from sim.model.located import Marks
from sim.model.warnings import line_warnings, scenario_warnings

__all__ = ["add_parser", "check_file", "handle"]

EXIT_INVALID = 2
"""Exit status when a file is not valid."""


def add_parser(commands: Any) -> None:
    """Register ``validate``."""
    command: argparse.ArgumentParser = commands.add_parser(
        "validate",
        help="check line and scenario files; print every error and warning",
        description="Check line and scenario YAML files without running them. Prints every "
        "error with file:line:column, the YAML path, the value given and what is allowed, "
        "and warnings for suspicious values. Exit status 0 when all are valid, else 2.",
    )
    command.add_argument("files", nargs="+", metavar="FILE", help="line or scenario YAML")
    command.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="PATH=VALUE",
        help="check with this override of the line (repeatable)",
    )


def handle(args: argparse.Namespace, console: Console) -> int:
    """Check every file; print errors and warnings to stderr, ``ok: FILE`` to stdout."""
    stderr = Console(stderr=True, width=console.width)
    cli = overrides(args.overrides)
    status = 0
    for file in args.files:
        errors, warnings = check_file(file, cli)
        for text in warnings:
            stderr.print(
                f"[yellow]warning:[/yellow] {escape(file)}: {escape(text)}",
                highlight=False,
                soft_wrap=True,
            )
        for text in errors:
            stderr.print(f"[red]error:[/red] {escape(text)}", highlight=False, soft_wrap=True)
        if errors:
            status = EXIT_INVALID
        else:
            console.print(f"ok: {escape(file)}", highlight=False, soft_wrap=True)
    return status


def check_file(file: str, cli: dict[str, Any] | None = None) -> tuple[list[str], list[str]]:
    """Return (errors, warnings) of one line or scenario file, one line each."""
    cli = cli or {}
    try:
        data, marks = read_yaml(file)
    except LinesimError as exc:
        return _lines(exc, cli), []
    if "line" not in data and "stations" not in data:
        if isinstance(data.get("levers"), dict):  # a scenario lists levers; a library maps
            return [], ["a lever file: its levers are checked with each scenario using them"]
        kind = kind_of(data)
        if kind is not None and kind.name in ("sweep", "tune"):
            return _check_experiment(file, "sweep" if kind.name == "sweep" else "tune", cli)
        if "compare" in data:  # a comparison file: its own schema, then its scenarios
            from sim.model.comparison_file import read_comparison_file

            try:
                read_comparison_file(file)
            except LinesimError as exc:
                return _lines(exc, cli), []
            return _check_listed(file, data.get("compare"), cli)
    scenario = "line" in data
    try:
        if scenario:
            return [], scenario_warnings(load_scenario(file, cli))
        return [], line_warnings(load_line(file, cli))
    except LinesimError as exc:
        errors = _lines(exc, cli)
        if scenario:  # errors in the scenario itself stop loading before its line: check it
            errors += [
                text for text in _line_errors(file, data, marks, exc, cli) if text not in errors
            ]
    return errors, []


def _check_experiment(
    file: str, kind: Literal["sweep", "tune"], cli: dict[str, Any]
) -> tuple[list[str], list[str]]:
    """Check a sweep or tune file against its model, then the scenario it names, then
    the scenario loaded at the first and last point (sweep) or every corner of the search
    space (tune), so that a wrong parameter path is found before any run."""
    from sim.api.validating import experiment_scenario, load_experiment_extremes

    try:
        spec, scenario = experiment_scenario(file, kind)
    except LinesimError as exc:
        return _lines(exc, cli), []
    errors, warnings = check_file(scenario, cli)
    warnings = [f"{scenario}: {text}" for text in warnings]
    if errors:
        return errors, warnings
    try:
        load_experiment_extremes(spec, kind)
    except LinesimError as exc:
        errors = _lines(exc, cli)
    return errors, warnings


def _check_listed(file: str, listed: Any, cli: dict[str, Any]) -> tuple[list[str], list[str]]:
    """Check the scenarios a comparison (``compare:``) or sweep (``scenario:``) names."""
    if not isinstance(listed, list) or not all(isinstance(n, str) and n for n in listed):
        return [f"{file}: the scenarios it names must be file paths (got {listed!r})"], []
    errors: list[str] = []
    warnings: list[str] = []
    for name in listed:
        path = str(Path(file).parent / name)
        found, warned = check_file(path, cli)
        errors += found
        warnings += [f"{path}: {text}" for text in warned]
    return errors, warnings


def _line_errors(
    file: str, data: dict[str, Any], marks: Marks, exc: LinesimError, cli: dict[str, Any]
) -> list[str]:
    """Errors of the line a scenario names, with the scenario's ``set:`` applied, when
    loading stopped in the scenario file."""
    found = exc.errors if isinstance(exc, ConfigErrors) else [exc]
    located = [e for e in found if isinstance(e, ConfigError) and e.file == file]
    if len(located) < len(found) or any(e.path == "line" for e in located):
        return []  # loading got as far as the line, or the line file is the problem
    reference = data.get("line")
    if not isinstance(reference, str) or not reference:
        return []
    line_file = Path(file).parent / reference
    if not line_file.is_file():
        return []
    given = data.get("set")
    file_set = {str(k): v for k, v in given.items()} if isinstance(given, dict) else {}
    try:
        load_line(line_file, {**file_set, **cli})
    except LinesimError as line_exc:
        for error in line_exc.errors if isinstance(line_exc, ConfigErrors) else [line_exc]:
            key = next(
                (
                    k
                    for k in file_set
                    if isinstance(error, ConfigError)
                    and error.file is None
                    and k not in cli
                    and (error.path == k or error.path.startswith(k + "."))
                ),
                None,
            )
            if key is not None and isinstance(error, ConfigError):  # blame the set: entry
                error.file, error.path = file, f"set.{error.path}"
                error.line, error.column = marks.get(("set", key), (None, None))
        return _lines(line_exc, {**file_set, **cli}, set_file=file)
    return []


def _lines(exc: LinesimError, cli: dict[str, Any], set_file: str | None = None) -> list[str]:
    """One line per error, with the value given added where the message lacks it."""
    if isinstance(exc, ConfigErrors):
        found: list[LinesimError] = list(exc.errors)
    else:
        found = [exc]
    cache: dict[str, Any] = {}
    out = []
    for error in found:
        text = str(error)
        if isinstance(error, ConfigError) and error.path and "(got " not in error.message:
            given = _given(error, cli, cache, set_file)
            quoted = given is not None and given[:1] in "'\"" and given in error.message
            if given is not None and not quoted:  # a quoted text value is already shown
                text += f" (got {given})"
        out.append(text)
    return out


_MISSING = object()


def _given(
    error: ConfigError, cli: dict[str, Any], cache: dict[str, Any], set_file: str | None = None
) -> str | None:
    """The value written at the error's path, as a short text, or ``None`` when there is
    none (a missing key) or it is a mapping or list. Errors blamed on ``set_file`` with a
    ``set.`` path take the value from ``cli``."""
    if error.file is None or (error.file == set_file and error.path.startswith("set.")):
        cli = {f"set.{k}": v for k, v in cli.items()} if error.file is not None else cli
        root: Any = {key: value for key, value in cli.items()}
    else:
        if error.file not in cache:
            try:
                cache[error.file] = read_yaml(error.file)[0]
            except LinesimError:
                cache[error.file] = None
        root = cache[error.file]
    parts = error.path.replace("[", ".").replace("]", "").split(".")
    value = _value_at(root, parts) if root is not None else _MISSING
    if value is _MISSING or isinstance(value, dict | list):
        return None
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _value_at(node: Any, parts: list[str]) -> Any:
    """Follow a dotted path (list items by name or index; keys may contain dots)."""
    if not parts:
        return node
    if isinstance(node, dict):
        for end in range(len(parts), 0, -1):  # the longest key first: set: {a.b.c: 1}
            key = ".".join(parts[:end])
            if key in node:
                return _value_at(node[key], parts[end:])
        return _MISSING
    if isinstance(node, list):
        head = parts[0]
        for item in node:
            if isinstance(item, dict) and str(item.get("name")) == head:
                return _value_at(item, parts[1:])
        if head.isdigit() and int(head) < len(node):
            return _value_at(node[int(head)], parts[1:])
    return _MISSING
