"""Fit the engine's distribution families to durations by maximum likelihood (scipy.stats),
right-censored observations included, ranked by AIC and checked with Kolmogorov-Smirnov.

Every estimate carries a confidence interval at the level asked for: the mean from a
t-interval (complete data) or from the exposure per event (censored data, chi-square for
exponential times); the coefficient of variation by the delta method on the first two
moments (complete data) or from a censored gamma fit's Wald intervals (censored data,
where the mean is the exposure per event when exponential times fit best).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = [
    "FAMILIES",
    "DistributionFit",
    "Estimate",
    "FamilyFit",
    "exposure_mean",
    "fit_distribution",
    "share_estimate",
]

FAMILIES = ("exponential", "gamma", "lognormal", "weibull", "normal")
"""Parametric candidates, the engine's own families; ``empirical`` is the fallback."""
KS_SAMPLE = 10_000
"""Observations the KS test uses at most [-]: with millions any model is rejected for
differences too small to matter, so the p-value is taken on an even subsample."""
FIT_SAMPLE = 20_000
"""Observations the parameters of a family are estimated from at most [-] (an even
subsample of the sorted values); log-likelihood, AIC, mean and cv use all."""
CENSORED_KS = 0.05
"""Largest censored share for which KS is run on the complete observations [-]: beyond it
they are a biased (short) selection, so no KS p-value is given and the choice rests on
AIC, which accounts for censoring."""
EMPIRICAL_POINTS = 100
"""Quantiles written for an empirical distribution [-]."""
REJECT_P = 0.001
"""Below this KS p-value on the subsample the best parametric family is rejected and an
empirical distribution is written instead [-]."""


@dataclass(frozen=True)
class Estimate:
    """A value with its confidence interval; ``n`` observations behind it [-]."""

    value: float
    low: float
    high: float
    n: int

    def scaled(self, factor: float) -> Estimate:
        """The same estimate in another unit (``factor`` new units per old unit)."""
        return Estimate(self.value * factor, self.low * factor, self.high * factor, self.n)

    def as_dict(self) -> dict[str, Any]:
        return {"value": self.value, "ci": [self.low, self.high], "n": self.n}


@dataclass(frozen=True)
class FamilyFit:
    """One candidate family: its parameters (scipy form), log-likelihood, AIC and KS test."""

    family: str
    params: tuple[float, ...]
    mean: float
    cv: float
    loglik: float
    aic: float
    ks_statistic: float
    ks_p: float

    def as_dict(self) -> dict[str, Any]:
        return {
            "family": self.family,
            "mean": self.mean,
            "cv": self.cv,
            "loglik": self.loglik,
            "aic": self.aic,
            "ks_statistic": self.ks_statistic,
            "ks_p": self.ks_p,
        }


@dataclass(frozen=True)
class DistributionFit:
    """The fit of one kind of duration: mean and cv with CIs, the ranked candidates and the
    chosen family (``constant`` when all values are equal, ``empirical`` when every family
    is rejected). Durations are in the unit of the data given."""

    n: int
    censored: int
    mean: Estimate
    cv: Estimate
    candidates: list[FamilyFit]
    chosen: str
    quantiles: list[float] = field(default_factory=list)

    def best(self) -> FamilyFit | None:
        """The chosen parametric fit, if one was chosen."""
        return next((c for c in self.candidates if c.family == self.chosen), None)

    def as_dict(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "censored": self.censored,
            "mean": self.mean.as_dict(),
            "cv": self.cv.as_dict(),
            "chosen": self.chosen,
            "candidates": [c.as_dict() for c in self.candidates],
        }


_SCIPY = {
    "exponential": "expon",
    "gamma": "gamma",
    "lognormal": "lognorm",
    "weibull": "weibull_min",
    "normal": "norm",
}


def _frozen(family: str, params: tuple[float, ...]) -> Any:
    """The scipy.stats distribution of a fit (location 0, except the normal's mean)."""
    from scipy import stats

    dist = getattr(stats, _SCIPY[family])
    if family == "exponential":
        return dist(0.0, params[0])
    if family == "normal":
        return dist(params[0], params[1])
    return dist(params[0], 0.0, params[1])


def _loglik_of(
    family: str, params: tuple[float, ...], complete: np.ndarray, censored: np.ndarray
) -> float:
    """Log-likelihood of complete values (density) and right-censored ones (survival),
    through the unfrozen scipy.stats functions (freezing costs more than the sums)."""
    from scipy import stats

    dist = getattr(stats, _SCIPY[family])
    if family == "exponential":
        args: tuple[float, ...] = (0.0, params[0])
    elif family == "normal":
        args = (params[0], params[1])
    else:
        args = (params[0], 0.0, params[1])
    value = float(np.sum(dist.logpdf(complete, *args)))
    if len(censored):
        value += float(np.sum(dist.logsf(censored, *args)))
    return value


def _moments(family: str, params: tuple[float, ...]) -> tuple[float, float]:
    """Mean and cv of a fitted family."""
    if family == "exponential":
        return params[0], 1.0
    if family == "gamma":
        return params[0] * params[1], 1.0 / math.sqrt(params[0])
    if family == "lognormal":
        sigma, scale = params
        return scale * math.exp(sigma**2 / 2), math.sqrt(math.expm1(sigma**2))
    if family == "weibull":
        shape, scale = params
        mean = scale * math.gamma(1 + 1 / shape)
        second = scale**2 * math.gamma(1 + 2 / shape)
        return mean, math.sqrt(max(second - mean**2, 0.0)) / mean
    return params[0], params[1] / params[0]


def _start(family: str, complete: np.ndarray) -> tuple[float, float]:
    """Moment estimates of a family's (shape, scale), the optimiser's start."""
    mean = float(complete.mean())
    cv = max(float(complete.std()) / mean, 1e-3) if mean > 0 else 1.0
    if family == "gamma":
        return 1 / cv**2, mean * cv**2
    if family == "lognormal":
        sigma = math.sqrt(math.log1p(cv**2))
        return sigma, mean * math.exp(-(sigma**2) / 2)
    shape = cv**-1.086  # weibull
    return shape, mean / math.gamma(1 + 1 / shape)


def _mle(family: str, complete: np.ndarray, censored: np.ndarray) -> tuple[float, float]:
    """Maximum likelihood of a two-parameter family (location 0) with right-censored
    values: L-BFGS on (log shape, log scale) over scipy.stats log densities. scipy's
    generic ``fit`` (Nelder-Mead through CensoredData) is an order of magnitude slower."""
    from scipy import optimize

    def negative(point: np.ndarray) -> float:
        value = -_loglik_of(family, (math.exp(point[0]), math.exp(point[1])), complete, censored)
        return value if math.isfinite(value) else 1e300

    shape, scale = _start(family, complete)
    found = optimize.minimize(
        negative, np.log([shape, scale]), method="L-BFGS-B", options={"maxiter": 500}
    )
    return float(math.exp(found.x[0])), float(math.exp(found.x[1]))


def _fit_family(family: str, complete: np.ndarray, censored: np.ndarray) -> tuple[float, ...]:
    """MLE of ``family`` (location 0): closed forms or scipy's fast paths without
    censoring, :func:`_mle` with it (and for the Weibull, which has no fast path)."""
    from scipy import stats

    if family == "exponential":
        return (float((complete.sum() + censored.sum()) / len(complete)),)
    if family == "normal":
        mu, sd = stats.norm.fit(complete)  # censoring is not used for the normal
        return float(mu), float(sd)
    if len(censored) or family == "weibull":
        return _mle(family, complete, censored)
    if family == "gamma":
        shape, _, scale = stats.gamma.fit(complete, floc=0)
        return float(shape), float(scale)
    sigma, _, scale = stats.lognorm.fit(complete, floc=0)
    return float(sigma), float(scale)


def _subsample(values: np.ndarray, size: int) -> np.ndarray:
    """An even, deterministic subsample of at most ``size`` values."""
    if len(values) <= size:
        return values
    return values[np.linspace(0, len(values) - 1, size).astype(np.int64)]


def _t(confidence: float, dof: int) -> float:
    from scipy import stats

    return float(stats.t.ppf(0.5 + confidence / 2, max(dof, 1)))


def _cv_delta(values: np.ndarray, confidence: float) -> Estimate:
    """cv = s / m with a delta-method interval from the sample moments of X and X^2."""
    n = len(values)
    mean = float(values.mean())
    sd = float(values.std(ddof=1)) if n > 1 else 0.0
    cv = sd / mean if mean > 0 else math.nan
    if n < 3 or sd == 0:
        return Estimate(cv, cv, cv, n)
    squares = values * values
    covariance = np.cov(np.vstack([values, squares]))
    d_mean = -(mean**2 + sd**2) / (sd * mean**2)
    d_square = 1.0 / (2 * sd * mean)
    variance = (
        d_mean**2 * covariance[0, 0]
        + 2 * d_mean * d_square * covariance[0, 1]
        + d_square**2 * covariance[1, 1]
    ) / n
    half = _t(confidence, n - 1) * math.sqrt(max(variance, 0.0))
    return Estimate(cv, max(cv - half, 0.0), cv + half, n)


def _gamma_wald(
    complete: np.ndarray, censored: np.ndarray, confidence: float, shape: float, scale: float
) -> tuple[Estimate, Estimate]:
    """Mean and cv of a censored gamma fit with Wald intervals on the log scale from the
    observed information (a numerical Hessian of the log-likelihood in log shape and log
    scale): mean = shape x scale, cv = 1 / sqrt(shape)."""
    from scipy import stats

    def loglik(log_shape: float, log_scale: float) -> float:
        return _loglik_of("gamma", (math.exp(log_shape), math.exp(log_scale)), complete, censored)

    x0, y0 = math.log(shape), math.log(scale)
    h = 1e-3
    f0 = loglik(x0, y0)
    fxx = (loglik(x0 + h, y0) - 2 * f0 + loglik(x0 - h, y0)) / h**2
    fyy = (loglik(x0, y0 + h) - 2 * f0 + loglik(x0, y0 - h)) / h**2
    fxy = (
        loglik(x0 + h, y0 + h)
        - loglik(x0 + h, y0 - h)
        - loglik(x0 - h, y0 + h)
        + loglik(x0 - h, y0 - h)
    ) / (4 * h**2)
    determinant = fxx * fyy - fxy**2
    mean, cv = shape * scale, 1 / math.sqrt(shape)
    n = len(complete) + len(censored)
    if determinant <= 0 or fyy >= 0:
        return Estimate(mean, math.nan, math.nan, n), Estimate(cv, math.nan, math.nan, n)
    # Covariance of (log shape, log scale) = inverse of the negative Hessian.
    var_x = -fyy / determinant
    var_y = -fxx / determinant
    cov_xy = fxy / determinant
    z = float(stats.norm.ppf(0.5 + confidence / 2))
    half_x = z * math.sqrt(var_x)
    half_mean = z * math.sqrt(max(var_x + var_y + 2 * cov_xy, 0.0))
    return (
        Estimate(mean, mean * math.exp(-half_mean), mean * math.exp(half_mean), n),
        # cv = exp(-x / 2): the interval on x maps to one on cv.
        Estimate(cv, math.exp(-(x0 + half_x) / 2), math.exp(-(x0 - half_x) / 2), n),
    )


def exposure_mean(exposure: float, events: int, confidence: float, cv: float = 1.0) -> Estimate:
    """Mean time per event from the total exposure [time] and the events seen [-].

    For exponential times (``cv`` = 1) the interval is the exact chi-square one of a
    time-truncated test; otherwise the normal approximation mean x (1 +- z cv / sqrt(n)).
    """
    from scipy import stats

    if events <= 0:
        lower = exposure / stats.chi2.ppf(0.5 + confidence / 2, 2) * 2 if exposure > 0 else 0.0
        return Estimate(math.inf, lower, math.inf, 0)
    mean = exposure / events
    alpha = 1 - confidence
    if abs(cv - 1.0) < 1e-9:
        low = 2 * exposure / stats.chi2.ppf(1 - alpha / 2, 2 * events + 2)
        high = 2 * exposure / stats.chi2.ppf(alpha / 2, 2 * events)
        return Estimate(mean, float(low), float(high), events)
    z = float(stats.norm.ppf(1 - alpha / 2))
    half = z * cv / math.sqrt(events)
    return Estimate(mean, mean * (1 - half), mean * (1 + half), events)


def share_estimate(hits: float, trials: float, confidence: float) -> Estimate:
    """A share hits / trials [-] with its Clopper-Pearson interval."""
    from scipy import stats

    if trials <= 0:
        return Estimate(math.nan, math.nan, math.nan, 0)
    k, n = round(hits), round(trials)
    alpha = 1 - confidence
    low = float(stats.beta.ppf(alpha / 2, k, n - k + 1)) if k > 0 else 0.0
    high = float(stats.beta.ppf(1 - alpha / 2, k + 1, n - k)) if k < n else 1.0
    return Estimate(hits / trials, low, high, int(n))


def fit_distribution(
    complete: np.ndarray,
    censored: np.ndarray | None = None,
    confidence: float = 0.95,
    families: tuple[str, ...] = FAMILIES,
) -> DistributionFit | None:
    """Fit ``families`` to durations: ``complete`` observations and right-``censored``
    ones (known only to exceed their value). ``None`` without a complete observation."""
    from scipy import stats

    complete = np.asarray(complete, dtype=np.float64)
    censored = np.zeros(0) if censored is None else np.asarray(censored, dtype=np.float64)
    censored = censored[censored > 0]
    n = len(complete)
    if n == 0:
        return None
    if len(censored):
        mean = exposure_mean(float(complete.sum() + censored.sum()), n, confidence)
    else:
        m = float(complete.mean())
        half = _t(confidence, n - 1) * float(complete.std(ddof=1)) / math.sqrt(n) if n > 1 else 0.0
        mean = Estimate(m, m - half, m + half, n)
    if n == 1 or float(complete.std()) <= 1e-9 * max(abs(float(complete.mean())), 1e-300):
        zero = Estimate(0.0, 0.0, 0.0, n)
        value = float(complete.mean())
        constant = Estimate(value, value, value, n)
        return DistributionFit(n, len(censored), constant, zero, [], "constant")
    complete = np.sort(complete)
    censored = np.sort(censored)
    positive = complete[complete > 0]
    candidates = []
    for family in families:
        data = positive if family != "normal" else complete
        if len(data) < 2 or (family == "normal" and len(censored)):
            continue
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                # Parameters from an even subsample (their error is far below the
                # spread that matters), the likelihood and AIC from every value.
                if family == "exponential" or len(data) <= FIT_SAMPLE:
                    params = _fit_family(family, data, censored)
                else:
                    share = FIT_SAMPLE / len(data)
                    params = _fit_family(
                        family,
                        _subsample(data, FIT_SAMPLE),
                        _subsample(censored, math.ceil(share * len(censored))),
                    )
                frozen = _frozen(family, params)
                loglik = _loglik_of(family, params, data, censored)
                if len(data) < n:  # zero durations have no density: count them as lost
                    loglik = -math.inf
                if len(censored) <= CENSORED_KS * (len(data) + len(censored)):
                    ks = stats.kstest(_subsample(data, KS_SAMPLE), frozen.cdf)
                    ks_statistic, ks_p = float(ks.statistic), float(ks.pvalue)
                else:
                    ks_statistic = ks_p = math.nan
        except (ValueError, RuntimeError, FloatingPointError, OverflowError):
            continue
        if not math.isfinite(loglik):
            continue
        fitted_mean, fitted_cv = _moments(family, params)
        k = len(params)
        candidates.append(
            FamilyFit(
                family,
                params,
                fitted_mean,
                fitted_cv,
                loglik,
                2 * k - 2 * loglik,
                ks_statistic,
                ks_p,
            )
        )
    candidates.sort(key=lambda c: c.aic)
    if len(censored):
        # Censored: the exposure per event is the MLE for exponential times; otherwise
        # the censored gamma MLE gives mean and cv (the engine draws gamma for cv != 1).
        gamma = next((c for c in candidates if c.family == "gamma"), None)
        if gamma is not None:
            gamma_mean, cv = _gamma_wald(positive, censored, confidence, *gamma.params)
            if candidates[0].family != "exponential":
                mean = gamma_mean
        else:
            cv = _cv_delta(complete, confidence)
    else:
        cv = _cv_delta(complete, confidence)
    chosen = candidates[0].family if candidates else "empirical"
    quantiles: list[float] = []
    if not candidates or (not len(censored) and candidates[0].ks_p < REJECT_P):
        chosen = "empirical"
        points = (np.arange(EMPIRICAL_POINTS) + 0.5) / EMPIRICAL_POINTS
        quantiles = [float(q) for q in np.quantile(complete, points)]
    return DistributionFit(n, len(censored), mean, cv, candidates, chosen, quantiles)
