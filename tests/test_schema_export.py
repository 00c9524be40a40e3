"""``linesim schema``: JSON Schemas that accept every shipped file and catch typos."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from sim.cli import main
from sim.model.schema_export import schemas

jsonschema = pytest.importorskip("jsonschema")

ROOT = Path(__file__).resolve().parent.parent


class Yaml12Loader(yaml.SafeLoader):
    """PyYAML reads ``4e5`` as a string (YAML 1.1); editors read it as a number (1.2)."""


Yaml12Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)[eE][-+]?[0-9]+$"),
    list("-+0123456789."),
)


def load(path: Path) -> Any:
    return yaml.load(path.read_text(encoding="utf-8"), Yaml12Loader)  # a SafeLoader


def shipped(kind: str) -> list[Path]:
    """Shipped line (``stations:``) or scenario (``line:``) files."""
    key = "stations" if kind == "line" else "line"
    return [
        p
        for d in ("configs", "scenarios")
        for p in sorted((ROOT / d).glob("*.yaml"))
        if key in load(p)
    ]


def errors(kind: str, data: Any) -> list[str]:
    validator = jsonschema.Draft202012Validator(schemas()[kind])
    return [error.message for error in validator.iter_errors(data)]


def test_schema_command_writes_valid_schemas(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Two files, each a valid 2020-12 JSON Schema with the model's top-level keys."""
    assert main(["schema", "--out", str(tmp_path / "schemas")]) == 0
    assert "line.schema.json" in capsys.readouterr().out
    for kind, keys in (
        ("line", {"stations", "release", "materials", "time_unit"}),
        ("scenario", {"line", "horizon", "warmup", "set"}),
    ):
        schema = json.loads((tmp_path / "schemas" / f"{kind}.schema.json").read_text())
        jsonschema.Draft202012Validator.check_schema(schema)
        assert keys <= set(schema["properties"])
        text = json.dumps(schema)
        assert '"gt"' not in text and '"ge"' not in text  # pydantic bounds made JSON Schema


@pytest.mark.parametrize("kind", ["line", "scenario"])
def test_shipped_files_match_the_schema(kind: str) -> None:
    """Every shipped line and scenario passes, durations and speeds as strings included."""
    files = shipped(kind)
    assert files
    for path in files:
        assert errors(kind, load(path)) == [], path


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"bufer": 3}, "'bufer' was unexpected"),
        ({"process_time": "20 parsecs"}, "not valid under any"),
        ({"process_time": {"value": 2}}, "not valid under any"),  # needs dist:
        ({"process_time": -2}, "not valid under any"),
        ({"machines": 0}, "less than the minimum"),
        ({"speed": "fast"}, "not valid under any"),
    ],
)
def test_schema_catches_mistakes(change: dict[str, Any], words: str) -> None:
    """Typos, impossible values and malformed durations fail as the loader would."""
    line = load(ROOT / "configs" / "penny_fab.yaml")
    line["stations"][0].update(change)
    found = errors("line", line)
    assert any(words in message for message in found), found


@pytest.mark.parametrize(
    "value",
    [
        2,
        0.5,
        "45 s",
        "2.5 min",
        "20 h",
        "12 D",
        "1 w",
        "3",
        {"dist": "exponential", "mean": "3 min"},
    ],
)
def test_schema_accepts_what_the_loader_reads(value: Any) -> None:
    """Bare numbers, duration strings in any unit spelling and distributions."""
    line = load(ROOT / "configs" / "penny_fab.yaml")
    line["stations"][0]["process_time"] = value
    line["stations"][1]["failures"] = {
        "mtbf": value if not isinstance(value, dict) else 5,
        "mttr": "30 min",
    }
    assert errors("line", line) == []


def test_the_yaml_reference_page_is_what_the_schemas_give() -> None:
    """docs/yaml-reference.md is generated from the schemas; a model change that is not
    regenerated fails here (run python -m sim.model.schema_reference)."""
    from sim.model.schema_reference import reference_markdown

    page = Path(__file__).resolve().parent.parent / "docs" / "yaml-reference.md"
    assert page.read_text(encoding="utf-8") == reference_markdown(), (
        "docs/yaml-reference.md is stale: run python -m sim.model.schema_reference "
        "docs/yaml-reference.md"
    )
