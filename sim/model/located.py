"""Pydantic's validation errors as linesim errors: a dotted YAML path, file:line:col and a
message that says what is allowed.

Pydantic reports each error at a ``loc``: field names, list indexes, and for a member of a
discriminated union the member's tag (``dist`` value such as ``gamma``, or a ``Tag`` such
as ``range``). :func:`follow` walks that ``loc`` through the model's annotations, taking
the union member pydantic names there instead of guessing one from the data, and through
the data, naming list items by their ``name`` (``stations.press`` rather than
``stations.0``).
"""

from __future__ import annotations

import types
import typing
from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, Discriminator, Tag, ValidationError
from pydantic.fields import FieldInfo

from sim.errors import ConfigError, ConfigErrors

__all__ = ["Loc", "Marks", "follow", "message", "position", "validate_located"]

Loc = tuple[str | int, ...]
Marks = dict[Loc, tuple[int, int]]
"""YAML path (keys, indexes and list-item names) -> 1-based (line, column)."""


def _strip(annotation: Any) -> tuple[Any, Any]:
    """Return the bare type under Annotated/Optional and the union discriminator found."""
    discriminator: Any = None
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            base, *metadata = typing.get_args(annotation)
            for item in metadata:
                if isinstance(item, FieldInfo) and item.discriminator is not None:
                    discriminator = item.discriminator
                elif isinstance(item, Discriminator):
                    discriminator = item
            annotation = base
        elif origin in (typing.Union, types.UnionType):
            members = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(members) == 1:
                annotation = members[0]
            else:
                return annotation, discriminator
        else:
            return annotation, discriminator


def _tagged(annotation: Any, discriminator: Any, segment: str | int) -> Any:
    """The member of a discriminated union whose tag is ``segment``, else ``None``."""
    if discriminator is None or typing.get_origin(annotation) not in (
        typing.Union,
        types.UnionType,
    ):
        return None
    for member in typing.get_args(annotation):
        tags: list[Any] = []
        if typing.get_origin(member) is typing.Annotated:
            tags = [m.tag for m in typing.get_args(member)[1:] if isinstance(m, Tag)]
            member = typing.get_args(member)[0]
        if (
            not tags
            and isinstance(discriminator, str)
            and isinstance(member, type)
            and issubclass(member, BaseModel)
        ):
            field = member.model_fields.get(discriminator)
            tags = list(typing.get_args(field.annotation)) if field is not None else []
        if segment in tags:
            return member
    return None


def _field(model: type[BaseModel], key: str | int) -> Any:
    for name, field in model.model_fields.items():
        if key in (name, field.alias):
            return field.annotation
    return None


def follow(root: Any, loc: Loc, data: Any, below: Loc = ()) -> tuple[Loc, Any]:
    """Return the YAML path of pydantic's ``loc`` (tags dropped, list items by name),
    followed by ``below`` (a path of keys a model's own check named), and the type
    validated there (a model class, to list its keys, or ``None``)."""
    annotation: Any = root
    node = data
    parts: list[str | int] = []
    for index, segment in enumerate((*loc, *below)):
        annotation, discriminator = _strip(annotation)
        member = _tagged(annotation, discriminator, segment) if index < len(loc) else None
        if member is not None:  # pydantic names the union member it chose by its tag
            annotation = member
            continue
        if index >= len(loc):  # a data path: resolve a union by its key
            annotation = _tagged(annotation, discriminator, segment) or annotation
        if node is not None and not isinstance(node, dict | list) and parts:
            return tuple(parts), None  # a shorthand (a bare number): blame what was written
        origin = typing.get_origin(annotation)
        args = typing.get_args(annotation)
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            annotation = _field(annotation, segment)
        elif origin in (dict, Mapping) and len(args) == 2:
            annotation = args[1]
        elif origin in (list, tuple) and args:
            annotation = args[0]
        else:
            annotation = None
        if isinstance(node, list) and isinstance(segment, int) and segment < len(node):
            item = node[segment]
            name = item.get("name") if isinstance(item, dict) else None
            parts.append(name if isinstance(name, str) and name else segment)
            node = item
            continue
        parts.append(segment)
        node = node.get(segment) if isinstance(node, dict) else None
    return tuple(parts), _strip(annotation)[0]


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else f"{text[:25]}...{text[-10:]} ({len(text)} characters)"


def message(error: Mapping[str, Any], root: Any, data: Any) -> str:
    """The message of one pydantic error: unknown keys with the allowed ones and a
    suggestion, missing keys, and otherwise pydantic's words with the value given."""
    kind = error["type"]
    loc = tuple(error["loc"])
    if kind == "extra_forbidden":
        _path, model = follow(root, loc[:-1], data)
        key = str(loc[-1])
        if isinstance(model, type) and issubclass(model, BaseModel):
            import difflib  # only for a wrong key: valid files do not load it

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
    text = str(error["msg"]).removeprefix("Value error, ")
    if "input" in error and kind not in ("model_type", "dict_type"):
        value = error["input"]
        if not isinstance(value, dict | list) and repr(value) not in text:
            text += f" (got {_shown(value)})"
    return text


def error_loc(error: Mapping[str, Any]) -> tuple[Loc, Loc]:
    """Pydantic's ``loc`` and the path below it that a model's own check named in ``ctx``."""
    below = (error.get("ctx") or {}).get("path")
    return tuple(error["loc"]), tuple(below) if isinstance(below, tuple) else ()


def position(marks: Marks, parts: Loc) -> tuple[int | None, int | None]:
    """The (line, column) of the deepest prefix of ``parts`` found in ``marks``."""
    for end in range(len(parts), -1, -1):
        mark = marks.get(tuple(parts[:end]))
        if mark is not None:
            return mark
    return None, None


M = TypeVar("M", bound=BaseModel)


def validate_located(
    model: type[M], data: Any, file: str, marks: Marks, context: dict[str, Any] | None = None
) -> M:
    """Validate ``data`` read from ``file``; every error is raised as a ConfigError at
    file:line:col with its dotted YAML path (keys with dots kept whole)."""
    try:
        return model.model_validate(data, context=context)
    except ValidationError as exc:
        errors = []
        for error in exc.errors(include_url=False):
            loc, below = error_loc(error)
            parts, _model = follow(model, loc, data, below)
            line, column = position(marks, parts)
            errors.append(
                ConfigError(
                    message(error, model, data),
                    file=file,
                    path=".".join(str(p) for p in parts),
                    line=line,
                    column=column,
                )
            )
        raise (errors[0] if len(errors) == 1 else ConfigErrors(errors)) from None
