"""Material balance of a run: per material, units made -> taken on, scrap, late finds, WIP.

For every material a station makes, over the measured window and in the material's unit:

    made = taken downstream + scrapped at once + defects found late + WIP change

and, in a line that grades or reworks, ``+ sold as grades + sent to rework`` on the right
and ``+ back from rework`` on the left (units a later check sent back into its queue).

``made`` counts the producer's finished cycles x output per cycle (a delay: units that
finished soaking); ``taken downstream`` the consumers' finished cycles x what a cycle takes
(a delay: what finished soaking in it; a finished material: what the line shipped);
scrap and late finds are the producer's own counters (a late find is a defect made upstream
and removed here). The WIP change, in buffers and in process, is what is left; it is
checked against the line monitor where one exists (serial lines) and against buffer sizes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from sim.figures import plural
from sim.model.line import Line
from sim.model.serial import as_general, entry_material
from sim.model.station import Station
from sim.report.line_files import StationCounts

__all__ = ["BalanceRow", "balance_html", "material_balance", "mean_balance"]


@dataclass(frozen=True)
class BalanceRow:
    """One material's balance over the measured window [its unit]."""

    material: str
    unit: str
    made_by: str
    taken_by: str
    made: float
    taken: float
    scrapped: float
    found_late: float
    wip_change: float
    sold: float = 0.0
    """Units of grades sold at the maker, leaving the line there [unit]."""
    sent_to_rework: float = 0.0
    """Units the maker's check sent back to be reworked [unit]."""
    back_from_rework: float = 0.0
    """Units sent back into this material's queue to be reworked [unit]."""

    @property
    def residual(self) -> float:
        """made + back from rework - (taken + scrapped + found late + sold + sent to
        rework + WIP change) [unit]: zero by construction of the WIP change; kept for the
        test that the columns add up."""
        return (
            self.made
            + self.back_from_rework
            - self.taken
            - self.scrapped
            - self.found_late
            - self.sold
            - self.sent_to_rework
            - self.wip_change
        )


def _made(station: Station, counts: dict[str, float]) -> float:
    if station.kind == "delay":
        return counts["units_out"] + counts["scrapped"]
    out = next(iter((station.output or {"": 1.0}).values()))
    return counts["cycles"] * out


def _taken(station: Station, material: str, counts: dict[str, float]) -> float:
    """Units of ``material`` a consumer finished with in the window [unit]."""
    quantity = (station.inputs or {}).get(material, 1.0)
    if station.kind == "delay":
        out = next(iter((station.output or {"": 1.0}).values()))
        return (counts["units_out"] + counts["scrapped"]) / out * quantity
    return counts["cycles"] * quantity


def material_balance(
    line: Line, counts: StationCounts, released: float | None = None
) -> list[BalanceRow]:
    """The balance of each material of one replication, in flow order.

    ``counts`` are the station counts (:func:`sim.report.line_files.station_counts`);
    ``released`` the units of the line's one raw material released into it (a serial
    line's jobs), given when the run counted them: that material then gets a row too.
    """
    line = as_general(line)
    materials = line.materials or {}
    entry = entry_material(line)
    rows = []
    for material, spec in materials.items():
        producers = [s for s in line.stations if s.output_material == material]
        if not producers and (material != entry or released is None):
            continue  # raw: drawn as needed, never short
        consumers = [s for s in line.stations if material in (s.inputs or {})]
        if producers:
            made = sum(_made(p, counts[p.name]) for p in producers)
            scrapped = sum(counts[p.name]["scrapped"] - counts[p.name]["found"] for p in producers)
            found = sum(counts[p.name]["found"] for p in producers)
        else:
            made, scrapped, found = released or 0.0, 0.0, 0.0
        sold = sum(counts[p.name].get("sold", 0.0) for p in producers)
        sent = sum(counts[p.name].get("reworked", 0.0) for p in producers)
        back = sum(
            counts[s.name].get("reworked", 0.0)
            for s in line.stations
            if s.rework is not None and material in (line.station(s.rework.to).inputs or {})
        )
        if consumers:
            taken = sum(_taken(c, material, counts[c.name]) for c in consumers)
            taken_by = ", ".join(c.name for c in consumers)
        else:  # shipped at once
            taken = sum(counts[p.name]["units_out"] for p in producers) - sold
            taken_by = "finished (shipped)"
        rows.append(
            BalanceRow(
                material,
                spec.unit,
                ", ".join(p.name for p in producers) or "release",
                taken_by,
                made,
                taken,
                scrapped,
                found,
                made + back - taken - scrapped - found - sold - sent,
                sold,
                sent,
                back,
            )
        )
    return rows


def mean_balance(per_replication: list[list[BalanceRow]]) -> list[BalanceRow]:
    """Each column's mean over replications (rows match by position)."""
    if not per_replication:
        return []
    rows = []
    for same in zip(*per_replication, strict=True):
        first = same[0]

        def mean(name: str, same: tuple[BalanceRow, ...] = same) -> float:
            return float(np.mean([getattr(row, name) for row in same]))

        rows.append(
            BalanceRow(
                first.material,
                first.unit,
                first.made_by,
                first.taken_by,
                mean("made"),
                mean("taken"),
                mean("scrapped"),
                mean("found_late"),
                mean("wip_change"),
                mean("sold"),
                mean("sent_to_rework"),
                mean("back_from_rework"),
            )
        )
    return rows


_LOSSES = (
    ("scrapped", "#d62728", "scrapped at once"),
    ("found_late", "#9467bd", "defects found late"),
)


_QUALITY = (
    ("sold", "sold as grades"),
    ("sent_to_rework", "sent to rework"),
    ("back_from_rework", "back from rework"),
)
"""Columns shown when a row has them: grades sold at the maker, rework loops."""


def _loss_share(row: BalanceRow) -> float:
    """Share of what was made that was lost here [-]."""
    if row.made <= 0 or not math.isfinite(row.made):
        return 0.0
    return (max(row.scrapped, 0.0) + max(row.found_late, 0.0)) / row.made


def _bar(row: BalanceRow, scale: float, width: float = 60.0) -> dict[str, Any]:
    """The losses as a bar of at most ``width`` [px] on a common scale (``scale``: the
    largest loss share [-]), so that small losses are seen; the share in % beside it.
    Returned as the geometry ``templates/balance.html.j2`` draws."""
    share = _loss_share(row)
    parts = []
    left = 0.0
    for name, color, label in _LOSSES:
        value = max(getattr(row, name), 0.0)
        part = width * (value / row.made) / scale if row.made > 0 and scale > 0 else 0.0
        if part <= 0:
            continue
        parts.append(
            {
                "x": f"{left:.2f}",
                "width": f"{max(part, 0.8):.2f}",
                "color": color,
                "title": f"{label}: {value / row.made:.3%}",
            }
        )
        left += part
    return {
        "width": f"{width + 52:.0f}",
        "parts": parts,
        "x": f"{left + 4:.1f}",
        "share": f"{share:.2%}",
    }


def _n(value: float) -> str:
    if not math.isfinite(value):
        return "-"
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.3g}"


def balance_html(rows: list[BalanceRow], time_unit: str, replications: int) -> str:
    """The balance as an HTML table with a flow bar per material (means over replications)."""
    if not rows:
        return "<p>No materials made in the measured window.</p>"
    from sim.report.templating import render

    extra = [
        (name, label) for name, label in _QUALITY if any(getattr(row, name) > 0 for row in rows)
    ]
    columns = ["material", "unit", "made by", "made", "taken downstream", "scrapped at once"]
    columns += ["defects found late", *(label for _, label in extra), "WIP change"]
    columns += ["lost here [% of made]", "taken by"]
    scale = max((_loss_share(row) for row in rows), default=0.0)
    body = [
        {
            "material": row.material,
            "unit": row.unit,
            "made_by": row.made_by,
            "numbers": [
                _n(row.made),
                _n(row.taken),
                _n(row.scrapped),
                _n(row.found_late),
                *(_n(getattr(row, name)) for name, _ in extra),
                _n(row.wip_change),
            ],
            "bar": _bar(row, scale),
            "taken_by": row.taken_by,
        }
        for row in rows
    ]
    return render(
        "balance.html.j2",
        columns=columns,
        rows=body,
        keys=[(color, label) for _, color, label in _LOSSES],
        replications=plural(replications, "replication"),
        quality=bool(extra),
        time_unit=time_unit,
    )
