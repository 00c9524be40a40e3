"""Console tables of a comparison: paired differences, the claim check, attribution."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table

from sim.report.tables import format_number

__all__ = ["HEADLINE_KPIS", "print_comparison"]

HEADLINE_KPIS = (
    "throughput",
    "ah_per_year",
    "cell_yield",
    "flow_time",
    "cost_per_ah",
    "conversion_cost_per_ah",
    "energy_kwh_per_kwh",
    "labour_hours_per_mah",
    "ah_per_labour_hour",
    "capex",
    "wip",
    "yield",
)


def _ci(ci: list[float] | None, percent: bool = False) -> str:
    if not ci:
        return "-"
    if percent:
        return f"[{ci[0]:+.1f}, {ci[1]:+.1f}]"
    return f"[{format_number(ci[0])}, {format_number(ci[1])}]"


def print_comparison(content: dict[str, Any], console: Console | None = None) -> None:
    """Print each headline KPI per scenario with its paired change against the reference,
    then the claim check and the lever attribution when present."""
    console = console or Console()
    names = content["scenarios"]
    reference = content["reference"]
    table = Table(
        title=f"paired comparison against {reference} ({content['replications']} "
        "replications, common random numbers)",
        title_justify="left",
    )
    table.add_column("KPI")
    for name in names:
        table.add_column(name, justify="right")
    for name in names[1:]:
        table.add_column(f"change % ({name})", justify="right")
        table.add_column("95% CI", justify="right")
    for kpi in HEADLINE_KPIS:
        if kpi not in content["kpis"]:
            continue
        row = [kpi] + [format_number(content["kpis"][kpi][n]["mean"]) for n in names]
        for name in names[1:]:
            percent = content["differences"][kpi][name]["percent"]
            mean = percent["mean"]
            row += ["-" if mean is None else f"{mean:+.1f}", _ci(percent["ci95"], True)]
        table.add_row(*row)
    console.print(table)

    claim = content.get("claim")
    if claim:
        for name, rows in claim["rows"].items():
            check = Table(
                title=f"the claim: efficiency {claim['efficiency_percent']:+g} %, "
                f"cost {claim['cost_percent']:+g} % ({name} vs {reference})",
                title_justify="left",
            )
            for column in ("claim", "reading", "claimed %", "simulated %", "95% CI", "verdict"):
                check.add_column(column)
            for row in rows:
                mean = row["percent"]["mean"]
                check.add_row(
                    row["claim"],
                    row["reading"],
                    f"{row['claimed_percent']:+g}",
                    "-" if mean is None else f"{mean:+.1f}",
                    _ci(row["percent"]["ci95"], True),
                    row["verdict"],
                )
            console.print(check)

    attribution = content.get("attribution")
    if attribution:
        settings = content.get("attribution_settings", {})
        kpis = list(attribution)
        levers = list(next(iter(attribution.values())))
        shares = Table(
            title=f"attribution to levers (Shapley, {settings.get('method', '')}, "
            f"{settings.get('lever_sets', '?')} lever sets)",
            title_justify="left",
        )
        shares.add_column("lever")
        for kpi in kpis:
            shares.add_column(kpi, justify="right")
        for lever in levers:
            shares.add_row(lever, *(format_number(attribution[k][lever]["mean"]) for k in kpis))
        console.print(shares)
