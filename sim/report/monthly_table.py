"""The console's monthly table of a ramp-up run: output, yield against the curve, OEE and
cost per Ah per month, each column with its unit (nothing is printed for a mature line)."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from sim.figures import number, share

__all__ = ["monthly_table", "print_monthly"]

_HOURS_PER = {"s": 1 / 3600, "min": 1 / 60, "h": 1.0, "d": 24.0}
"""Hours in one line time unit [h]."""


def _mean(estimate: dict[str, Any] | None) -> float | None:
    return None if estimate is None else estimate.get("mean")


def monthly_table(summary: dict[str, Any]) -> Table | None:
    """The monthly table of ``summary`` (``None`` when the run has no months)."""
    monthly = summary.get("monthly")
    if not monthly:
        return None
    units = monthly["units"]
    days = _HOURS_PER[monthly["time_unit"]] / 24
    station = monthly.get("oee_station") or "-"
    table = Table(
        title=f"ramp-up by month (1/12 of a 365-day year): means over replications; "
        f"curve: the scrap yield the learning curves predict; OEE of {station}",
        title_justify="left",
    )
    ahs = [_mean(row["kpis"].get("ah")) for row in monthly["months"]]
    in_ah = any(ah is not None for ah in ahs)
    money = units["cost_per_ah"].replace(" ", "")
    costed = any(_mean(row["kpis"].get("cost_per_ah")) is not None for row in monthly["months"])
    columns = [
        "month",
        "days [d]",
        "good [M Ah]" if in_ah else f"good [{units['output']}]",
        "yield [-]",
        "scrap yield [-]",
        "curve [-]",
        "OEE [-]",
    ]
    if costed:
        columns.append(f"cost [{money}]")
    for title in columns:
        table.add_column(escape(title), justify="right", overflow="fold")
    for row, ah in zip(monthly["months"], ahs, strict=True):
        kpis = row["kpis"]
        good = (None if ah is None else ah / 1e6) if in_ah else _mean(kpis.get("output"))
        cells = [
            str(row["month"]),
            f"{row['start'] * days:.0f}-{row['end'] * days:.0f}",
            number(good),
            share(_mean(kpis.get("yield"))),
            share(_mean(kpis.get("scrap_yield"))),
            share(row.get("yield_curve")),
            share(_mean(kpis.get("oee"))),
        ]
        if costed:
            cells.append(number(_mean(kpis.get("cost_per_ah"))))
        table.add_row(*cells)
    return table


def print_monthly(summary: dict[str, Any], console: Console) -> None:
    """Print the monthly table of a ramp-up run; nothing for a line that does not ramp."""
    table = monthly_table(summary)
    if table is not None:
        console.print(table)
