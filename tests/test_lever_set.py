"""The smart lever set of the reference line counts no effect twice and charges what it buys.

Each lever's changes are applied to the raw before line with ``apply_lever``, which
reports the concrete dotted paths each change touched (``*`` expanded over stations). The
known answers are the rules written at the top of ``configs/levers_prismatic.yaml``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from sim.model.levers import LeverFile, apply_lever

ROOT = Path(__file__).resolve().parent.parent
LINE = ROOT / "configs" / "prismatic_lfp_300mah.yaml"
LEVERS = ROOT / "configs" / "levers_prismatic.yaml"
MIX = ROOT / "scenarios" / "product_mix.yaml"

SHARED_COUNTS = {"costs.indirect_staff"}
"""Head counts several levers may add to: each adds or removes its own group of people
(reliability engineers, logistics staff, planners), so the adds do not overlap."""


def lever_file() -> LeverFile:
    """The lever library as validated."""
    return LeverFile.model_validate(yaml.safe_load(LEVERS.read_text(encoding="utf-8")))


def effect_paths() -> dict[str, set[str]]:
    """Lever name -> the concrete paths its effect changes (not its cost changes) touch,
    on the before line with the product mix of scenarios/product_mix.yaml (which the
    levers acting on a mix need; the others do not see it)."""
    line = yaml.safe_load(LINE.read_text(encoding="utf-8"))
    line["products"] = yaml.safe_load(MIX.read_text(encoding="utf-8"))["products"]
    paths: dict[str, set[str]] = {}
    for name, lever in lever_file().levers.items():
        _, touched = apply_lever(line, name, lever, str(LEVERS), "h")
        paths[name] = {
            dotted for dotted, index in touched if not lever.changes[index].cost
        } - SHARED_COUNTS
    return paths


def test_no_parameter_is_moved_by_two_levers() -> None:
    """Known answer: the levers' effect paths are pairwise disjoint (head counts aside),
    so no published effect enters twice; in particular labour automation's operators and
    automated logistics' handlers are different stations."""
    paths = effect_paths()
    names = sorted(paths)
    for i, first in enumerate(names):
        for second in names[i + 1 :]:
            common = paths[first] & paths[second]
            assert not common, (first, second, sorted(common))
    operators = {p for p in paths["labour-automation"] if p.endswith(".operators")}
    handlers = {p for p in paths["automated-logistics"] if p.endswith(".operators")}
    assert operators and handlers and not operators & handlers


@pytest.mark.parametrize("name", sorted(lever_file().levers))
def test_each_lever_is_sourced_ranged_and_charged(name: str) -> None:
    """Known answer: every lever names its evidence (S, S2 or E), has an effect range
    with its own source, and every plant investment or added staff it brings is marked
    ``cost: true`` so an effect range never scales what it costs."""
    lever = lever_file().levers[name]
    assert any(tag in lever.source for tag in ("S:", "S2:", "E:", "(E)", "(S)"))
    assert lever.effect is not None and lever.effect.source
    for change in lever.changes:
        if change.path.startswith("costs.investments."):
            assert change.cost, change.path
        if change.path == "costs.indirect_staff" and (change.add or 0) > 0:
            assert change.cost, change.path
    assert any(c.path.startswith("costs.investments.") for c in lever.changes), (
        "every lever buys equipment or software"
    )
