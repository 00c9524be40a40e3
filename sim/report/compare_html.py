"""``report.html`` at the root of a comparison folder: one self-contained page (inline CSS,
PNGs as data URIs, no JS) with the claim table and its verdicts, the forest plot, the
bottleneck before and after, the attribution waterfalls, the uncertainty plots, and a
link to each scenario's own report.

Built only from ``comparison.json`` content, ``uncertainty.json`` content and the plots in
the folder. The markup is ``templates/comparison_report.html.j2``; this module gives it
formatted text, which the template escapes.
"""

from __future__ import annotations

import base64
import os
from pathlib import Path
from typing import Any

from sim.atomic import write_text
from sim.figures import plural
from sim.report.compare_tables import headline_kpis
from sim.report.html import REPORT_NAME
from sim.report.labels import kpi_name, lower_is_better
from sim.report.numbers import format_number
from sim.report.page import PAGE_CSS

__all__ = ["REPORT_NAME", "render_comparison_report", "write_comparison_report"]


_CSS = (
    PAGE_CSS
    + """td.below{background:#fde8e8}td.consistent{background:#e6f4ea}td.above{background:#fff4d6}
td.better{background:#e6f4ea;color:#1e6b2e}td.worse{background:#fde8e8;color:#9b1c1c}
.moved{background:#fff4d6;padding:.5em 1em;border-left:4px solid #d9a400}
"""
)


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{value:+.1f}"


def _ci(ci: list[float] | None) -> str:
    if not ci or None in ci:
        return "-"
    return f"[{ci[0]:+.1f}, {ci[1]:+.1f}]"


def _figure(folder: Path, name: str, caption: str) -> dict[str, str] | None:
    """A plot of the folder as a data URI with its caption, None when it was not drawn."""
    path = folder / name
    if not path.is_file():
        return None
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    return {"png": data, "name": name, "caption": caption}


def _claim(content: dict[str, Any]) -> dict[str, Any] | None:
    """Per scenario, the claim's table with its verdicts; and the cost readings."""
    claim = content.get("claim")
    if not claim:
        return None
    tables = []
    for name, rows in claim["rows"].items():
        table_rows, classes = [], []
        for row in rows.values():
            table_rows.append(
                [
                    row["claim"],
                    row["reading"],
                    f"{row['claimed_percent']:+g}",
                    _percent(row["percent"]["mean"]),
                    _ci(row["percent"]["ci95"]),
                    row["verdict"],
                ]
            )
            css = row["verdict"] if row["verdict"] in ("below", "consistent", "above") else ""
            classes.append(["text", "text", "", "", "", css])
        heading = (
            f"{name} vs {content['reference']}, read at {claim.get('load', 1.0):.0%} plant load"
        )
        tables.append({"heading": heading, "rows": table_rows, "classes": classes})
    readings = claim.get("cost_readings", {})
    letters = [
        (letter, key, text) for letter, (key, text) in zip("abc", readings.items(), strict=False)
    ]
    return {"tables": tables, "readings": letters}


def _kpis(content: dict[str, Any]) -> dict[str, Any]:
    """The headline KPIs of each scenario and their paired changes, classed by direction."""
    names = content["scenarios"]
    header = ["KPI", "unit", *names]
    for name in names[1:]:
        header += [f"change {name} [%]", "95 % CI [%]"]
    rows, classes = [], []
    for kpi in headline_kpis(content):
        if kpi not in content.get("kpis", {}):
            continue
        unit = content.get("units", {}).get(kpi, "")
        label = {"title": kpi, "text": kpi_name(kpi)}
        row: list[Any] = [
            label,
            unit,
            *(format_number(content["kpis"][kpi][n]["mean"]) for n in names),
        ]
        css = ["text", "text", *([""] * len(names))]
        for name in names[1:]:
            percent = content["differences"][kpi][name]["percent"]
            row += [_percent(percent["mean"]), _ci(percent["ci95"])]
            css += [_direction(kpi, percent["mean"]), ""]
        rows.append(row)
        classes.append(css)
    return {"header": header, "rows": rows, "classes": classes}


def _direction(kpi: str, change: float | None) -> str:
    """'better' or 'worse' for a change of ``kpi`` (its class in the KPI table)."""
    if change is None or change == 0:
        return ""
    return "better" if (change < 0) == lower_is_better(kpi) else "worse"


def _bottleneck(content: dict[str, Any]) -> dict[str, Any]:
    """Whether the bottleneck moved (messages) and each scenario's ranking."""
    moves = [
        ("moved" if move["moved"] else "sub", move["message"])
        for move in content.get("bottleneck_moves", {}).values()
    ]
    rows = [
        [name, str(place), entry["station"], entry["measure"], f"{100 * entry['value']:.1f}"]
        for name, ranking in content.get("bottleneck", {}).items()
        for place, entry in enumerate(ranking, start=1)
    ]
    return {"moves": moves, "rows": rows}


def _attribution(content: dict[str, Any], folder: Path) -> dict[str, Any] | None:
    """The Shapley values' settings, the check of the cut window, the sampling errors and
    the waterfalls (None when attribution was not run)."""
    attribution = content.get("attribution")
    if not attribution:
        return None
    settings = content.get("attribution_settings", {})
    unit = content.get("time_unit", "")
    cut = "; ".join(settings.get("cut", [])) or "nothing"
    summary = (
        f"Shapley values ({settings.get('method', '')}, {settings.get('lever_sets')} "
        f"lever sets from {settings.get('simulated_lever_sets', settings.get('lever_sets'))} "
        f"simulations, {plural(settings.get('replications', 0), 'replication')} of "
        f"{settings.get('horizon', 0):g} {unit} after {settings.get('warmup', 0):g} "
        f"{unit} warm-up each). Cut against the full comparison: {cut}."
    )
    view: dict[str, Any] = {"summary": summary, "check": None, "sampled": None}
    check = settings.get("check", {})
    if check:
        view["check"] = _check(check, settings)
    errors = settings.get("sampling_error") or {}
    if errors:
        kpis = list(attribution)
        units = content.get("units", {})
        view["sampled"] = {
            "header": ["lever", *(f"{k} [{units[k]}]" if k in units else k for k in kpis)],
            "rows": [
                [lever]
                + [
                    f"{format_number(attribution[k][lever]['mean'])} \u00b1 "
                    f"{format_number(errors.get(k, {}).get(lever))}"
                    for k in kpis
                ]
                for lever in next(iter(attribution.values()))
            ],
            "orders": str(settings.get("orders", "?")),
        }
    view["waterfalls"] = [
        _figure(folder, f"waterfall_{kpi}.png", f"{kpi}: what each lever explains (Shapley)")
        for kpi in attribution
    ]
    return view


def _check(check: dict[str, Any], settings: dict[str, Any]) -> dict[str, Any]:
    """The attribution window against the full comparison, a row and a sentence a KPI."""
    from sim.report.attribution_check import check_conclusion, check_sentence

    def count(value: Any) -> str:
        return "-" if value is None else str(value)

    rows = [
        [
            kpi,
            _percent(c["window_percent"]),
            _ci(c.get("window_ci95")),
            count(c.get("window_replications")),
            _percent(c["full_percent"]),
            _ci(c.get("full_ci95")),
            check_conclusion(c),
            _percent(c.get("attributed_percent")),
            count(c.get("attributed_replications")),
            "-"
            if c.get("replication_sd_percent") is None
            else f"{c['replication_sd_percent']:.1f}",
        ]
        for kpi, c in check.items()
    ]
    return {
        "rows": rows,
        "sentences": [(kpi, check_sentence(c)) for kpi, c in check.items()],
        "replications": plural(settings.get("check_replications", 0), "replication"),
    }


def _uncertainty(study: dict[str, Any] | None, folder: Path) -> dict[str, Any] | None:
    """The claim's readings over the sampled input sets, the inputs and their plots."""
    if not study:
        return None
    window = study["window"]
    time_unit = window["time_unit"]
    summary = (
        f"{study['finished']} of {plural(study['samples'], 'input set')} "
        f"({study['design']}); each runs {study['reference']} and {study['scenario']} on "
        f"common random numbers for {window['horizon']:g} {time_unit} after "
        f"{window['warmup']:g} {time_unit} warm-up, "
        f"{plural(window['replications'], 'replication')} (the comparison: "
        f"{window['comparison_horizon']:g} {time_unit}, "
        f"{plural(window['comparison_replications'], 'replication')})."
    )
    rows = []
    for key, row in study["readings"].items():
        if not row.get("n"):
            rows.append([key, f"{row['claimed_percent']:+g}", "-", "-", "-", "-"])
            continue
        change = row["change"]
        sensitivity = study["sensitivity"].get(key, {})
        ranked = [f"{n} ({v:+.2f})" for n, v in sensitivity.items() if v][:3]
        rows.append(
            [
                row["reading"],
                f"{row['claimed_percent']:+g}",
                f"{row['probability_met']:.2f} [{row['probability_ci95'][0]:.2f}, "
                f"{row['probability_ci95'][1]:.2f}]",
                f"{change['mean']:+.1f}",
                f"{change['p05']:+.1f} / {change['p50']:+.1f} / {change['p95']:+.1f}",
                ", ".join(ranked) or "-",
            ]
        )
    inputs = [
        [
            name,
            item["kind"],
            format_number(item["low"]),
            format_number(item["mode"]),
            format_number(item["high"]),
            item["source"],
        ]
        for name, item in study["inputs"].items()
    ]
    return {
        "summary": summary,
        "partial": bool(study.get("partial")),
        "rows": rows,
        "method": study["sensitivity_method"],
        "inputs": inputs,
        "figures": [
            _figure(
                folder, "uncertainty_changes.png", "Change of each reading over the input sets"
            ),
            _figure(folder, "uncertainty_tornado.png", "What the verdict hinges on"),
        ],
    }


def render_comparison_report(
    folder: str | os.PathLike[str], content: dict[str, Any], study: dict[str, Any] | None = None
) -> str:
    """Return the comparison's report page."""
    from sim.report.templating import render

    out = Path(folder)
    names = content["scenarios"]
    unit = content.get("time_unit", "")
    window = (
        f"{', '.join(names[1:])} against {content['reference']}: "
        f"{plural(content['replications'], 'replication')} of {content['horizon']:g} {unit} "
        f"after {content['warmup']:g} {unit} warm-up, seed {content['seed']}, common random "
        "numbers, 95 % paired confidence intervals."
    )
    units = content.get("units_converted")
    return render(
        "comparison_report.html.j2",
        css=_CSS,
        title=content.get("name") or " vs ".join(names),
        window=window,
        partial=bool(content.get("partial")),
        warnings=[str(warning) for warning in content.get("warnings") or []],
        units_note=units["note"] if units else None,
        links=[name for name in names if (out / name / "report.html").is_file()],
        claim=_claim(content),
        bottleneck=_bottleneck(content),
        kpis=_kpis(content),
        figures={
            "comparison": _figure(
                out, "comparison.png", "Paired change of each KPI with its 95 % CI"
            ),
            "throughput": _figure(out, "throughput.png", "Cumulative good output of each scenario"),
            "costs": _figure(out, "costs.png", "Cost per Ah by category"),
        },
        attribution=_attribution(content, out),
        uncertainty=_uncertainty(study, out),
        study=study is not None and bool(study),
    )


def write_comparison_report(
    folder: str | os.PathLike[str], content: dict[str, Any], study: dict[str, Any] | None = None
) -> Path:
    """Write ``report.html`` into the comparison folder and return its path."""
    path = Path(folder) / REPORT_NAME
    write_text(path, render_comparison_report(folder, content, study))
    return path
