"""Write a comparison: ``comparison.json``, ``comparison.csv``, the scenarios' folders,
``uncertainty.json``, plots and ``report.html`` (atomic writes)."""

from __future__ import annotations

import os
from contextlib import suppress
from pathlib import Path
from typing import Any

from sim.atomic import write_csv, write_json
from sim.experiment.compare import ComparisonResult
from sim.experiment.pairs import Comparison
from sim.report.run_folder import STORE, ResultsFolder

__all__ = [
    "COMPARISON_COLUMNS",
    "comparison_rows",
    "publish_comparison",
    "write_comparison",
    "write_comparison_folder",
]


COMPARISON_COLUMNS = [
    "kpi",
    "scenario",
    "mean",
    "std",
    "ci95_low",
    "ci95_high",
    "n",
    "unit",
    "change",
    "change_ci95_low",
    "change_ci95_high",
    "change_percent",
    "change_percent_ci95_low",
    "change_percent_ci95_high",
]
"""The columns of comparison.csv and of ``sim.compare(...).to_frame()``: the scenario's
estimate of the KPI (in ``unit``), its paired change against the reference (in ``unit``)
and that change in % of the reference, each with its 95 % CI (empty for the reference)."""


def comparison_rows(content: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per KPI and scenario of ``comparison.json``'s content, with the
    :data:`COMPARISON_COLUMNS`; ``None`` where there is no value."""
    rows = []
    units = content.get("units", {})
    for kpi, per_scenario in content["kpis"].items():
        for name, value in per_scenario.items():
            ci = value.get("ci95") or [None, None]
            diff = content.get("differences", {}).get(kpi, {}).get(name) or {}
            dci = diff.get("ci95") or [None, None]
            pct = diff.get("percent") or {}
            pci = pct.get("ci95") or [None, None]
            cells = [kpi, name, value.get("mean"), value.get("std"), ci[0], ci[1]]
            cells += [value.get("n"), units.get(kpi, "-"), diff.get("mean"), dci[0], dci[1]]
            cells += [pct.get("mean"), pci[0], pci[1]]
            rows.append(dict(zip(COMPARISON_COLUMNS, cells, strict=True)))
    return rows


def write_comparison(
    content: dict[str, Any], comparison: Comparison, out_dir: str | os.PathLike[str]
) -> list[Path]:
    """Write the comparison's JSON and one CSV row per KPI and scenario (the
    :data:`COMPARISON_COLUMNS`); return the paths."""
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    path_json = folder / "comparison.json"
    write_json(path_json, content)
    path_csv = folder / "comparison.csv"
    rows = [[row[c] for c in COMPARISON_COLUMNS] for row in comparison_rows(content)]
    write_csv(path_csv, COMPARISON_COLUMNS, rows)
    return [path_json, path_csv]


def write_comparison_folder(
    result: ComparisonResult, out_dir: str | os.PathLike[str], plots: bool = True
) -> list[Path]:
    """Write everything a comparison produced into ``out_dir``: ``comparison.json`` and
    ``.csv``, each scenario's results folder, ``uncertainty.json`` with ``--uncertainty``,
    and with ``plots`` the PNG plots, each scenario's report and the comparison's
    ``report.html``. Return the main files written."""
    from sim.analysis.summary import build_summary
    from sim.report.results import write_results

    folder = Path(out_dir)
    written = write_comparison(result.content, result.comparison, folder)
    for run in result.comparison.runs:
        write_results(run, build_summary(run), folder / run.scenario.name)
    if result.uncertainty is not None:
        path = folder / "uncertainty.json"
        write_json(path, result.uncertainty)
        written.append(path)
    if plots:
        from sim.report.redraw import draw_comparison

        written.append(draw_comparison(folder, result.content, result.uncertainty)[-1])
    return written


def publish_comparison(
    result: ComparisonResult, folder: ResultsFolder, plots: bool = True
) -> list[Path]:
    """Write the comparison into ``folder``'s staging folder (prepared before the
    simulation), carry the uncertainty study's store of finished runs over from the
    target, and rename the whole into place (the comparison it replaces is kept as
    ``<target>.previous``); return the main files at their final place."""
    staging = folder.staging
    assert staging is not None, "prepare() the folder before simulating"
    written = write_comparison_folder(result, staging, plots=plots)
    store = folder.target / STORE
    moved = store.is_dir() and not (staging / STORE).exists()
    if moved:
        os.replace(store, staging / STORE)
    try:
        final = folder.publish(keep_previous=True)
    except OSError:
        if moved:  # the finished runs outlive a failed publish: a rerun resumes from them
            with suppress(OSError):
                store.parent.mkdir(parents=True, exist_ok=True)
                os.replace(staging / STORE, store)
        raise
    return [final / path.relative_to(staging) for path in written]
