"""Labour costs by region: ``costs.region`` gives the wages and their ranges where the
line leaves them out; what the line writes wins."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from sim.errors import ConfigErrors
from sim.model import load_line
from sim.model.line import Line
from sim.model.regions import REGIONS

REFERENCE = Path(__file__).resolve().parents[2] / "configs" / "prismatic_lfp_300mah.yaml"


@pytest.mark.parametrize("region", sorted(REGIONS))
def test_a_region_gives_its_wages_and_their_ranges(region: str) -> None:
    line = load_line(REFERENCE, {"costs.region": region})
    assert line.costs is not None
    for field, wage in REGIONS[region].items():
        assert getattr(line.costs, field) == wage.value
        assert wage.low <= wage.value <= wage.high  # the value the line runs lies in its range
        given = line.uncertain[f"costs.{field}"]
        assert (given.low, given.high, given.source) == (wage.low, wage.high, wage.source)


def test_the_reference_line_is_a_tianjin_plant() -> None:
    """The reference line names its region and writes no wage: NBS 2019 eastern China."""
    line = load_line(REFERENCE)
    assert line.costs is not None and line.costs.region == "china-east"
    assert (line.costs.wage, line.costs.indirect_wage) == (5.5, 10.0)


def test_a_written_wage_wins_with_its_own_range() -> None:
    data = yaml.safe_load(REFERENCE.read_text(encoding="utf-8"))
    data["costs"].update(region="eu", wage=35.0)
    data["uncertain"]["costs.indirect_wage"] = {"low": 40.0, "high": 60.0}
    line = Line.model_validate(data)
    assert line.costs is not None
    assert line.costs.wage == 35.0 and "costs.wage" not in line.uncertain
    assert line.costs.indirect_wage == REGIONS["eu"]["indirect_wage"].value
    indirect = line.uncertain["costs.indirect_wage"]
    assert (indirect.low, indirect.high) == (40.0, 60.0)


def test_an_unknown_region_names_the_choices() -> None:
    with pytest.raises(ConfigErrors, match=r"costs\.region.*'china-east', 'eu' or 'us'"):
        load_line(REFERENCE, {"costs.region": "mars"})
