"""Turn one station's observations into fitted line values: dotted settings with their
evidence (n, CI, family) and a JSON record. Durations leave here in the line's time unit."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sim.engine.monitor import STATES
from sim.fit.families import (
    DistributionFit,
    Estimate,
    exposure_mean,
    fit_distribution,
    share_estimate,
)
from sim.fit.intervals import StationData
from sim.model.station import Station
from sim.model.units import SECONDS_PER

__all__ = ["FitSettings", "Setting", "StationFit", "fit_station"]

UP_FAMILIES = ("exponential", "gamma", "lognormal", "weibull")
"""Candidates for up-times and repairs; the engine draws them exponential (cv 1) or gamma
(``ttf_cv`` / ``ttr_cv``), so the written shape is the gamma cv unless exponential wins."""


@dataclass(frozen=True)
class FitSettings:
    """How to fit: confidence level [-], minor-stop threshold [s], line time unit."""

    confidence: float = 0.95
    minor_stop: float = 0.0
    time_unit: str = "h"


@dataclass(frozen=True)
class Setting:
    """One dotted override of the fitted scenario, with the comment that justifies it and
    the unit its numbers are in (the line's time unit, 'cycles', 'share', '-' for a
    coefficient of variation, '' for a word)."""

    path: str
    value: Any
    comment: str
    unit: str = ""


@dataclass
class StationFit:
    """The settings and the JSON record of one station; ``fits`` keeps each distribution
    fit (in seconds) with its data for the report's plots."""

    name: str
    settings: list[Setting] = field(default_factory=list)
    record: dict[str, Any] = field(default_factory=dict)
    fits: dict[str, tuple[DistributionFit, np.ndarray]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def _g(value: float) -> float:
    """Round to 6 significant digits for the scenario file."""
    return float(f"{value:.6g}") if math.isfinite(value) else value


def _ci(estimate: Estimate, unit: str = "") -> str:
    return f"[{estimate.low:.4g}, {estimate.high:.4g}]{unit}"


def _dist_value(fit: DistributionFit, per_second: float) -> dict[str, Any]:
    """The engine's distribution mapping of a fit, in the line's time unit."""
    mean = _g(fit.mean.value * per_second)
    best = fit.best()
    if fit.chosen == "constant":
        return {"dist": "constant", "value": mean}
    if fit.chosen == "empirical":
        return {"dist": "empirical", "values": [_g(q * per_second) for q in fit.quantiles]}
    assert best is not None
    if fit.chosen == "exponential":
        return {"dist": "exponential", "mean": mean}
    if fit.chosen == "weibull":
        return {"dist": "weibull", "shape": _g(best.params[0]), "mean": _g(best.mean * per_second)}
    return {"dist": fit.chosen, "mean": _g(best.mean * per_second), "cv": _g(best.cv)}


def _evidence(fit: DistributionFit, per_second: float, unit: str, level: str) -> str:
    ranked = ", ".join(
        f"{c.family} {c.aic - fit.candidates[0].aic:+.1f}" for c in fit.candidates[1:4]
    )
    best = fit.best()
    parts = [
        f"n={fit.n:,}" + (f" (+{fit.censored:,} censored)" if fit.censored else ""),
        f"mean {fit.mean.value * per_second:.4g} {unit}, {level} CI "
        f"{_ci(fit.mean.scaled(per_second))}",
        f"cv {fit.cv.value:.3g} {_ci(fit.cv)}",
    ]
    if best is not None:
        parts.append(f"{fit.chosen} by AIC" + (f" (dAIC {ranked})" if ranked else ""))
        parts.append(
            f"KS p={best.ks_p:.2g}" if math.isfinite(best.ks_p) else "KS not run (censored)"
        )
    else:
        parts.append(fit.chosen)
    return "; ".join(parts)


def _lot_fit(times: np.ndarray, cycles: np.ndarray, confidence: float) -> tuple[Estimate, Estimate]:
    """Mean and cv per cycle [s] from runs of several cycles: ratio estimator, each run
    the sum of its cycles' independent times."""
    from scipy import stats

    n = len(times)
    mean = float(times.sum() / cycles.sum())
    residual = times - mean * cycles
    z = float(stats.norm.ppf(0.5 + confidence / 2))
    half = z * math.sqrt(float((residual**2).sum()) * n / max(n - 1, 1)) / float(cycles.sum())
    variance = float((residual**2 / cycles).mean())
    cv = math.sqrt(max(variance, 0.0)) / mean if mean > 0 else math.nan
    return Estimate(mean, mean - half, mean + half, n), Estimate(cv, math.nan, math.nan, n)


def fit_station(data: StationData, spec: Station, settings: FitSettings) -> StationFit:
    """Fit ``spec``'s process time, failures, minor stops, setups, maintenance and scrap to
    what its machines did in the log (``data``)."""
    confidence = settings.confidence
    unit = settings.time_unit
    per_second = 1.0 / SECONDS_PER[unit]
    level = f"{confidence * 100:g}%"
    prefix = f"stations.{spec.name}"
    result = StationFit(spec.name)
    accounted = float(data.state_time[: len(STATES)].sum())
    period_machines = float(data.state_time.sum())
    record: dict[str, Any] = {
        "machines_in_log": data.machines,
        "machines_in_line": spec.machines,
        "state_share": {
            name: float(data.state_time[i] / accounted) if accounted else None
            for i, name in enumerate(STATES)
        },
        "unknown_share": float(data.state_time[len(STATES)] / period_machines)
        if period_machines
        else 0.0,
        "unaccounted_share": float(data.state_time[len(STATES) + 1] / period_machines)
        if period_machines
        else 0.0,
        "units": data.units,
        "scrap_units": data.scrap,
        "completions": data.completions,
        "cycles_dropped": data.cycles_dropped,
    }
    if data.units_on_idle_rows:
        result.notes.append(
            f"{spec.name}: {data.units_on_idle_rows:,} rows with units or scrap are not busy "
            "rows; counted as output, each ends the cycle before it"
        )
    if data.machines != spec.machines:
        result.notes.append(
            f"{spec.name}: the log shows {data.machines} machine(s), the line has {spec.machines}"
        )

    # Process time.
    quantity = data.cycle_quantity
    per_cycle = (spec.output or {}).get(spec.output_material or "", 1.0)
    cycles = quantity / per_cycle
    if len(data.cycle_time):
        batched = spec.batch is not None
        single = bool(np.all(np.abs(cycles - 1.0) < 1e-9))
        if batched or single:
            fit = fit_distribution(data.cycle_time, confidence=confidence)
            assert fit is not None
            value = _dist_value(fit, per_second)
            what = "per batch" if batched else "per cycle"
            result.settings.append(
                Setting(
                    f"{prefix}.process_time",
                    value,
                    f"{what}: " + _evidence(fit, per_second, unit, level),
                    unit,
                )
            )
            result.fits["process_time"] = (fit, data.cycle_time)
            record["process_time"] = {**fit.as_dict(), "basis": what, "unit": "s"}
        else:
            mean, cv = _lot_fit(data.cycle_time, cycles, confidence)
            value = {"dist": "gamma", "mean": _g(mean.value * per_second), "cv": _g(cv.value)}
            if cv.value < 1e-6:
                value = {"dist": "constant", "value": _g(mean.value * per_second)}
            result.settings.append(
                Setting(
                    f"{prefix}.process_time",
                    value,
                    f"per cycle from {mean.n:,} runs of {cycles.mean():.4g} cycles on average: "
                    f"mean {level} CI {_ci(mean.scaled(per_second))} {unit}; cv by moments "
                    "(runs are sums of cycles, so no family is fitted)",
                    unit,
                )
            )
            record["process_time"] = {
                "basis": "per cycle, from runs of several cycles",
                "mean": mean.as_dict(),
                "cv": cv.as_dict(),
                "unit": "s",
            }
        if spec.speed is not None:
            result.settings.append(Setting(f"{prefix}.speed", None, "replaced by process_time"))

    # Failures.
    basis = spec.failures.basis if spec.failures is not None else "operating"
    up = data.up_operating if basis == "operating" else data.up_calendar
    exposure = data.busy_exposure if basis == "operating" else data.calendar_exposure
    record["failures"] = {
        "count": data.failures,
        "basis": basis,
        "mtbf_operating_s": exposure_mean(data.busy_exposure, data.failures, confidence).as_dict(),
        "mtbf_calendar_s": exposure_mean(
            data.calendar_exposure, data.failures, confidence
        ).as_dict(),
    }
    if data.failures > 0:
        up_fit = fit_distribution(up.complete, up.censored, confidence, UP_FAMILIES)
        exponential = up_fit is None or up_fit.chosen in ("exponential", "constant", "empirical")
        ttf_cv = 1.0 if exponential or up_fit is None else up_fit.cv.value
        # Exponential up-times: every hour of exposure counts, also the stretch before
        # each machine's first failure (memoryless). Otherwise the censored gamma fit.
        mtbf = (
            exposure_mean(exposure, data.failures, confidence)
            if exponential or up_fit is None
            else up_fit.mean
        )
        shape = (
            f"; up-times {_evidence(up_fit, per_second, unit, level)}" if up_fit is not None else ""
        )
        result.settings.append(
            Setting(
                f"{prefix}.failures.mtbf",
                _g(mtbf.value * per_second),
                f"{basis} basis: {data.failures:,} failures in {exposure * per_second:.4g} "
                f"{unit}, {level} CI {_ci(mtbf.scaled(per_second))} {unit}{shape}",
                unit,
            )
        )
        result.settings.append(Setting(f"{prefix}.failures.basis", basis, "as in the line"))
        if up_fit is not None:
            result.settings.append(
                Setting(
                    f"{prefix}.failures.ttf_cv",
                    _g(ttf_cv),
                    "exponential up-times" if exponential else f"gamma, cv CI {_ci(up_fit.cv)}",
                    "-",
                )
            )
            result.fits["up_time"] = (up_fit, up.complete)
        record["failures"]["mtbf"] = {**mtbf.as_dict(), "unit": "s"}
        record["failures"]["up_time"] = up_fit.as_dict() if up_fit else None
        repair_fit = fit_distribution(
            data.repairs.complete, data.repairs.censored, confidence, UP_FAMILIES
        )
        if repair_fit is not None:
            exponential = repair_fit.chosen in ("exponential", "empirical")
            result.settings.append(
                Setting(
                    f"{prefix}.failures.mttr",
                    _g(repair_fit.mean.value * per_second),
                    "repairs " + _evidence(repair_fit, per_second, unit, level),
                    unit,
                )
            )
            result.settings.append(
                Setting(
                    f"{prefix}.failures.ttr_cv",
                    1.0 if exponential else _g(repair_fit.cv.value),
                    "exponential repairs" if exponential else "gamma repairs",
                    "-",
                )
            )
            result.fits["repair_time"] = (repair_fit, data.repairs.complete)
            record["failures"]["repair_time"] = repair_fit.as_dict()
        record["failures"]["left_truncated_up_times"] = up.left
    elif spec.failures is not None:
        lower = exposure_mean(exposure, 0, confidence)
        result.notes.append(
            f"{spec.name}: no failure in {exposure * per_second:.4g} {unit} of {basis} time; "
            f"MTBF > {lower.low * per_second:.4g} {unit} ({level}), kept the line's value"
        )

    # Minor stops (operating basis, exponential gaps and durations, as the engine draws).
    stops = data.minor_stops
    if stops.count > 0:
        gap = exposure_mean(data.busy_exposure, stops.count, confidence)
        length = exposure_mean(
            float(stops.complete.sum() + stops.censored.sum()),
            max(len(stops.complete), 1),
            confidence,
        )
        result.settings.append(
            Setting(
                f"{prefix}.minor_stops.mtbf",
                _g(gap.value * per_second),
                f"{stops.count:,} stops in {data.busy_exposure * per_second:.4g} {unit} busy, "
                f"{level} CI {_ci(gap.scaled(per_second))} {unit}",
                unit,
            )
        )
        result.settings.append(
            Setting(
                f"{prefix}.minor_stops.duration",
                _g(length.value * per_second),
                f"mean of {len(stops.complete):,}, {level} CI "
                f"{_ci(length.scaled(per_second))} {unit}",
                unit,
            )
        )
        record["minor_stops"] = {"gap": gap.as_dict(), "duration": length.as_dict(), "unit": "s"}

    # Setups.
    setups = data.setups
    if setups.count > 0:
        setup_fit = fit_distribution(setups.complete, setups.censored, confidence)
        if setup_fit is not None:
            time_value = _dist_value(setup_fit, per_second)
            evidence = _evidence(setup_fit, per_second, unit, level)
            trigger: tuple[str, float]
            if spec.setup is not None and spec.setup.every is not None:
                cycles_total = float((quantity / per_cycle).sum()) if len(quantity) else 0.0
                trigger = ("every", max(1, round(cycles_total / setups.count)))
            else:
                trigger = ("interval", _g(data.calendar_exposure / setups.count * per_second))
            if spec.setup is None:
                result.settings.append(
                    Setting(
                        f"{prefix}.setup",
                        {trigger[0]: trigger[1], "time": time_value},
                        f"{setups.count:,} setups; time {evidence}",
                        unit if trigger[0] == "interval" else f"{unit}; every: cycles",
                    )
                )
            else:
                result.settings.append(Setting(f"{prefix}.setup.time", time_value, evidence, unit))
                result.settings.append(
                    Setting(
                        f"{prefix}.setup.{trigger[0]}",
                        trigger[1],
                        f"{setups.count:,} setups",
                        unit if trigger[0] == "interval" else "cycles",
                    )
                )
            result.fits["setup_time"] = (setup_fit, setups.complete)
            record["setups"] = {**setup_fit.as_dict(), "count": setups.count, "unit": "s"}

    # Planned maintenance.
    windows = data.maintenance
    if windows.count > 0 and len(windows.complete):
        duration = float(windows.complete.mean())
        spacing = data.calendar_exposure / windows.count
        result.settings.append(
            Setting(
                f"{prefix}.maintenance",
                {"every": _g(spacing * per_second), "duration": _g(duration * per_second)},
                f"{windows.count:,} windows",
                unit,
            )
        )
        record["maintenance"] = {
            "count": windows.count,
            "every_s": spacing,
            "duration_s": duration,
        }

    # Scrap share.
    if data.scrap > 0 or (spec.scrap and data.units > 0):
        share = share_estimate(data.scrap, data.units + data.scrap, confidence)
        result.settings.append(
            Setting(
                f"{prefix}.scrap",
                _g(share.value),
                f"{data.scrap:,.0f} of {data.units + data.scrap:,.0f} units, {level} CI "
                f"{_ci(share)} (Clopper-Pearson)",
                "share",
            )
        )
        record["scrap"] = share.as_dict()
    result.record = record
    return result
