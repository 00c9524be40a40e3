"""Write a comparison: ``comparison.json`` and ``comparison.csv`` (atomic writes)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sim.experiment.compare import Comparison
from sim.report.files import write_csv, write_json

__all__ = ["write_comparison"]


def write_comparison(
    content: dict[str, Any], comparison: Comparison, out_dir: str | os.PathLike[str]
) -> list[Path]:
    """Write the comparison's JSON and one CSV row per KPI and scenario; return the paths.

    CSV columns: the scenario's mean and 95% CI, and its paired difference against the
    reference, absolute and in percent, each with its 95% CI.
    """
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    path_json = folder / "comparison.json"
    write_json(path_json, content)
    rows = []
    reference = content["reference"]
    for kpi, per_scenario in content["kpis"].items():
        for name, value in per_scenario.items():
            ci = value["ci95"] or [None, None]
            diff = content["differences"][kpi].get(name) if name != reference else None
            dci = (diff or {}).get("ci95") or [None, None]
            pct = (diff or {}).get("percent") or {}
            pci = pct.get("ci95") or [None, None]
            rows.append(
                [
                    kpi,
                    name,
                    value["mean"],
                    ci[0],
                    ci[1],
                    (diff or {}).get("mean"),
                    dci[0],
                    dci[1],
                    pct.get("mean"),
                    pci[0],
                    pci[1],
                ]
            )
    path_csv = folder / "comparison.csv"
    write_csv(
        path_csv,
        [
            "kpi",
            "scenario",
            "mean",
            "ci95_low",
            "ci95_high",
            "difference",
            "difference_low",
            "difference_high",
            "percent",
            "percent_low",
            "percent_high",
        ],
        rows,
    )
    return [path_json, path_csv]
