"""JSON Schemas of every kind of file a user writes, for editors that complete and check YAML.

The schemas are pydantic's validation schemas of the models registered in
:mod:`sim.model.file_kinds` (line, scenario, sweep, tune, lever library), widened where
the loader reads more than the
model's Python type: durations also as strings with a unit (``"45 s"``), distributions
also as a bare number or duration (a constant), speeds also as ``"40 m/min"``. What the
schema cannot see (names that must match, buffers that must hold a batch) is left to
``linesim validate``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import core_schema

from sim.model.distributions import _shorthand
from sim.model.file_kinds import FILE_KINDS
from sim.model.line import _unit_spelling
from sim.model.station import _rate
from sim.model.units import _ALIASES, SECONDS_PER, duration_validator
from sim.out_folder import writable_folder

__all__ = ["SCHEMA_FILES", "schemas", "write_schemas"]

SCHEMA_FILES = {name: kind.schema_file for name, kind in FILE_KINDS.items()}
"""Kind of file -> name of its schema file (at import; :func:`schemas` reads the registry)."""

_DIALECT = "https://json-schema.org/draft/2020-12/schema"
_NUMBER = r"[+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?"


def _any_case(word: str) -> str:
    return "".join(f"[{c.lower()}{c.upper()}]" if c.isalpha() else c for c in word)


_UNITS = "|".join(_any_case(alias) for alias in sorted(_ALIASES, key=len, reverse=True))
DURATION_STRING: dict[str, Any] = {
    "type": "string",
    "pattern": rf"^\s*{_NUMBER}\s*(?:{_UNITS})?\s*$",
    "description": "a time with its unit, e.g. '45 s', '2.5 min', '20 h', '12 d', '1 w'",
}
"""A duration written as a string (the loader converts it into the line's time unit)."""
RATE_STRING: dict[str, Any] = {
    "type": "string",
    "pattern": rf"^\s*{_NUMBER}\s*(?:[A-Za-z%]*\s*/\s*[A-Za-z]+|ppm)\s*$",
    "description": "a speed, e.g. '40 m/min', '8 /min' or '8 ppm'",
}
"""A speed written as a string."""
_JSON_BOUNDS = {
    "gt": "exclusiveMinimum",
    "ge": "minimum",
    "lt": "exclusiveMaximum",
    "le": "maximum",
}


class _Schema(GenerateJsonSchema):
    """Pydantic's schema generator, knowing what linesim's before-validators accept."""

    def emit_warning(self, kind: Any, detail: str) -> None:
        if kind == "non-serializable-default":
            return  # a sentinel default (a lever change's "set" absent, not null): no default
        super().emit_warning(kind, detail)

    def function_before_schema(
        self, schema: core_schema.BeforeValidatorFunctionSchema
    ) -> JsonSchemaValue:
        inner = self.generate_inner(schema["schema"])
        function = schema["function"]["function"]
        if function is duration_validator:
            return {"anyOf": [inner, DURATION_STRING]}
        if function is _rate:
            return {"anyOf": [inner, RATE_STRING]}
        if function is _unit_spelling:
            spellings = sorted(a for a, unit in _ALIASES.items() if unit in SECONDS_PER)
            return {"anyOf": [inner, {"enum": spellings}]}
        if function is _shorthand:
            constant = {
                "type": "number",
                "exclusiveMinimum": 0,
                "description": "a constant time [line time unit]",
            }
            return {"anyOf": [constant, DURATION_STRING, inner]}
        return super().function_before_schema(schema)


def _tidy(node: Any, defs: dict[str, Any]) -> None:
    """Turn leftover pydantic bounds into JSON Schema keywords; make each discriminated
    union member require its tag (the loader needs ``dist:`` in a mapping)."""
    if isinstance(node, list):
        for item in node:
            _tidy(item, defs)
        return
    if not isinstance(node, dict):
        return
    for bound, keyword in _JSON_BOUNDS.items():
        if bound not in node:
            continue
        value = node.pop(bound)
        numbers = (
            [node]
            if node.get("type") in ("number", "integer")
            else [
                member
                for member in node.get("anyOf", [])
                if isinstance(member, dict) and member.get("type") in ("number", "integer")
            ]
        )
        for number in numbers:
            number[keyword] = value
    discriminator = node.get("discriminator")
    if isinstance(discriminator, dict):
        tag = discriminator.get("propertyName")
        for reference in (discriminator.get("mapping") or {}).values():
            member = defs.get(str(reference).rsplit("/", 1)[-1])
            if member is not None and tag not in member.setdefault("required", []):
                member["required"].append(tag)
    for value in node.values():
        _tidy(value, defs)


def _schema(model: type[BaseModel], title: str) -> dict[str, Any]:
    schema = model.model_json_schema(mode="validation", schema_generator=_Schema)
    _tidy(schema, schema.get("$defs", {}))
    return {
        "$schema": _DIALECT,
        "title": title,
        **{k: v for k, v in schema.items() if k != "title"},
    }


def schemas() -> dict[str, dict[str, Any]]:
    """Return the JSON Schema of each kind of file: ``{"line": ..., "scenario": ...}``."""
    return {name: _schema(kind.model, kind.title) for name, kind in FILE_KINDS.items()}


def write_schemas(out_dir: str | os.PathLike[str] = ".") -> list[Path]:
    """Write ``<kind>.schema.json`` of every kind of file (line, scenario, sweep, tune,
    levers) into ``out_dir`` (created if missing, each file written atomically); return
    their paths."""
    from sim.atomic import write_text

    folder = writable_folder(out_dir, before="writing the schemas")
    written = []
    for name, schema in schemas().items():
        path = folder / FILE_KINDS[name].schema_file
        write_text(path, json.dumps(schema, indent=2) + "\n")
        written.append(path)
    return written
