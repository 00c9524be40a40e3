"""The YAML reference page (``docs/yaml-reference.md``), generated from the files' JSON
Schemas (:mod:`sim.model.schema_export`), so the documentation cannot drift from what
the loader reads: every key of every kind of file, its type, default and description
(units in brackets, as the models' fields give them).

``python -m sim.model.schema_reference docs/yaml-reference.md`` rewrites the page; a test
checks that the committed page is what this module writes.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from sim.atomic import write_text
from sim.model.schema_export import schemas

__all__ = ["reference_markdown"]

_TITLES = {
    "line": "Line files (`configs/*.yaml`)",
    "scenario": "Scenario files (`scenarios/*.yaml`)",
    "comparison": "Comparison files (`compare:`, `claim:`, `uncertainty:`)",
    "sweep": "Sweep files",
    "tune": "Tune files",
    "levers": "Lever libraries (`configs/levers_*.yaml`)",
}
_DISTRIBUTIONS = {
    "Constant",
    "Exponential",
    "Normal",
    "Lognormal",
    "Gamma",
    "Weibull",
    "Triangular",
    "Uniform",
    "Empirical",
}
"""Definitions that are one of the process-time distributions, documented once."""


def _ref(node: dict[str, Any]) -> str | None:
    ref = node.get("$ref")
    return ref.rsplit("/", 1)[-1] if isinstance(ref, str) else None


def _type(node: dict[str, Any]) -> str:
    """A short type for a schema node: number, duration, distribution, list of X..."""
    ref = _ref(node)
    if ref is not None:
        return "distribution" if ref in _DISTRIBUTIONS else f"mapping ({ref})"
    options = node.get("anyOf") or node.get("oneOf")
    if options:
        nested = [n for o in options for n in (o.get("oneOf") or o.get("anyOf") or [])]
        refs = {_ref(o) for o in [*options, *nested]}
        if refs & _DISTRIBUTIONS:
            return "distribution"
        real = [o for o in options if o.get("type") != "null"]
        if real and all("enum" in o for o in real):
            return _type(real[0]) + " (or a spelling of one)" if len(real) > 1 else _type(real[0])
        kinds = [_type(o) for o in real]
        if "duration" in kinds:
            return "duration"
        return " or ".join(dict.fromkeys(kinds)) or "any"
    if "enum" in node:
        return "one of " + ", ".join(f"`{v}`" for v in node["enum"])
    if "const" in node:
        return f"`{node['const']}`"
    kind = node.get("type")
    if kind == "array":
        return f"list of {_type(node.get('items', {}))}"
    if kind == "object":
        extra = _values(node)
        if extra:
            return f"mapping of name to {_type(extra)}"
        return "mapping"
    if kind == "string" and "pattern" in node:
        if _is_duration(node):
            return "duration"
        return "speed with its unit" if "/" in str(node["pattern"]) else "name"
    return str(kind or "any")


def _is_duration(node: dict[str, Any]) -> bool:
    """A string node that reads a time with its unit (its pattern names the units)."""
    pattern = str(node.get("pattern", ""))
    return "[hH]" in pattern and "[sS]" in pattern


def _values(node: dict[str, Any]) -> dict[str, Any] | None:
    """The schema of a mapping's values (additional or pattern properties), if any."""
    extra = node.get("additionalProperties")
    if isinstance(extra, dict) and extra:
        return extra
    patterns = node.get("patternProperties")
    if isinstance(patterns, dict) and len(patterns) == 1:
        value = next(iter(patterns.values()))
        return value if isinstance(value, dict) else None
    return None


def _children(node: dict[str, Any], defs: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
    """The object a key's value holds keys of, and the path suffix to reach them."""
    for option in [node, *(node.get("anyOf") or [])]:
        ref = _ref(option)
        if ref is not None and ref not in _DISTRIBUTIONS:
            return "", defs[ref] | {"_name": ref}
        if option.get("type") == "array" and _ref(option.get("items", {})):
            name = _ref(option["items"])
            if name not in _DISTRIBUTIONS:
                return "[]", defs[str(name)] | {"_name": name}
        extra = _values(option) if option.get("type") == "object" else None
        if extra is not None and _ref(extra):
            name = _ref(extra)
            if name not in _DISTRIBUTIONS:
                return ".<name>", defs[str(name)] | {"_name": name}
    return None


def _cell(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _rows(
    model: dict[str, Any], defs: dict[str, Any], prefix: str, chain: tuple[str, ...]
) -> list[str]:
    required = set(model.get("required", []))
    rows = []
    for key, node in model.get("properties", {}).items():
        path = f"{prefix}{key}"
        default = node.get("default", "required" if key in required else "-")
        shown = "required" if default == "required" else f"`{json.dumps(default)}`"
        if default == "-":
            shown = "-"
        rows.append(
            f"| `{path}` | {_cell(_type(node))} | {_cell(shown)} | "
            f"{_cell(node.get('description', ''))} |"
        )
        inner = _children(node, defs)
        if inner is not None and inner[1]["_name"] not in chain:
            suffix, child = inner
            rows += _rows(child, defs, f"{path}{suffix}.", (*chain, str(child["_name"])))
    return rows


def _table(model: dict[str, Any], defs: dict[str, Any], chain: tuple[str, ...]) -> list[str]:
    return [
        "| key | type | default | what it is [unit] |",
        "|---|---|---|---|",
        *_rows(model, defs, "", chain),
    ]


def reference_markdown() -> str:
    """The whole reference page."""
    parts = [
        "# YAML reference",
        "",
        "Every key of every kind of file linesim reads, generated from the files' JSON",
        "Schemas (`linesim schema` writes them for editors), so it is what the loader reads.",
        "Units are in brackets; a bare time number is in the line's `time_unit`; a",
        '`duration` is a number or a string with its unit (`"45 s"`, `"20 h"`); a',
        "`distribution` is a number (a constant), a duration, or one of the mappings under",
        "[Distributions](#distributions). `[]` marks a list item, `<name>` a key you choose.",
        "Regenerate with `python -m sim.model.schema_reference docs/yaml-reference.md`.",
        "",
    ]
    all_schemas = schemas()
    distributions: dict[str, Any] = {}
    for kind, schema in all_schemas.items():
        defs = schema.get("$defs", {})
        distributions.update({k: v for k, v in defs.items() if k in _DISTRIBUTIONS})
        parts += [f"## {_TITLES.get(kind, kind)}", ""]
        if schema.get("description"):
            parts += [_cell(schema["description"]), ""]
        parts += [*_table(schema, defs, (str(schema.get("title", kind)),)), ""]
    parts += ["## Distributions", ""]
    for name in sorted(distributions):
        node = distributions[name]
        parts += [f"### {name}", "", _cell(node.get("description", "")), ""]
        parts += [*_table(node, {}, (name,)), ""]
    return "\n".join(parts).rstrip("\n") + "\n"


if __name__ == "__main__":
    if len(sys.argv) > 2 or (len(sys.argv) == 2 and sys.argv[1].startswith("-")):
        sys.exit("usage: python -m sim.model.schema_reference [PAGE.md] (docs/yaml-reference.md)")
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("docs/yaml-reference.md")
    write_text(target, reference_markdown())
    print(f"wrote {target}")
