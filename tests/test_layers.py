"""Imports go down the layers (README's layout, docs/design.md): model -> engine ->
analysis -> experiment -> report -> api -> cli. The command line parses, calls sim.api
and prints, so it imports nothing of the engine or the experiment layer; no layer imports
one above it (the analysis reads the experiment's results through the protocols of
sim.analysis.runs). Checked on the source, function-local and type-only imports
included."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SIM = Path(__file__).resolve().parent.parent / "sim"

FORBIDDEN = {
    "cli": ("sim.engine", "sim.experiment"),
    "model": ("sim.engine", "sim.experiment", "sim.analysis", "sim.report", "sim.api", "sim.cli"),
    "engine": ("sim.experiment", "sim.analysis", "sim.report", "sim.api", "sim.cli"),
    "analysis": ("sim.experiment", "sim.report", "sim.api", "sim.cli"),
    "experiment": ("sim.report", "sim.api", "sim.cli"),
    "report": ("sim.api", "sim.cli"),
    "api": ("sim.cli",),
    # calibration from MES logs stands beside sim.api: it uses the layers below and the
    # command line calls it; it never reaches up into either
    "fit": ("sim.api", "sim.cli"),
}


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
        elif isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
    return names


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_a_layer_imports_nothing_above_it(layer: str) -> None:
    found = [
        f"{path.relative_to(SIM.parent)} imports {name}"
        for path in sorted((SIM / layer).rglob("*.py"))
        for name in _imports(path)
        if name.startswith(FORBIDDEN[layer])
    ]
    assert found == []
