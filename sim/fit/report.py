"""The fit report: per station, each fitted duration's ECDF against the fitted curves and a
Q-Q plot of the chosen family (PNG), gathered in a self-contained ``report.html``."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import numpy as np

from sim.atomic import atomic_open, write_text
from sim.fit.families import _frozen
from sim.fit.station_fit import StationFit
from sim.model.units import SECONDS_PER
from sim.report.page import PAGE_CSS

__all__ = ["write_report"]

PLOT_POINTS = 4_000
"""Observations drawn at most per curve [-] (an even subsample keeps the shape)."""
TITLES = {
    "process_time": "process time",
    "up_time": "up-time (complete only)",
    "repair_time": "repair time",
    "setup_time": "setup time",
}


def _even(values: np.ndarray, size: int) -> np.ndarray:
    values = np.sort(values)
    if len(values) <= size:
        return values
    return values[np.linspace(0, len(values) - 1, size).astype(np.int64)]


def _station_figure(fit: StationFit, path: Path, unit: str) -> Path | None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    kinds = [k for k in TITLES if k in fit.fits and len(fit.fits[k][1]) > 1]
    if not kinds:
        return None
    per_second = 1.0 / SECONDS_PER[unit]
    figure, axes = plt.subplots(len(kinds), 2, figsize=(10, 3.4 * len(kinds)), squeeze=False)
    for row, kind in enumerate(kinds):
        result, data = fit.fits[kind]
        sample = _even(data, PLOT_POINTS)
        ecdf = (np.arange(1, len(sample) + 1) - 0.5) / len(sample)
        left, right = axes[row]
        left.step(sample * per_second, ecdf, where="mid", color="black", lw=1.5, label="log (ECDF)")
        grid = np.linspace(0, sample.max(), 300)
        for candidate in result.candidates[:3]:
            frozen = _frozen(candidate.family, candidate.params)
            left.plot(
                grid * per_second,
                frozen.cdf(grid),
                lw=1.2,
                label=f"{candidate.family} (AIC {candidate.aic:,.0f})",
            )
        left.set_xlabel(f"{TITLES[kind]} [{unit}]")
        left.set_ylabel("share at or below [-]")
        left.set_title(f"{fit.name}: {TITLES[kind]}, n = {result.n:,}")
        left.legend(fontsize=8)
        best = result.best()
        if best is not None:
            frozen = _frozen(best.family, best.params)
            theoretical = frozen.ppf(ecdf)
            right.plot(theoretical * per_second, sample * per_second, ".", ms=2, color="tab:blue")
            top = float(max(theoretical.max(), sample.max())) * per_second
            right.plot([0, top], [0, top], color="grey", lw=1)
            right.set_xlabel(f"{best.family} quantile [{unit}]")
            right.set_ylabel(f"log quantile [{unit}]")
            ks = f"KS p = {best.ks_p:.2g}" if np.isfinite(best.ks_p) else "censored, no KS"
            right.set_title(f"Q-Q, {best.family}: {ks}")
        else:
            right.text(0.5, 0.5, f"{result.chosen}: no Q-Q plot", ha="center", va="center")
            right.set_axis_off()
    figure.tight_layout()
    with atomic_open(path, binary=True) as stream:
        figure.savefig(stream, format="png", dpi=90)
    plt.close(figure)
    return path


_CSS = (
    PAGE_CSS
    + """td.text,th.text{text-align:left}td code{font-size:90%}
figure img{width:auto;max-width:100%}
.warnings li{color:#8a5a00}
"""
)
"""The look of the run and comparison reports, with the evidence column read left and
the station figures at their own size (900 px wide), not stretched."""


def write_report(folder: Path, fits: list[StationFit], record: dict[str, Any], unit: str) -> Path:
    """Write ``fit_<station>.png`` per station and ``report.html`` (styled as the run and
    comparison reports, from ``templates/fit_report.html.j2``); return the report."""
    from sim.report.templating import render

    stations = []
    for fit in fits:
        image = _station_figure(fit, folder / f"fit_{fit.name}.png", unit)
        encoded = base64.b64encode(image.read_bytes()).decode("ascii") if image else ""
        settings = [
            {
                "path": setting.path,
                "value": str(setting.value)[:200],
                "unit": setting.unit,
                "comment": setting.comment,
            }
            for setting in fit.settings
        ]
        stations.append({"name": fit.name, "settings": settings, "png": encoded})
    summary = (
        f"Line {record['line']}; {record['rows_read']:,} rows read, "
        f"{record['rows_used']:,} used; period {record['period']:.6g} {unit}; confidence "
        f"{record['confidence'] * 100:g}%."
    )
    page = render(
        "fit_report.html.j2",
        css=_CSS,
        log=record["log"],
        summary=summary,
        warnings=[str(w) for w in record["warnings"]] if record["problems"] else None,
        stations=stations,
    )
    path = folder / "report.html"
    write_text(path, page)
    return path
