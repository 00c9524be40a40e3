"""Labour costs by plant region: the wages a line gets from ``costs.region``.

A line that names its region and leaves ``wage`` or ``indirect_wage`` out gets the
region's value, and an uncertainty study gets the region's range for it (unless the line
lists its own range under ``uncertain:``). A wage the line writes wins, with its own range.
All figures are employer costs per hour in EUR (wages with social contributions), for
2017-2020, the period of the claim's plant; tags as in the line files: S a published
source, E an estimate (the sources are in ``docs/sources.md``).

- ``china-east``: National Bureau of Statistics of China, average annual wage 2019 of
  production staff in enterprises above designated size, eastern China, 62,236 CNY (S),
  at 7.7 CNY/EUR, +35 % employer social insurance and housing fund (E), over 2,000 paid
  hours; indirect staff: professional and technical staff 121,073 CNY and clerks 79,903
  CNY (S), a mix near 110,000 CNY, +35 % (E). Ranges: 2017-2020 wages (S), 30-40 % social
  costs (E).
- ``eu``: Eurostat labour cost levels, industry, EU average: 27.4 EUR/h in 2018 and
  28.8 EUR/h in 2020 (S); 28 EUR/h for 2019 (E); member states range far wider (whole
  economy 5.4 to 43.5 EUR/h in 2018, S), so the range is the EU average's +-15 % (E).
- ``us``: U.S. Bureau of Labor Statistics, Employer Costs for Employee Compensation,
  private industry, December 2019: 34.72 USD per hour worked (S), at 1.12 USD/EUR (ECB
  2019 average, S): 31 EUR/h, range +-12 % (E).

Indirect staff (engineers, quality, planners, logistics) cost 1.6x the direct wage in the
EU and US (E; eastern China's NBS figures give 1.8x).
"""

from __future__ import annotations

from typing import Any, Literal, NamedTuple

__all__ = ["REGIONS", "Region", "RegionWage", "region_defaults", "region_ranges"]

Region = Literal["china-east", "eu", "us"]


class RegionWage(NamedTuple):
    """One wage of one region: value and range [EUR / h] and where they come from."""

    value: float
    low: float
    high: float
    source: str


REGIONS: dict[str, dict[str, RegionWage]] = {
    "china-east": {
        "wage": RegionWage(
            5.5,
            4.5,
            7.0,
            "S: NBS eastern China manufacturing wages 2017-2020 (53,000-66,000 CNY a year); "
            "E: 30-40 % social costs",
        ),
        "indirect_wage": RegionWage(
            10.0,
            7.5,
            13.0,
            "S: NBS eastern China 2019 clerks to professional staff (79,903-121,073 CNY); "
            "E: the mix, +35 %",
        ),
    },
    "eu": {
        "wage": RegionWage(
            28.0,
            24.0,
            32.0,
            "S: Eurostat labour cost levels, industry, EU 27.4 EUR/h (2018) and 28.8 (2020); "
            "E: +-15 %",
        ),
        "indirect_wage": RegionWage(
            45.0, 38.0, 52.0, "E: 1.6x the direct wage (Eurostat, S), +-15 %"
        ),
    },
    "us": {
        "wage": RegionWage(
            31.0,
            27.5,
            35.0,
            "S: BLS ECEC December 2019, private industry 34.72 USD/h at 1.12 USD/EUR; E: +-12 %",
        ),
        "indirect_wage": RegionWage(50.0, 44.0, 56.0, "E: 1.6x the direct wage (BLS, S), +-12 %"),
    },
}


def region_defaults(costs: dict[str, Any]) -> dict[str, Any]:
    """Raw ``costs`` data with the region's wages filled in where the line gives none."""
    region = costs.get("region")
    if not isinstance(region, str) or region not in REGIONS:
        return costs
    filled = dict(costs)
    for field, wage in REGIONS[region].items():
        filled.setdefault(field, wage.value)
    return filled


def region_ranges(costs: dict[str, Any], uncertain: dict[str, Any]) -> dict[str, Any]:
    """Raw ``uncertain`` data with the region's wage ranges added, for each wage the line
    leaves to its region and does not range itself."""
    region = costs.get("region")
    if not isinstance(region, str) or region not in REGIONS:
        return uncertain
    added = dict(uncertain)
    for field, wage in REGIONS[region].items():
        if field not in costs:
            added.setdefault(
                f"costs.{field}", {"low": wage.low, "high": wage.high, "source": wage.source}
            )
    return added
