"""YAML to validated models, with every error located by file, line and dotted path."""

from __future__ import annotations

import copy
import os
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from sim.errors import ConfigError, ConfigErrors
from sim.model.checks import check_line
from sim.model.line import Line
from sim.model.located import Marks, error_loc, follow, message
from sim.model.numbers import MAX_DIGITS, MAX_MAGNITUDE
from sim.model.overrides import apply_overrides
from sim.model.scenario import Scenario, ScenarioFile
from sim.model.serial import as_general
from sim.model.uncertainty import uncertain_errors
from sim.model.units import canonical_time_unit
from sim.model.yaml_nodes import compose_and_construct

__all__ = ["load_line", "load_scenario", "project_folder", "read_yaml"]

MAX_FILE_BYTES = 5_000_000
"""Largest YAML file read [bytes]; a line definition is a few kB."""
MAX_NODES = 200_000
"""Most YAML nodes in one document, aliases expanded [-]."""
MAX_DEPTH = 50
"""Deepest nesting of mappings and lists in a document [-]; a line needs under 10."""

_INT_TAG = "tag:yaml.org,2002:int"
_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"

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
        known = _READ.get((file, text))
        if known is not None:  # the same file read again (an attribution's lever sets)
            _READ.move_to_end((file, text))
            return copy.deepcopy(known[0]), dict(known[1])
        marks: Marks = {}
        # numbers are checked (in the marks' walk) before Python builds them
        data = compose_and_construct(text, lambda node: _collect_marks(node, (), marks, file))
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
    _READ[(file, text)] = (copy.deepcopy(data), dict(marks))
    while len(_READ) > _READ_KEPT:
        _READ.popitem(last=False)
    return data, marks


_READ: OrderedDict[tuple[str, str], tuple[dict[str, Any], Marks]] = OrderedDict()
"""Files read, by path and whole text (so an edited file is read again), newest last."""
_READ_KEPT = 16
"""Most files kept in :data:`_READ` [-]."""


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
    if isinstance(node, yaml.ScalarNode) and node.tag == _INT_TAG:
        digits = len(node.value.lstrip("+-"))
        if digits > MAX_DIGITS:
            raise ConfigError(
                f"a {digits}-digit number is out of range: numbers are at "
                f"most {MAX_MAGNITUDE:.2g} in size",
                file=file,
                path=".".join(str(p) for p in path),
                line=node.start_mark.line + 1,
                column=node.start_mark.column + 1,
            )
    if isinstance(node, yaml.ScalarNode) and node.tag == _TIMESTAMP_TAG:
        try:  # PyYAML would raise a bare ValueError building 2026-13-45
            yaml.constructor.SafeConstructor().construct_yaml_timestamp(node)
        except ValueError as exc:
            raise ConfigError(
                f"{node.value!r} is not a date that exists ({exc}); quote it if it is text",
                file=file,
                path=".".join(str(p) for p in path),
                line=node.start_mark.line + 1,
                column=node.start_mark.column + 1,
            ) from None
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
        loc, below = error_loc(error)
        parts, _model = follow(root, loc, data, below)
        dotted = ".".join(str(part) for part in parts)
        errors.append(
            _located(ConfigError(message(error, root, data), path=dotted), file, marks, origins)
        )
    return ConfigErrors(errors)


def _located(error: ConfigError, file: str, marks: Marks, origins: Origins) -> ConfigError:
    """Fill in file, line and column: an overridden value is blamed on its override (one
    that wrote it or a mapping above it, else one that made the mapping it lies in)."""
    written = [o for o in origins if error.path == o or error.path.startswith(o + ".")]
    made = [o for o in origins if _created_by(o, error.path, marks)]
    blamed = (*written, *made)
    if blamed:
        origin_file, mark, prefix = origins[blamed[0]]
        error.file = origin_file
        error.line, error.column = mark if mark else (None, None)
        if prefix.startswith("levers."):  # a lever wrote the value: point at its change
            error.message = f"{error.path} (written by this change): {error.message}"
            error.path = prefix
        else:
            error.path = prefix + error.path
        return error
    below = [k for k in origins if error.path and k.startswith(error.path + ".")]
    if below:  # the file's value and overrides below it disagree: name them
        named = [
            f"{origins[k][2]}{k} set in {origins[k][0]}"
            if origins[k][0]
            else f"{origins[k][2]}{k} on the command line"
            for k in below
        ]
        error.message += f" (with {'; '.join(named)})"
    error.file = file
    error.line, error.column = _locate(marks, error.path)
    return error


def _parts(dotted: str) -> list[str | int]:
    return [
        int(part) if part.isdigit() else part
        for part in dotted.replace("[", ".").replace("]", "").split(".")
    ]


def _created_by(override: str, dotted: str, marks: Marks) -> bool:
    """Whether the mapping holding the value at ``dotted`` is not in the file but was made
    by ``override`` (``--set stations.a.failures.mtbf=5`` where ``a`` has no failures:
    the missing ``mttr`` is the override's doing, not the file's)."""
    parts, made = _parts(dotted), _parts(override)
    known = max((k for k in range(len(parts) + 1) if tuple(parts[:k]) in marks), default=0)
    return (
        known < len(parts) - 1 and len(made) > known + 1 and made[: known + 1] == parts[: known + 1]
    )


def _time_unit(data: dict[str, Any], file: str, marks: Marks) -> str:
    try:
        return canonical_time_unit(data.get("time_unit", "h"))
    except ValueError as exc:  # a list or mapping too
        line, column = _locate(marks, "time_unit")
        raise ConfigError(str(exc), file=file, path="time_unit", line=line, column=column) from None


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
    return as_general(line)  # checked as written; run, measured and shown in one form


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
    try:
        if "\0" in ref:
            raise ValueError("a path cannot hold a NUL character")
        resolved = target.resolve()
    except (OSError, RuntimeError, ValueError) as error:  # NUL, a symlink loop
        line, column = _locate(marks, key)
        reason = "a symlink loop" if isinstance(error, RuntimeError) else str(error)
        raise ConfigError(
            f"{ref!r} cannot be used as a path: {reason}",
            file=file,
            path=key,
            line=line,
            column=column,
        ) from None
    if not Path(ref).is_absolute():
        project = project_folder(file)
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
            f"line file {line_file if line_file.isprintable() else repr(line_file)} not "
            "found; the path is relative to this file",
            file=file,
            path="line",
            line=line,
            column=column,
        )
    line_data, line_marks = read_yaml(line_file)
    if values:
        line_data = apply_overrides(line_data, values, file=line_file)
    unit = _time_unit(line_data, line_file, line_marks)
    given = {"replications": replications, "seed": seed, "horizon": horizon, "warmup": warmup}
    options = {key: value for key, value in given.items() if value is not None}
    context = {"time_unit": unit}
    try:  # the file as written first: an option does not hide the file's own errors
        ScenarioFile.model_validate(raw, context=context)
    except ValidationError as exc:
        raise _validation_errors(exc, ScenarioFile, raw, file, marks, {}) from None
    try:  # command-line settings meet the same bounds as the file's
        spec = ScenarioFile.model_validate({**raw, **options}, context=context)
    except ValidationError as exc:
        flags: Origins = {key: (None, None, "--") for key in options}
        merged = {**raw, **options}
        raise _validation_errors(exc, ScenarioFile, merged, file, marks, flags) from None

    set_overrides = {str(k): v for k, v in spec.set.items()}
    cli_overrides = dict(overrides or {})
    chosen = list(spec.levers if levers is None else levers)
    if spec.products is not None:  # the line's mix, before the levers that act on it
        line_data = {**line_data, "products": copy.deepcopy(raw["products"])}
    line_data, lever_info, lever_origins = _apply_levers(
        line_data, spec, chosen, file, marks, unit, effects or {}
    )
    if spec.demand is not None:  # the scenario's demand replaces any of the line file
        line_data = {**line_data, "demand": copy.deepcopy(raw["demand"])}
    origins: Origins = dict(lever_origins)
    if spec.products is not None:  # errors in the mix are the scenario's (located below)
        origins["products"] = (file, None, "")
    origins.update({k: (file, marks.get(("set", k)), "set.") for k in set_overrides})
    origins.update({k: (None, None, "") for k in cli_overrides})
    if spec.demand is not None:  # after the overrides: a value they set is theirs
        for key, origin in _demand_origins(file, marks).items():
            origins.setdefault(key, origin)
    try:
        data = apply_overrides(line_data, set_overrides, file=file)
    except ConfigError as error:
        key = next((k for k in set_overrides if k == error.path), error.path)
        error.line, error.column = marks.get(("set", key), (None, None))
        error.path = f"set.{error.path}"
        raise
    data = apply_overrides(data, cli_overrides)
    try:
        line_model = _build_line(data, line_file, line_marks, origins)
    except (ConfigError, ConfigErrors) as exc:
        if spec.products is not None:
            _locate_in(exc, file, marks, "products")
        raise

    return Scenario(
        name=spec.name or Path(file).stem,
        line=line_model,
        horizon=spec.horizon,
        warmup=spec.warmup,
        replications=spec.replications,
        seed=spec.seed,
        source=file,
        overrides={**set_overrides, **cli_overrides},
        levers=tuple(chosen),
        lever_info=lever_info,
        precision=spec.precision if replications is None else None,
    )


def _locate_in(exc: ConfigError | ConfigErrors, file: str, marks: Marks, key: str) -> None:
    """Give the errors under ``key`` that a scenario wrote (their file is the scenario)
    the line and column of their path in it."""
    for error in exc.errors if isinstance(exc, ConfigErrors) else [exc]:
        path = error.path or ""
        if error.file == file and (path == key or path.startswith(key + ".")):
            error.line, error.column = _locate(marks, path)


def _demand_origins(file: str, marks: Marks) -> Origins:
    """Every key of the scenario's ``demand:`` block, deepest first, so that an error in
    the demand (checked against the line) is located at its own key in the scenario."""
    keys = [path for path in marks if path and path[0] == "demand"]
    keys.sort(key=len, reverse=True)
    return {".".join(str(p) for p in path): (file, marks[path], "") for path in keys}


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
    from sim.model.levers import LeverFile, apply_lever  # its models are built when used

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
