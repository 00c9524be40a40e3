"""YAML to validated models, with every error located by file, line and dotted path."""

from __future__ import annotations

import difflib
import os
import types
import typing
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from sim.errors import ConfigError, ConfigErrors
from sim.model.checks import check_line
from sim.model.levers import LeverFile, apply_lever
from sim.model.line import Line
from sim.model.overrides import apply_overrides
from sim.model.scenario import Scenario, ScenarioFile
from sim.model.uncertainty import uncertain_errors
from sim.model.units import SECONDS_PER, parse_duration

__all__ = ["load_line", "load_scenario", "project_folder", "read_yaml"]

MAX_FILE_BYTES = 5_000_000
"""Largest YAML file read [bytes]; a line definition is a few kB."""
MAX_NODES = 200_000
"""Most YAML nodes in one document, aliases expanded [-]."""
MAX_DEPTH = 50
"""Deepest nesting of mappings and lists in a document [-]; a line needs under 10."""

Marks = dict[tuple[str | int, ...], tuple[int, int]]
Origins = dict[str, tuple[str | None, tuple[int, int] | None, str]]
"""Override path -> (file that set it or None for the command line, its mark, the prefix
of the path where it was written: ``set.`` for a scenario's set, else empty)."""


def read_yaml(path: str | os.PathLike[str]) -> tuple[dict[str, Any], Marks]:
    """Read a YAML mapping safely and the 1-based (line, column) of every node by path."""
    file = str(path)
    try:
        size = os.path.getsize(file)
    except OSError:
        raise ConfigError("file not found; check the path", file=file) from None
    if not os.path.isfile(file):  # a folder, a device such as /dev/zero, a pipe
        raise ConfigError("not a regular file; give the path of a YAML file", file=file)
    if size > MAX_FILE_BYTES:
        raise ConfigError(f"file is {size} bytes, over the {MAX_FILE_BYTES} byte limit", file=file)
    try:
        with open(file, "rb") as stream:  # at most the limit, should the file grow meanwhile
            text = stream.read(MAX_FILE_BYTES + 1).decode("utf-8")
        if len(text) > MAX_FILE_BYTES:
            raise ConfigError(f"file is over the {MAX_FILE_BYTES} byte limit", file=file)
        loader = yaml.SafeLoader(text)
        try:
            node = loader.get_single_node()
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except OSError as exc:
        raise ConfigError(f"cannot read the file ({exc.strerror or exc})", file=file) from None
    except RecursionError:  # PyYAML composes nested nodes recursively
        raise ConfigError(
            f"the document nests deeper than {MAX_DEPTH} levels; a line needs under 10", file=file
        ) from None
    except UnicodeDecodeError:
        raise ConfigError("file is not UTF-8 text", file=file) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise ConfigError(
            f"not valid YAML: {exc.problem or exc.context}",
            file=file,
            line=mark.line + 1 if mark else None,
            column=mark.column + 1 if mark else None,
        ) from None
    except yaml.reader.ReaderError as exc:  # a control character: located by its offset
        before = text[: exc.position]
        code = exc.character if isinstance(exc.character, int) else ord(str(exc.character)[0])
        raise ConfigError(
            f"not valid YAML: character U+{code:04X} is not allowed in YAML; remove it",
            file=file,
            line=before.count("\n") + 1,
            column=exc.position - before.rfind("\n"),
        ) from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"not valid YAML: {' '.join(str(exc).split())}", file=file) from None
    if not isinstance(data, dict):
        raise ConfigError("the file must hold a YAML mapping (key: value lines)", file=file)
    marks: Marks = {}
    _collect_marks(node, (), marks, file)
    return data, marks


def _collect_marks(
    node: yaml.Node,
    path: tuple[str | int, ...],
    marks: Marks,
    file: str = "",
    budget: list[int] | None = None,
) -> None:
    """Record the position of every node; a mapping key is located at the key itself.

    Refuses duplicate keys (YAML would silently keep the last) and documents with more
    nodes than any line needs (aliases that expand exponentially, a "YAML bomb").
    """
    budget = budget if budget is not None else [MAX_NODES]
    budget[0] -= 1
    if budget[0] < 0:
        raise ConfigError(
            f"the document has over {MAX_NODES:,} nodes (aliases expanded); a line needs far fewer",
            file=file,
        )
    if len(path) > MAX_DEPTH:
        line, column = node.start_mark.line + 1, node.start_mark.column + 1
        raise ConfigError(
            f"the document nests deeper than {MAX_DEPTH} levels; a line needs under 10",
            file=file,
            line=line,
            column=column,
        )
    marks.setdefault(path, (node.start_mark.line + 1, node.start_mark.column + 1))
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key, value in node.value:
            name = str(key.value)
            where = (key.start_mark.line + 1, key.start_mark.column + 1)
            if name in seen:
                dotted = ".".join(str(p) for p in (*path, name))
                raise ConfigError(
                    f"key {name!r} appears twice in the same mapping; keep one",
                    file=file,
                    path=dotted,
                    line=where[0],
                    column=where[1],
                )
            seen.add(name)
            marks[(*path, name)] = where
            _collect_marks(value, (*path, name), marks, file, budget)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            if isinstance(item, yaml.MappingNode):  # named items are addressed by name first
                for key, value in item.value:
                    if key.value == "name" and isinstance(value, yaml.ScalarNode):
                        _collect_marks(item, (*path, str(value.value)), marks, file, budget)
            _collect_marks(item, (*path, index), marks, file, budget)


def _locate(marks: Marks, dotted: str) -> tuple[int | None, int | None]:
    """Return the mark of the deepest known prefix of a dotted path."""
    parts: list[str | int] = []
    for part in dotted.replace("[", ".").replace("]", "").split("."):
        parts.append(int(part) if part.isdigit() else part)
    for end in range(len(parts), -1, -1):
        mark = marks.get(tuple(parts[:end]))
        if mark is not None:
            return mark
    return None, None


def _dotted(loc: tuple[str | int, ...], data: Any) -> str:
    """Turn a pydantic ``loc`` into a dotted path, naming list items by their ``name``."""
    parts: list[str] = []
    node = data
    for segment in loc:
        if isinstance(node, dict) and segment not in node and node.get("dist") == segment:
            continue  # the tag pydantic adds for a discriminated union member
        if isinstance(node, list) and isinstance(segment, int) and segment < len(node):
            item = node[segment]
            name = item.get("name") if isinstance(item, dict) else None
            parts.append(str(name) if isinstance(name, str) and name else str(segment))
            node = item
            continue
        if node is not None and not isinstance(node, dict | list) and parts:
            break  # a shorthand (a bare number for a distribution): blame what was written
        parts.append(str(segment))
        node = node.get(segment) if isinstance(node, dict) else None
    return ".".join(parts)


def _model_at(root: type[BaseModel], loc: tuple[str | int, ...], data: Any) -> Any:
    """Return the model class pydantic was validating at ``loc`` (for listing allowed keys)."""
    annotation: Any = root
    node = data
    for segment in loc:
        annotation = _unwrap(annotation, node)
        if isinstance(segment, int):
            args = typing.get_args(annotation)
            annotation = args[0] if args else None
            node = node[segment] if isinstance(node, list) and segment < len(node) else None
            continue
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            fields = {(f.alias or k): f for k, f in annotation.model_fields.items()}
            if segment in fields:
                annotation = fields[segment].annotation
                node = node.get(segment) if isinstance(node, dict) else None
                continue
            if isinstance(node, dict) and node.get("dist") == segment:
                continue
        return None
    return _unwrap(annotation, node)


def _unwrap(annotation: Any, node: Any) -> Any:
    """Strip Annotated/Optional and pick the union member matching ``node['dist']``."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            members = [a for a in typing.get_args(annotation) if a is not type(None)]
            tag = node.get("dist") if isinstance(node, dict) else None
            match = [
                m
                for m in members
                if isinstance(m, type)
                and issubclass(m, BaseModel)
                and m.model_fields.get("dist") is not None
                and tag in typing.get_args(m.model_fields["dist"].annotation)
            ]
            annotation = match[0] if match else members[0] if len(members) == 1 else None
            if annotation is None:
                return None
        else:
            return annotation


def _message(error: dict[str, Any], root: type[BaseModel], data: Any) -> str:
    kind = error["type"]
    loc = tuple(error["loc"])
    if kind == "extra_forbidden":
        model = _model_at(root, loc[:-1], data)
        key = str(loc[-1])
        if isinstance(model, type) and issubclass(model, BaseModel):
            allowed = sorted(f.alias or k for k, f in model.model_fields.items())
            close = difflib.get_close_matches(key, allowed, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            return f"unknown key {key!r}{hint} (allowed: {', '.join(allowed)})"
        return f"unknown key {key!r}"
    if kind == "missing":
        return "required key is missing"
    if kind in ("union_tag_not_found", "union_tag_invalid"):
        from sim.model.distributions import DIST_NAMES

        tag = (error.get("ctx") or {}).get("tag")
        given = f"dist {tag!r} is not known; " if kind == "union_tag_invalid" else ""
        return (
            f"{given}a distribution needs dist: one of "
            + ", ".join(DIST_NAMES)
            + " (or a bare number for a constant)"
        )
    message = str(error["msg"]).removeprefix("Value error, ")
    if "input" in error and kind not in ("model_type", "dict_type"):
        value = error["input"]
        if not isinstance(value, dict | list):
            message += f" (got {value!r})"
    return message


def _validation_errors(
    exc: ValidationError,
    root: type[BaseModel],
    data: Any,
    file: str,
    marks: Marks,
    origins: Origins,
) -> ConfigErrors:
    """Locate each pydantic error in the file, or in the override that set the value."""
    errors = []
    for error in exc.errors(include_url=False):
        dotted = _dotted(tuple(error["loc"]), data)
        errors.append(
            _located(ConfigError(_message(error, root, data), path=dotted), file, marks, origins)
        )
    return ConfigErrors(errors)


def _located(error: ConfigError, file: str, marks: Marks, origins: Origins) -> ConfigError:
    """Fill in file, line and column: an overridden value is blamed on its override."""
    for override, (origin_file, mark, prefix) in origins.items():
        if error.path == override or error.path.startswith(override + "."):
            error.file = origin_file
            error.line, error.column = mark if mark else (None, None)
            if prefix.startswith("levers."):  # a lever wrote the value: point at its change
                error.message = f"{error.path} (written by this change): {error.message}"
                error.path = prefix
            else:
                error.path = prefix + error.path
            return error
    error.file = file
    error.line, error.column = _locate(marks, error.path)
    return error


def _time_unit(data: dict[str, Any], file: str, marks: Marks) -> str:
    unit = data.get("time_unit", "h")
    if not isinstance(unit, str) or unit not in SECONDS_PER:  # a list or mapping too
        line, column = _locate(marks, "time_unit")
        raise ConfigError(
            f"time_unit must be one of s, min, h, d (got {unit!r})",
            file=file,
            path="time_unit",
            line=line,
            column=column,
        )
    return str(unit)


def _build_line(data: dict[str, Any], file: str, marks: Marks, origins: Origins) -> Line:
    unit = _time_unit(data, file, marks)
    try:
        line = Line.model_validate(data, context={"time_unit": unit})
    except ValidationError as exc:
        raise _validation_errors(exc, Line, data, file, marks, origins) from None
    problems = [_located(problem, file, marks, origins) for problem in check_line(line)]
    problems += uncertain_errors(data, file, marks)
    if problems:
        raise ConfigErrors(problems)
    return line


def project_folder(scenario_file: str | os.PathLike[str]) -> Path:
    """Return the project folder of a scenario file: the nearest folder at or above the
    file's own that holds ``pyproject.toml`` or ``.git``, else the parent of its folder."""
    folder = Path(scenario_file).resolve().parent
    for candidate in (folder, *folder.parents):
        if (candidate / "pyproject.toml").exists() or (candidate / ".git").exists():
            return candidate
    return folder.parent


def _referenced(file: str, ref: str, marks: Marks, key: str) -> str:
    """Return the path of a file that scenario ``file`` names at ``key``: relative to the
    scenario, and inside its :func:`project_folder` unless given as an absolute path (a
    shared file may name ``../../home/x/secret.yaml`` only explicitly)."""
    target = Path(file).parent / ref
    if not Path(ref).is_absolute():
        project = project_folder(file)
        resolved = target.resolve()
        if not resolved.is_relative_to(project):
            line, column = _locate(marks, key)
            raise ConfigError(
                f"{ref!r} is {resolved}, outside the project folder {project}; keep the "
                "files of a project inside it, or give an absolute path",
                file=file,
                path=key,
                line=line,
                column=column,
            )
    return str(target)


def load_line(path: str | os.PathLike[str], overrides: dict[str, Any] | None = None) -> Line:
    """Load and validate a line file, with dotted ``overrides`` applied first."""
    data, marks = read_yaml(path)
    data = apply_overrides(data, overrides or {})
    origins: Origins = {k: (None, None, "") for k in (overrides or {})}
    return _build_line(data, str(path), marks, origins)


def load_scenario(
    path: str | os.PathLike[str],
    overrides: dict[str, Any] | None = None,
    *,
    replications: int | None = None,
    seed: int | None = None,
    horizon: float | str | None = None,
    warmup: float | str | None = None,
    levers: Sequence[str] | None = None,
    values: dict[str, Any] | None = None,
    effects: dict[str, float] | None = None,
) -> Scenario:
    """Load a scenario file and its line, apply overrides (file first, then ``overrides``).

    ``horizon`` and ``warmup`` are numbers in the line's time unit or strings such as
    ``"30 d"``; ``None`` keeps the file's value. ``levers`` replaces the file's lever list
    (a subset of it, for attribution). Order: line file, levers, ``set``, ``overrides``.
    An uncertainty study gives ``values`` (dotted line inputs set before the levers) and
    ``effects`` (lever name -> effect multiple, see :mod:`sim.model.levers`).
    """
    file = str(path)
    raw, marks = read_yaml(file)
    line_ref = raw.get("line")
    if not isinstance(line_ref, str) or not line_ref:
        line, column = _locate(marks, "line")
        raise ConfigError(
            "required key 'line' (path of the line YAML, relative to this file)",
            file=file,
            path="line",
            line=line,
            column=column,
        )
    line_file = _referenced(file, line_ref, marks, "line")
    if not os.path.exists(line_file):
        line, column = _locate(marks, "line")
        raise ConfigError(
            f"line file {line_file} not found; the path is relative to this file",
            file=file,
            path="line",
            line=line,
            column=column,
        )
    line_data, line_marks = read_yaml(line_file)
    if values:
        line_data = apply_overrides(line_data, values, file=line_file)
    unit = _time_unit(line_data, line_file, line_marks)
    try:
        spec = ScenarioFile.model_validate(raw, context={"time_unit": unit})
    except ValidationError as exc:
        raise _validation_errors(exc, ScenarioFile, raw, file, marks, {}) from None

    set_overrides = {str(k): v for k, v in spec.set.items()}
    cli_overrides = dict(overrides or {})
    chosen = list(spec.levers if levers is None else levers)
    line_data, lever_info, lever_origins = _apply_levers(
        line_data, spec, chosen, file, marks, unit, effects or {}
    )
    origins: Origins = dict(lever_origins)
    origins.update({k: (file, marks.get(("set", k)), "set.") for k in set_overrides})
    origins.update({k: (None, None, "") for k in cli_overrides})
    try:
        data = apply_overrides(line_data, set_overrides, file=file)
    except ConfigError as error:
        key = next((k for k in set_overrides if k == error.path), error.path)
        error.line, error.column = marks.get(("set", key), (None, None))
        error.path = f"set.{error.path}"
        raise
    data = apply_overrides(data, cli_overrides)
    line_model = _build_line(data, line_file, line_marks, origins)

    def _cli_time(value: float | str | None, default: float, flag: str) -> float:
        if value is None:
            return default
        try:
            resolved = parse_duration(value, unit)
        except ValueError as exc:
            raise ConfigError(f"--{flag}: {exc}") from None
        if resolved < 0 or (flag == "horizon" and resolved == 0):
            raise ConfigError(f"--{flag} must be {'> 0' if flag == 'horizon' else '>= 0'}")
        return resolved

    if replications is not None and replications < 1:
        raise ConfigError("--replications must be >= 1")
    if seed is not None and seed < 0:
        raise ConfigError("--seed must be >= 0")
    return Scenario(
        name=spec.name or Path(file).stem,
        line=line_model,
        horizon=_cli_time(horizon, spec.horizon, "horizon"),
        warmup=_cli_time(warmup, spec.warmup, "warmup"),
        replications=replications if replications is not None else spec.replications,
        seed=seed if seed is not None else spec.seed,
        source=file,
        overrides={**set_overrides, **cli_overrides},
        levers=tuple(chosen),
        lever_info=lever_info,
        all_levers=tuple(spec.levers),
    )


def _apply_levers(
    data: dict[str, Any],
    spec: ScenarioFile,
    chosen: list[str],
    file: str,
    marks: Marks,
    unit: str,
    effects: dict[str, float],
) -> tuple[dict[str, Any], dict[str, dict[str, str]], Origins]:
    """Apply the chosen levers of the scenario's lever file to raw line data.

    Returns the data, each lever's description and source, and for every value a lever
    wrote the lever file and line that wrote it (errors in it are blamed there).
    """
    if not chosen:
        return data, {}, {}
    if spec.lever_file is None:
        line, column = _locate(marks, "levers")
        raise ConfigError(
            "levers need lever_file: the YAML that defines them",
            file=file,
            path="levers",
            line=line,
            column=column,
        )
    lever_path = _referenced(file, spec.lever_file, marks, "lever_file")
    raw, lever_marks = read_yaml(lever_path)
    try:
        library = LeverFile.model_validate(raw, context={"time_unit": unit})
    except ValidationError as exc:
        raise _validation_errors(exc, LeverFile, raw, lever_path, lever_marks, {}) from None
    info = {}
    origins: Origins = {}
    for index, name in enumerate(chosen):
        lever = library.levers.get(name)
        if lever is None:
            line, column = marks.get(("levers", index), (None, None))
            known = ", ".join(library.levers)
            raise ConfigError(
                f"no lever {name!r} in {lever_path} (known: {known})",
                file=file,
                path=f"levers[{index}]",
                line=line,
                column=column,
            )
        try:
            data, touched = apply_lever(data, name, lever, lever_path, unit, effects.get(name, 1.0))
        except ConfigError as error:
            error.line, error.column = _locate(
                lever_marks, error.path.replace("[", ".").replace("]", "").rsplit(".path", 1)[0]
            )
            raise
        for dotted, change in touched:
            origins[dotted] = (
                lever_path,
                lever_marks.get(("levers", name, "changes", change)),
                f"levers.{name}.changes[{change}].path",
            )
        info[name] = {"description": lever.description, "source": lever.source}
    return data, info, origins
