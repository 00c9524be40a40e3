"""A sweep's results folder: ``sweep.json``, ``sweep.csv``, ``sweep.parquet`` and plots.

``sweep.csv`` has one row per finished point: the point's number, its parameter values,
the replications, then for each KPI its mean, std and 95% interval (``<kpi>_mean``,
``<kpi>_std``, ``<kpi>_ci95_low``, ``<kpi>_ci95_high``). ``sweep.parquet`` holds the same
table when pyarrow is installed. ``sweep.json`` holds the settings, the same rows (each
KPI with its unit), the unit of each parameter (``parameter_units``, null where the line
schema gives none) and, for a CONWIP sweep, the Factory Physics reference line
parameters.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from sim.analysis.bounds import LineBounds, line_bounds
from sim.atomic import write_csv, write_json
from sim.experiment.sweep import SweepResult
from sim.report.labels import parameter_unit
from sim.summary_lookup import kpi_estimate

__all__ = ["CONWIP_PARAMETER", "sweep_content", "write_sweep"]

CONWIP_PARAMETER = "release.wip"
"""The parameter whose sweep gets the Factory Physics curves."""


def _plain(value: Any) -> Any:
    """A parameter value as a table cell: numbers and text as they are, others as JSON."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return json.dumps(value, sort_keys=True)


def sweep_content(result: SweepResult) -> dict[str, Any]:
    """Return the content of ``sweep.json``: settings, rows of finished points, bounds."""
    spec = result.spec
    rows = []
    for number, (point, summary) in enumerate(zip(spec.points, result.summaries, strict=True)):
        if summary is None:
            continue
        rows.append(
            {
                "point": number,
                "parameters": {k: _plain(v) for k, v in point.items()},
                "replications": summary.get("replications"),
                "kpis": {kpi: kpi_estimate(summary, kpi) for kpi in result.kpis},
            }
        )
    first = result.scenarios[0] if result.scenarios else None
    content: dict[str, Any] = {
        "sweep": spec.name,
        "file": spec.file.path,
        "scenario": first.name if first else None,
        "time_unit": first.line.time_unit if first else None,
        "design": spec.design,
        "parameters": spec.parameters,
        "kpis": result.kpis,
        "points": len(spec.points),
        "finished": len(rows),
        "partial": result.partial,
        "seed": first.seed if first else None,
        "horizon": first.horizon if first else None,
        "warmup": first.warmup if first else None,
        "rows": rows,
    }
    if first is not None:  # for the plots' axes (a sweep does not change a unit)
        content["parameter_units"] = {
            parameter: parameter_unit(parameter, first.line) for parameter in spec.parameters
        }
    if CONWIP_PARAMETER in spec.parameters and first is not None:
        bounds = [line_bounds(scenario.line) for scenario in result.scenarios]
        reason = next((b for b in bounds if isinstance(b, str)), None)
        if (
            reason is None
            and len(
                {
                    (b.bottleneck_rate, b.raw_process_time)  # type: ignore[union-attr]  # no str left
                    for b in bounds
                }
            )
            > 1
        ):
            reason = "the sweep changes r_b or T0 between points"
        if reason is None:
            assert isinstance(bounds[0], LineBounds)
            content["bounds"] = {
                "bottleneck_rate": bounds[0].bottleneck_rate,
                "raw_process_time": bounds[0].raw_process_time,
                "critical_wip": bounds[0].critical_wip,
            }
        else:
            content["bounds"] = {"not_applicable": reason}
    return content


def _cells(estimate: dict[str, Any]) -> list[Any]:
    ci = estimate.get("ci95") or [None, None]
    mean = estimate.get("mean")
    if isinstance(mean, float) and math.isnan(mean):
        mean = None
    return [mean, estimate.get("std"), ci[0], ci[1]]


def write_sweep(result: SweepResult, folder: str | Path, plots: bool = True) -> list[Path]:
    """Write sweep.json, sweep.csv, sweep.parquet (with pyarrow) and the plots; return
    the files written."""
    folder = Path(folder)
    content = sweep_content(result)
    written = [folder / "sweep.json"]
    write_json(written[0], content)
    header = ["point", *content["parameters"], "replications"]
    for kpi in content["kpis"]:
        header += [f"{kpi}_mean", f"{kpi}_std", f"{kpi}_ci95_low", f"{kpi}_ci95_high"]
    rows = []
    for row in content["rows"]:
        cells = [
            row["point"],
            *(row["parameters"][p] for p in content["parameters"]),
            row["replications"],
        ]
        for kpi in content["kpis"]:
            cells += _cells(row["kpis"][kpi])
        rows.append(cells)
    written.append(folder / "sweep.csv")
    write_csv(written[-1], header, rows)
    parquet = _write_parquet(folder / "sweep.parquet", header, rows)
    if parquet is not None:
        written.append(parquet)
    if plots and content["rows"]:
        from sim.report.plot_sweep import write_sweep_plots

        written += write_sweep_plots(content, folder / "plots")
    return written


def _write_parquet(path: Path, header: list[str], rows: list[list[Any]]) -> Path | None:
    """Write the table as Parquet if pyarrow is importable; return the path or None."""
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        return None
    columns = {}
    for index, name in enumerate(header):
        cells = [row[index] for row in rows]
        try:
            columns[name] = pa.array(cells)
        except (pa.ArrowInvalid, pa.ArrowTypeError):  # mixed kinds: keep them as text
            columns[name] = pa.array([None if c is None else str(c) for c in cells])
    table = pa.table(columns)
    temporary = path.with_name(f".{path.name}.tmp")
    pq.write_table(table, temporary)
    temporary.replace(path)
    return path
