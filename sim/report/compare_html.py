"""``report.html`` at the root of a comparison folder: one self-contained page (inline CSS,
PNGs as data URIs, no JS) with the claim table and its verdicts, the forest plot, the
bottleneck before and after, the attribution waterfalls, the uncertainty plots, and a
link to each scenario's own report.

Built only from ``comparison.json`` content, ``uncertainty.json`` content and the plots in
the folder. All text is escaped with :func:`html.escape`.
"""

from __future__ import annotations

import base64
import html
import os
from pathlib import Path
from typing import Any

from sim.atomic import write_text
from sim.figures import plural
from sim.report.compare_tables import headline_kpis
from sim.report.html import REPORT_NAME
from sim.report.labels import kpi_name, lower_is_better
from sim.report.numbers import format_number
from sim.report.page import PAGE_CSS, wide

__all__ = ["REPORT_NAME", "render_comparison_report", "write_comparison_report"]


_CSS = (
    PAGE_CSS
    + """td.below{background:#fde8e8}td.consistent{background:#e6f4ea}td.above{background:#fff4d6}
td.better{background:#e6f4ea;color:#1e6b2e}td.worse{background:#fde8e8;color:#9b1c1c}
.moved{background:#fff4d6;padding:.5em 1em;border-left:4px solid #d9a400}
"""
)


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{value:+.1f}"


def _ci(ci: list[float] | None) -> str:
    if not ci or None in ci:
        return "-"
    return f"[{ci[0]:+.1f}, {ci[1]:+.1f}]"


def _table(header: list[str], rows: list[list[str]], classes: list[list[str]] | None = None) -> str:
    """An HTML table from already escaped cells; ``classes`` per cell (optional)."""
    head = "".join(f"<th>{cell}</th>" for cell in header)
    body = []
    for r, row in enumerate(rows):
        cells = []
        for c, cell in enumerate(row):
            css = classes[r][c] if classes and c < len(classes[r]) else ""
            cells.append(f'<td class="{css}">{cell}</td>' if css else f"<td>{cell}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return wide(f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>")


def _figure(folder: Path, name: str, caption: str) -> str:
    path = folder / name
    if not path.is_file():
        return ""
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    return (
        f'<figure><img alt="{_e(name)}" src="data:image/png;base64,{data}">'
        f"<figcaption>{_e(caption)}</figcaption></figure>"
    )


def _claim(content: dict[str, Any]) -> str:
    claim = content.get("claim")
    if not claim:
        return "<p>No claim given (add <code>claim:</code> to a comparison file).</p>"
    parts = []
    for name, rows in claim["rows"].items():
        table_rows, classes = [], []
        for row in rows.values():
            table_rows.append(
                [
                    _e(row["claim"]),
                    _e(row["reading"]),
                    f"{row['claimed_percent']:+g}",
                    _percent(row["percent"]["mean"]),
                    _ci(row["percent"]["ci95"]),
                    _e(row["verdict"]),
                ]
            )
            css = row["verdict"] if row["verdict"] in ("below", "consistent", "above") else ""
            classes.append(["text", "text", "", "", "", css])
        parts.append(
            f"<h3>{_e(name)} vs {_e(content['reference'])}, read at "
            f"{claim.get('load', 1.0):.0%} plant load</h3>"
            + _table(
                ["claim", "reading", "claimed [%]", "simulated [%]", "95 % CI [%]", "verdict"],
                table_rows,
                classes,
            )
        )
    parts.append(
        "<p class='sub'>Verdicts: <b>below</b>: the whole 95 % CI of the paired change falls "
        "short of the claimed change; <b>consistent</b>: the claimed change is inside the CI; "
        "<b>above</b>: the whole CI goes beyond it (an overshoot). Below and above are read in "
        "the claim's direction (for a cost cut, -30 % is above a claimed -20 %).</p>"
    )
    readings = claim.get("cost_readings", {})
    parts.append(
        "<p class='sub'>Cost readings: "
        + "; ".join(
            f"<b>{letter}</b> ({_e(key)}): {_e(text)}"
            for letter, (key, text) in zip("abc", readings.items(), strict=False)
        )
        + ".</p>"
    )
    return "".join(parts)


def _kpis(content: dict[str, Any]) -> str:
    names = content["scenarios"]
    header = ["KPI", "unit", *map(_e, names)]
    for name in names[1:]:
        header += [f"change {_e(name)} [%]", "95 % CI [%]"]
    rows, classes = [], []
    for kpi in headline_kpis(content):
        if kpi not in content.get("kpis", {}):
            continue
        unit = _e(content.get("units", {}).get(kpi, ""))
        label = f'<span title="{_e(kpi)}">{_e(kpi_name(kpi))}</span>'
        row = [label, unit, *(format_number(content["kpis"][kpi][n]["mean"]) for n in names)]
        css = ["text", "text", *([""] * len(names))]
        for name in names[1:]:
            percent = content["differences"][kpi][name]["percent"]
            row += [_percent(percent["mean"]), _ci(percent["ci95"])]
            css += [_direction(kpi, percent["mean"]), ""]
        rows.append(row)
        classes.append(css)
    note = (
        "<p class='sub'>Green: the change is an improvement (more output, yield or Ah per "
        "labour hour; less cost, time, energy, labour or WIP), red: a loss; hover a KPI for "
        "its name in summary.json.</p>"
    )
    return _table(header, rows, classes) + note


def _direction(kpi: str, change: float | None) -> str:
    """'better' or 'worse' for a change of ``kpi`` (its class in the KPI table)."""
    if change is None or change == 0:
        return ""
    return "better" if (change < 0) == lower_is_better(kpi) else "worse"


def _bottleneck(content: dict[str, Any]) -> str:
    parts = []
    for move in content.get("bottleneck_moves", {}).values():
        css = "moved" if move["moved"] else "sub"
        parts.append(f"<p class='{css}'>{_e(move['message'])}</p>")
    rows = []
    for name, ranking in content.get("bottleneck", {}).items():
        for place, entry in enumerate(ranking, start=1):
            rows.append(
                [
                    _e(name),
                    str(place),
                    _e(entry["station"]),
                    _e(entry["measure"]),
                    f"{100 * entry['value']:.1f}",
                ]
            )
    if rows:
        parts.append(_table(["scenario", "rank", "station", "measure", "value [%]"], rows))
        parts.append(
            "<p class='sub'>The bottleneck is the station with the largest share of time busy, "
            "down, in setup or minor stops (machines), or of its capacity filled (delays such "
            "as soak stores); means over replications.</p>"
        )
    return "".join(parts)


def _attribution(content: dict[str, Any], folder: Path) -> str:
    attribution = content.get("attribution")
    if not attribution:
        return "<p>Not run (<code>--attribution</code>).</p>"
    settings = content.get("attribution_settings", {})
    unit = content.get("time_unit", "")
    cut = "; ".join(settings.get("cut", [])) or "nothing"
    parts = [
        f"<p>Shapley values ({_e(settings.get('method', ''))}, {settings.get('lever_sets')} "
        f"lever sets from {settings.get('simulated_lever_sets', settings.get('lever_sets'))} "
        f"simulations, {plural(settings.get('replications', 0), 'replication')} of "
        f"{settings.get('horizon', 0):g} {_e(unit)} after {settings.get('warmup', 0):g} "
        f"{_e(unit)} warm-up each). Cut against the full comparison: "
        f"{_e(cut)}.</p>"
    ]
    check = settings.get("check", {})
    if check:
        from sim.report.attribution_check import check_conclusion, check_sentence

        def count(value: Any) -> str:
            return "-" if value is None else str(value)

        rows = [
            [
                _e(kpi),
                _percent(c["window_percent"]),
                _ci(c.get("window_ci95")),
                count(c.get("window_replications")),
                _percent(c["full_percent"]),
                _ci(c.get("full_ci95")),
                _e(check_conclusion(c)),
                _percent(c.get("attributed_percent")),
                count(c.get("attributed_replications")),
                "-"
                if c.get("replication_sd_percent") is None
                else f"{c['replication_sd_percent']:.1f}",
            ]
            for kpi, c in check.items()
        ]
        parts.append(
            _table(
                [
                    "KPI",
                    "window: all levers vs none [%]",
                    "its 95 % CI [%]",
                    "window replications",
                    "full comparison [%]",
                    "its 95 % CI [%]",
                    "check",
                    "the shares add up to [%]",
                    "their replications",
                    "one replication's sd [%]",
                ],
                rows,
            )
        )
        sentences = "".join(
            f"<li>{_e(kpi)}: {_e(check_sentence(c))}</li>" for kpi, c in check.items()
        )
        parts.append(
            "<p class='sub'>The check of the cut: all levers and no lever also run "
            f"{plural(settings.get('check_replications', 0), 'replication')} of the attribution "
            "window; <b>agree</b> means the full comparison's change lies inside the 95 % CI "
            "of the window's total change (no evidence that the shorter window biases it). "
            "The shares add up to the total change of their own replications; one "
            "replication's sd says how far that total, and so the shares, can be off by "
            "noise alone.</p>"
            f"<ul class='sub'>{sentences}</ul>"
        )
    errors = settings.get("sampling_error") or {}
    if errors:
        kpis = list(attribution)
        rows = [
            [_e(lever)]
            + [
                f"{format_number(attribution[k][lever]['mean'])} &plusmn; "
                f"{format_number(errors.get(k, {}).get(lever))}"
                for k in kpis
            ]
            for lever in next(iter(attribution.values()))
        ]
        units = content.get("units", {})
        header = [_e(f"{k} [{units[k]}]" if k in units else k) for k in kpis]
        parts.append(_table(["lever", *header], rows))
        parts.append(
            f"<p class='sub'>Sampled Shapley values from {settings.get('orders', '?')} random "
            "lever orders in antithetic pairs (an order and its reverse), &plusmn; the "
            "standard error of the sampling.</p>"
        )
    for kpi in attribution:
        parts.append(
            _figure(folder, f"waterfall_{kpi}.png", f"{kpi}: what each lever explains (Shapley)")
        )
    return "".join(parts)


def _uncertainty(study: dict[str, Any] | None, folder: Path) -> str:
    if not study:
        return "<p>Not run (<code>--uncertainty N</code>).</p>"
    window = study["window"]
    parts = [
        f"<p>{study['finished']} of {plural(study['samples'], 'input set')} "
        f"({_e(study['design'])}); each "
        f"runs {_e(study['reference'])} and {_e(study['scenario'])} on common random numbers "
        f"for {window['horizon']:g} {_e(window['time_unit'])} after {window['warmup']:g} "
        f"{_e(window['time_unit'])} warm-up, {plural(window['replications'], 'replication')} "
        f"(the comparison: {window['comparison_horizon']:g} {_e(window['time_unit'])}, "
        f"{plural(window['comparison_replications'], 'replication')}).</p>"
    ]
    if study.get("partial"):
        parts.append("<p class='partial'>Partial study: not every input set finished.</p>")
    rows = []
    for key, row in study["readings"].items():
        if not row.get("n"):
            rows.append([_e(key), f"{row['claimed_percent']:+g}", "-", "-", "-", "-"])
            continue
        change = row["change"]
        ranked = [f"{_e(n)} ({v:+.2f})" for n, v in study["sensitivity"].get(key, {}).items() if v][
            :3
        ]
        rows.append(
            [
                _e(row["reading"]),
                f"{row['claimed_percent']:+g}",
                f"{row['probability_met']:.2f} [{row['probability_ci95'][0]:.2f}, "
                f"{row['probability_ci95'][1]:.2f}]",
                f"{change['mean']:+.1f}",
                f"{change['p05']:+.1f} / {change['p50']:+.1f} / {change['p95']:+.1f}",
                ", ".join(ranked) or "-",
            ]
        )
    parts.append(
        _table(
            [
                "reading",
                "claimed [%]",
                "P(met) [95 % CI]",
                "mean change [%]",
                "p05 / p50 / p95 [%]",
                "hinges most on (SRC)",
            ],
            rows,
        )
    )
    parts.append(f"<p class='sub'>{_e(study['sensitivity_method'])}.</p>")
    inputs = [
        [
            _e(name),
            _e(item["kind"]),
            format_number(item["low"]),
            format_number(item["mode"]),
            format_number(item["high"]),
            _e(item["source"]),
        ]
        for name, item in study["inputs"].items()
    ]
    parts.append(_table(["input", "kind", "low", "mode", "high", "source"], inputs))
    parts.append(
        _figure(folder, "uncertainty_changes.png", "Change of each reading over the input sets")
    )
    parts.append(_figure(folder, "uncertainty_tornado.png", "What the verdict hinges on"))
    return "".join(parts)


def render_comparison_report(
    folder: str | os.PathLike[str], content: dict[str, Any], study: dict[str, Any] | None = None
) -> str:
    """Return the comparison's report page."""
    out = Path(folder)
    names = content["scenarios"]
    unit = content.get("time_unit", "")
    title = content.get("name") or " vs ".join(names)
    links = " · ".join(
        f'<a href="{_e(name)}/report.html">{_e(name)}</a>'
        for name in names
        if (out / name / "report.html").is_file()
    )
    units = content.get("units_converted")
    sections = [
        f"<h1>{_e(title)}</h1>",
        f"<p class='sub'>{_e(', '.join(names[1:]))} against {_e(content['reference'])}: "
        f"{plural(content['replications'], 'replication')} of {content['horizon']:g} "
        f"{_e(unit)} after "
        f"{content['warmup']:g} {_e(unit)} warm-up, seed {content['seed']}, common random "
        "numbers, 95 % paired confidence intervals.</p>",
    ]
    if content.get("partial"):
        sections.append("<p class='partial'>Partial comparison: it was interrupted.</p>")
    for warning in content.get("warnings") or []:
        sections.append(f"<p class='partial'>Warning: {_e(warning)}</p>")
    if units:
        sections.append(f"<p class='sub'>{_e(units['note'])}.</p>")
    if links:
        sections.append(f"<p>Each scenario's own report: {links}</p>")
    sections += [
        "<h2>The claim</h2>",
        _claim(content),
        _figure(out, "comparison.png", "Paired change of each KPI with its 95 % CI"),
        "<h2>Bottleneck before and after</h2>",
        _bottleneck(content),
        "<h2>KPIs</h2>",
        _kpis(content),
        _figure(out, "throughput.png", "Cumulative good output of each scenario"),
        _figure(out, "costs.png", "Cost per Ah by category"),
        "<h2>Attribution to the levers</h2>",
        _attribution(content, out),
        "<h2>The claim under input uncertainty</h2>",
        _uncertainty(study, out),
        "<footer>linesim comparison report; built from comparison.json"
        + (" and uncertainty.json" if study else "")
        + ".</footer>",
    ]
    body = "\n".join(part for part in sections if part)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{_e(title)}</title><style>{_CSS}</style></head><body>\n{body}\n</body></html>\n"
    )


def write_comparison_report(
    folder: str | os.PathLike[str], content: dict[str, Any], study: dict[str, Any] | None = None
) -> Path:
    """Write ``report.html`` into the comparison folder and return its path."""
    path = Path(folder) / REPORT_NAME
    write_text(path, render_comparison_report(folder, content, study))
    return path
