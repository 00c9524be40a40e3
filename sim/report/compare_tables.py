"""Console tables of a comparison: paired differences, the claim check, attribution."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from sim.figures import number, plural, value_in
from sim.report.tables import format_number

__all__ = ["DEMAND_HEADLINE_KPIS", "HEADLINE_KPIS", "headline_kpis", "print_comparison"]

HEADLINE_KPIS = (
    "throughput",
    "ah_per_year",
    "cell_yield",
    "flow_time",
    "cost_per_ah",
    "conversion_cost_per_ah",
    "operating_cost_per_ah",
    "energy_kwh_per_kwh",
    "labour_hours_per_mah",
    "ah_per_labour_hour",
    "capex",
    "wip",
    "yield",
)

DEMAND_HEADLINE_KPIS = (
    "fill_rate",
    "on_time_share",
    "backlog",
    "shifts_worked",
    "sold_ah_per_year",
    "cost_per_sold_ah",
)
"""Shown after :data:`HEADLINE_KPIS` when the compared scenarios have a demand (those
every scenario has): service, the shifts worked, what is sold and its cost per Ah."""


def headline_kpis(content: dict[str, Any]) -> tuple[str, ...]:
    """The KPIs a comparison's tables show, in order: the headline ones, and the demand
    ones when every compared scenario has a demand (its ``fill_rate`` is compared)."""
    if "fill_rate" in content.get("kpis", {}):
        return (*HEADLINE_KPIS, *DEMAND_HEADLINE_KPIS)
    return HEADLINE_KPIS


_VERDICT_STYLE = {
    "below": "[red]{}[/red]",
    "consistent": "[green]{}[/green]",
    "above": "[yellow]{}[/yellow]",
}


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
        title=f"paired comparison against {reference} "
        f"({plural(content['replications'], 'replication')}, common random numbers)",
        title_justify="left",
    )
    table.add_column("KPI")
    table.add_column("unit")
    for name in names:
        table.add_column(name, justify="right")
    for name in names[1:]:
        table.add_column(f"change % ({name})", justify="right")
        table.add_column("95% CI", justify="right")
    for kpi in headline_kpis(content):
        if kpi not in content["kpis"]:
            continue
        unit = content.get("units", {}).get(kpi, "")
        row = [kpi, unit] + [value_in(content["kpis"][kpi][n]["mean"], unit) for n in names]
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
                f"cost {claim['cost_percent']:+g} % ({name} vs {reference}, read at "
                f"{claim.get('load', 1.0):.0%} plant load)",
                title_justify="left",
            )
            for column in ("claim", "reading", "claimed %", "simulated %", "95% CI", "verdict"):
                check.add_column(column)
            for row in rows.values():
                mean = row["percent"]["mean"]
                check.add_row(
                    row["claim"],
                    row["reading"],
                    f"{row['claimed_percent']:+g}",
                    "-" if mean is None else f"{mean:+.1f}",
                    _ci(row["percent"]["ci95"], True),
                    _VERDICT_STYLE.get(row["verdict"], "{}").format(row["verdict"]),
                )
            console.print(check)
        console.print(
            "verdict: below / above = the whole 95 % CI short of / beyond the claimed change "
            "(in the claim's direction); consistent = the claim is inside the CI",
            highlight=False,
        )
        for letter, (key, text) in zip("abc", claim.get("cost_readings", {}).items(), strict=False):
            console.print(f"cost {letter} ({key}): {text}", highlight=False, soft_wrap=True)

    for move in content.get("bottleneck_moves", {}).values():
        colour = "yellow" if move["moved"] else "dim"
        console.print(f"[{colour}]{escape(move['message'])}[/{colour}]", highlight=False)

    attribution = content.get("attribution")
    if attribution:
        settings = content.get("attribution_settings", {})
        kpis = list(attribution)
        levers = list(next(iter(attribution.values())))
        shares = Table(
            title=f"attribution to levers (Shapley, {settings.get('method', '')}, "
            f"{settings.get('lever_sets', '?')} lever sets"
            + (
                f" from {settings['simulated_lever_sets']} simulations)"
                if settings.get("simulated_lever_sets") not in (None, settings.get("lever_sets"))
                else ")"
            ),
            title_justify="left",
        )
        shares.add_column("lever")
        units = content.get("units", {})
        for kpi in kpis:
            # escaped: rich would read a unit such as [modules / h] as a style tag and drop it
            header = f"{kpi}\n[{units[kpi]}]" if kpi in units else kpi
            width = len(units.get(kpi, "")) + 2
            shares.add_column(escape(header), justify="right", min_width=width)
        errors = settings.get("sampling_error") or {}

        def cell(kpi: str, lever: str) -> str:
            text = format_number(attribution[kpi][lever]["mean"])
            error = errors.get(kpi, {}).get(lever)
            return text if error is None else f"{text} +/- {format_number(error)}"

        for lever in levers:
            shares.add_row(lever, *(cell(k, lever) for k in kpis))
        console.print(shares)
        if errors:
            console.print(
                "+/- the standard error of each Shapley value from the sampled lever orders "
                "(antithetic pairs)",
                highlight=False,
            )
        cut = settings.get("cut") or []
        console.print(
            "attribution cut: " + ("; ".join(cut) if cut else "nothing (the comparison's window)"),
            highlight=False,
        )
        checks = settings.get("check", {})
        if checks:
            from sim.report.attribution_check import check_sentence

            console.print(
                "check of the attribution window against the full comparison (changes [%], "
                "95 % CIs; agree = the full comparison's change lies inside the window's CI):",
                highlight=False,
            )
        for kpi, check in checks.items():
            console.print(f"  {kpi}: {escape(check_sentence(check))}", highlight=False)


def print_uncertainty(study: dict[str, Any], console: Console | None = None) -> None:
    """Print each reading's probability of meeting the claim, the change's spread and the
    inputs it hinges on most."""
    console = console or Console()
    window = study["window"]
    table = Table(
        title=f"the claim under input uncertainty: {study['scenario']} vs {study['reference']}, "
        f"{study['finished']} of {study['samples']} input sets ({number(window['horizon'])} "
        f"{window['time_unit']} window, {plural(window['replications'], 'replication')} each)",
        title_justify="left",
    )
    for column in ("reading", "claimed %", "P(met)", "95% CI of P", "change % p05 / p50 / p95"):
        table.add_column(column, justify="left" if column == "reading" else "right")
    table.add_column("hinges most on")
    for key, row in study["readings"].items():
        if not row.get("n"):
            table.add_row(key, f"{row['claimed_percent']:+g}", "-", "-", "-", "KPI missing")
            continue
        change = row["change"]
        ranked = [
            f"{name} ({value:+.2f})"
            for name, value in study["sensitivity"].get(key, {}).items()
            if value is not None
        ][:2]
        table.add_row(
            key,
            f"{row['claimed_percent']:+g}",
            f"{row['probability_met']:.2f}",
            f"[{row['probability_ci95'][0]:.2f}, {row['probability_ci95'][1]:.2f}]",
            f"{change['p05']:+.1f} / {change['p50']:+.1f} / {change['p95']:+.1f}",
            ", ".join(ranked) or "-",
        )
    console.print(table)
    console.print(
        "sensitivity: standardized regression coefficients (SRC) on the Latin hypercube; "
        "R^2 per reading in uncertainty.json",
        highlight=False,
    )
