"""``sim.RunSettings``: a comparison's run settings as one frozen value that the command
line and Python pass to ``sim.compare``; the keyword form stays, and wins over it."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import get_type_hints

import pytest

import sim
from sim.experiment.settings import RunSettings, RunSettingsKeywords

PENNY = str(Path(__file__).resolve().parents[1] / "scenarios" / "penny_fab.yaml")


def test_the_keywords_are_the_fields() -> None:
    fields = {field.name: field.type for field in dataclasses.fields(RunSettings)}
    assert get_type_hints(RunSettingsKeywords).keys() == fields.keys()
    assert RunSettingsKeywords.__optional_keys__ == frozenset(fields)


def test_settings_are_frozen_and_updated_by_copy() -> None:
    quick = RunSettings(replications=2, horizon="3 d")
    with pytest.raises(dataclasses.FrozenInstanceError):
        quick.replications = 3  # type: ignore[misc]
    longer = quick.updated(horizon="6 d", jobs=None)
    assert (longer.replications, longer.horizon, longer.jobs) == (2, "6 d", None)
    assert quick.horizon == "3 d" and quick.jobs == 1
    with pytest.raises(TypeError, match="replicatons"):
        quick.updated(replicatons=4)  # type: ignore[call-arg]


def test_settings_and_keywords_give_the_same_comparison() -> None:
    """A keyword wins over the same field of ``settings``."""
    by_keywords = sim.compare(PENNY, PENNY, replications=2, horizon=300, seed=5)
    by_settings = sim.compare(
        PENNY, PENNY, settings=sim.RunSettings(replications=2, seed=5, horizon=300)
    )
    mixed = sim.compare(
        PENNY, PENNY, settings=sim.RunSettings(replications=3, seed=5), replications=2,
        horizon=300,
    )  # fmt: skip
    for outcome in (by_settings, mixed):
        assert outcome.content["kpis"] == by_keywords.content["kpis"]
    assert by_keywords.content["replications"] == mixed.content["replications"] == 2


def test_bad_settings_are_located_errors() -> None:
    with pytest.raises(sim.ConfigError, match=r"settings.*RunSettings"):
        sim.compare(PENNY, PENNY, settings={"replications": 2})  # type: ignore[arg-type]
    with pytest.raises(sim.ConfigError, match="replications") as caught:
        sim.compare(PENNY, PENNY, settings=RunSettings(replications=0))
    assert "sim.compare()" in str(caught.value)
