"""libyaml's fast path reads exactly what PyYAML's pure-Python loader reads, marks included,
and bad text gets PyYAML's own located errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from sim.errors import ConfigError
from sim.model.loader import _collect_marks, read_yaml
from sim.model.located import Marks
from sim.model.yaml_nodes import FAST, compose_and_construct

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = sorted(
    [
        *ROOT.glob("configs/*.yaml"),
        *ROOT.glob("scenarios/**/*.yaml"),
        *ROOT.glob("tests/fuzz_corpus/*.yaml"),
        *ROOT.glob("tests/fixtures/*.yaml"),
    ]
)

needs_libyaml = pytest.mark.skipif(not FAST, reason="PyYAML built without libyaml")


def _read(text: str, fast: bool) -> tuple[str, Any, Marks]:
    """(outcome, data or error text, marks) of one path."""
    marks: Marks = {}
    try:
        data = compose_and_construct(
            text, lambda node: _collect_marks(node, (), marks, "f.yaml"), fast=fast
        )
    except ConfigError as error:
        return "config-error", str(error), marks
    except yaml.YAMLError as error:
        return "yaml-error", str(error), marks
    except RecursionError:
        return "recursion", None, marks
    return "ok", data, marks


@needs_libyaml
@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: str(p.relative_to(ROOT)))
def test_fast_path_reads_shipped_files_as_pyyaml_does(path: Path) -> None:
    """Every shipped and fuzz-corpus YAML gives the same data, marks and errors both ways."""
    text = path.read_text(encoding="utf-8", errors="replace")
    assert _read(text, fast=True) == _read(text, fast=False)


@needs_libyaml
@pytest.mark.parametrize(
    "text",
    [
        "a: 1\nb: [1, 2, {c: 3}]\n",
        "x: \u00e9t\u00e9\n  # comment\ny:\n  - z: 'quoted: yes'\n    w: |\n      block\n",
        "a: &anchor {b: 1}\nc: *anchor\n",
        "a: *missing\n",
        "a: [1, 2\n",
        "a: b: c\n",
        "a: 1\n\tb: 2\n",
        "k\u00e9y: \x1f\n",
        "a: !!python/object:os.system ls\n",
        "a: 2026-12-24\nb: 2026-02-30\n",
        "",
        "# only a comment\n",
        "- 1\n- 2\n",
        "\ufeffa: 1\r\nb: 2\r\n",
        "a: 1\n---\nb: 2\n",
    ],
)
def test_fast_path_matches_pyyaml_on_edge_cases(text: str) -> None:
    """Aliases, non-ASCII columns, control characters, tags, several documents, a BOM."""
    assert _read(text, fast=True) == _read(text, fast=False)


@pytest.mark.parametrize("depth", [1_000, 100_000])
def test_deep_block_sequences_are_refused_not_a_crash(tmp_path: Path, depth: int) -> None:
    """``- - - ... x`` nests one level per two bytes; libyaml's own composer would recurse
    in C and crash on it, ours refuses it with a located error."""
    path = tmp_path / "deep.yaml"
    path.write_text("- " * depth + "x\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="nests deeper than 50 levels"):
        read_yaml(path)


def test_a_date_that_does_not_exist_is_located(tmp_path: Path) -> None:
    """PyYAML raises a bare ValueError building 2026-13-45; the loader locates it instead."""
    path = tmp_path / "line.yaml"
    path.write_text("name: x\nstart: 2026-13-45\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        read_yaml(path)
    error = caught.value
    assert (error.line, error.column, error.path) == (2, 8, "start")
    assert "not a date that exists" in error.message
