"""Probability distributions of durations, tagged by ``dist`` and given in mean/cv form
where a factory engineer thinks that way.

Every distribution knows its ``mean`` and coefficient of variation ``cv`` (used by static
capacity checks and OEE's ideal cycle time) and draws vectors from a passed
``numpy.random.Generator``; none touches global random state.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from sim.model.units import duration_validator

if TYPE_CHECKING:  # numpy is imported where numbers are drawn: validating needs none of it
    import numpy as np

UNTRUNCATED_CV = 0.1
"""Up to this cv [-] a normal truncated at 0 (10 sigmas away or more) has the untruncated
mean and sd to the last bit (checked against scipy.stats.truncnorm), so scipy.stats, which
takes 0.5 s to import, is loaded only for wider normals."""

__all__ = [
    "DIST_NAMES",
    "MAX_CV",
    "Constant",
    "Distribution",
    "Duration",
    "Empirical",
    "Exponential",
    "Gamma",
    "Lognormal",
    "Normal",
    "Triangular",
    "Uniform",
    "Weibull",
]

Duration = Annotated[float, BeforeValidator(duration_validator)]
"""A time [line time unit]: a number, or a string with its unit such as ``"45 s"``."""


class _Dist(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    @property
    def mean(self) -> float:
        """Expected value [time unit]."""
        raise NotImplementedError

    @property
    def cv(self) -> float:
        """Coefficient of variation (standard deviation / mean) [-]."""
        raise NotImplementedError

    def draw(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """Return ``size`` independent samples [time unit]."""
        raise NotImplementedError


MAX_CV = 100.0
"""Largest coefficient of variation of a normal or lognormal time [-]: beyond it the
draws (and scipy's truncated-normal moments) overflow, and no process time varies so."""
MIN_GAMMA_SHAPE = 0.01
"""Smallest gamma shape [-] (cv at most 10): below it draws underflow to zero."""
WEIBULL_SHAPE = (0.1, 1000.0)
"""Weibull shape range [-]: below 0.1 the mean, Gamma(1 + 1/k), overflows."""


def _spread(mean: float, sd: float | None, cv: float | None) -> float:
    """Return the standard deviation given exactly one of ``sd`` and ``cv`` (sd / mean at
    most :data:`MAX_CV`)."""
    if (sd is None) == (cv is None):
        raise ValueError("give exactly one of sd and cv")
    sigma = sd if sd is not None else mean * cv  # type: ignore[operator]  # cv is set when sd is not (checked above)
    if sigma > MAX_CV * mean:
        raise ValueError(
            f"sd / mean is {sigma / mean:.3g}, over {MAX_CV:g}: such a spread overflows the "
            "draws; give a cv (sd / mean) of at most 100"
        )
    return sigma


class Constant(_Dist):
    """A fixed value: ``{dist: constant, value: 2}`` or just ``2``."""

    dist: Literal["constant"] = "constant"
    value: Duration = Field(gt=0, description="the value [time unit]")

    @property
    def mean(self) -> float:
        return self.value

    @property
    def cv(self) -> float:
        return 0.0

    def draw(self, rng: np.random.Generator, size: int) -> np.ndarray:
        import numpy as np

        return np.full(size, self.value)


class Exponential(_Dist):
    """Memoryless times (cv = 1): ``{dist: exponential, mean: 2}``."""

    dist: Literal["exponential"]
    mean_: Duration = Field(gt=0, alias="mean", description="mean [time unit]")

    @property
    def mean(self) -> float:
        return self.mean_

    @property
    def cv(self) -> float:
        return 1.0

    def draw(self, rng: np.random.Generator, size: int) -> np.ndarray:
        return rng.exponential(self.mean_, size)


class Normal(_Dist):
    """Normal times truncated at 0 (negative draws are redrawn); ``mean`` with ``sd`` or ``cv``.

    ``mean`` and ``sd`` are those of the normal before truncation; with cv below about 0.3
    truncation hardly matters.
    """

    dist: Literal["normal"]
    mean_: Duration = Field(gt=0, alias="mean", description="mean before truncation [time unit]")
    sd: Duration | None = Field(
        default=None, ge=0, description="standard deviation [time unit], at most 100 x mean"
    )
    cv_: float | None = Field(
        default=None, ge=0, le=MAX_CV, alias="cv", description="sd / mean [-], at most 100"
    )

    @model_validator(mode="after")
    def _one_spread(self) -> Normal:
        _spread(self.mean_, self.sd, self.cv_)
        return self

    @property
    def _sigma(self) -> float:
        return _spread(self.mean_, self.sd, self.cv_)

    @property
    def mean(self) -> float:
        sigma = self._sigma
        if sigma <= UNTRUNCATED_CV * self.mean_:  # truncation changes no bit of the mean
            return self.mean_
        from scipy import stats  # here, not at import: scipy.stats takes 0.5 s to load

        return float(stats.truncnorm.mean(-self.mean_ / sigma, math.inf, self.mean_, sigma))

    @property
    def cv(self) -> float:
        sigma = self._sigma
        if sigma <= UNTRUNCATED_CV * self.mean_:
            return sigma / self.mean_
        from scipy import stats

        sd = stats.truncnorm.std(-self.mean_ / sigma, math.inf, self.mean_, sigma)
        return float(sd) / self.mean

    def draw(self, rng: np.random.Generator, size: int) -> np.ndarray:
        values = rng.normal(self.mean_, self._sigma, size)
        negative = values < 0
        while negative.any():
            values[negative] = rng.normal(self.mean_, self._sigma, int(negative.sum()))
            negative = values < 0
        return values


class Lognormal(_Dist):
    """Right-skewed positive times; ``mean`` and ``sd`` or ``cv`` of the times themselves."""

    dist: Literal["lognormal"]
    mean_: Duration = Field(gt=0, alias="mean", description="mean [time unit]")
    sd: Duration | None = Field(
        default=None, ge=0, description="standard deviation [time unit], at most 100 x mean"
    )
    cv_: float | None = Field(
        default=None, ge=0, le=MAX_CV, alias="cv", description="sd / mean [-], at most 100"
    )

    @model_validator(mode="after")
    def _one_spread(self) -> Lognormal:
        _spread(self.mean_, self.sd, self.cv_)
        return self

    @property
    def mean(self) -> float:
        return self.mean_

    @property
    def cv(self) -> float:
        return _spread(self.mean_, self.sd, self.cv_) / self.mean_

    def draw(self, rng: np.random.Generator, size: int) -> np.ndarray:
        sigma2 = math.log1p(self.cv**2)
        return rng.lognormal(math.log(self.mean_) - sigma2 / 2, math.sqrt(sigma2), size)


class Gamma(_Dist):
    """Gamma times: ``mean`` and ``cv`` (shape = 1/cv^2), or ``shape`` and ``scale``."""

    dist: Literal["gamma"]
    mean_: Duration | None = Field(default=None, gt=0, alias="mean", description="mean [time unit]")
    cv_: float | None = Field(
        default=None, ge=1e-6, le=10, alias="cv", description="sd / mean [-], 1e-6 to 10"
    )
    shape: float | None = Field(
        default=None, ge=MIN_GAMMA_SHAPE, le=1e12, description="shape k [-], 0.01 to 1e12"
    )
    scale: Duration | None = Field(default=None, gt=0, description="scale theta [time unit]")

    @model_validator(mode="after")
    def _one_form(self) -> Gamma:
        mean_cv = self.mean_ is not None and self.cv_ is not None
        shape_scale = self.shape is not None and self.scale is not None
        if mean_cv == shape_scale or (mean_cv and (self.shape or self.scale)):
            raise ValueError("give either mean and cv, or shape and scale")
        return self

    def _shape_scale(self) -> tuple[float, float]:
        if self.shape is not None and self.scale is not None:
            return self.shape, self.scale
        shape = 1.0 / self.cv_**2  # type: ignore[operator]  # set when shape/scale are not
        return shape, self.mean_ / shape  # type: ignore[operator]  # set when shape/scale are not

    @property
    def mean(self) -> float:
        shape, scale = self._shape_scale()
        return shape * scale

    @property
    def cv(self) -> float:
        return 1.0 / math.sqrt(self._shape_scale()[0])

    def draw(self, rng: np.random.Generator, size: int) -> np.ndarray:
        shape, scale = self._shape_scale()
        return rng.gamma(shape, scale, size)


class Triangular(_Dist):
    """Three-point estimate: ``low``, ``mode`` (most likely) and ``high``."""

    dist: Literal["triangular"]
    low: Duration = Field(ge=0, description="minimum [time unit]")
    mode: Duration = Field(ge=0, description="most likely value [time unit]")
    high: Duration = Field(gt=0, description="maximum [time unit]")

    @model_validator(mode="after")
    def _ordered(self) -> Triangular:
        if not self.low <= self.mode <= self.high or self.low == self.high:
            raise ValueError("need low <= mode <= high and low < high")
        return self

    @property
    def mean(self) -> float:
        return (self.low + self.mode + self.high) / 3

    @property
    def cv(self) -> float:
        a, c, b = self.low, self.mode, self.high
        return math.sqrt((a * a + b * b + c * c - a * b - a * c - b * c) / 18) / self.mean

    def draw(self, rng: np.random.Generator, size: int) -> np.ndarray:
        return rng.triangular(self.low, self.mode, self.high, size)


class Uniform(_Dist):
    """Equally likely between ``low`` and ``high``."""

    dist: Literal["uniform"]
    low: Duration = Field(ge=0, description="minimum [time unit]")
    high: Duration = Field(gt=0, description="maximum [time unit]")

    @model_validator(mode="after")
    def _ordered(self) -> Uniform:
        if not self.low < self.high:
            raise ValueError("need low < high")
        return self

    @property
    def mean(self) -> float:
        return (self.low + self.high) / 2

    @property
    def cv(self) -> float:
        return (self.high - self.low) / math.sqrt(12) / self.mean

    def draw(self, rng: np.random.Generator, size: int) -> np.ndarray:
        return rng.uniform(self.low, self.high, size)


class Weibull(_Dist):
    """Weibull times (wear-out failures): ``shape`` with ``scale`` or with ``mean``."""

    dist: Literal["weibull"]
    shape: float = Field(
        ge=WEIBULL_SHAPE[0],
        le=WEIBULL_SHAPE[1],
        description="shape k [-], 0.1 to 1000; k > 1 wear-out, k < 1 infant mortality",
    )
    scale: Duration | None = Field(default=None, gt=0, description="scale lambda [time unit]")
    mean_: Duration | None = Field(default=None, gt=0, alias="mean", description="mean [time unit]")

    @model_validator(mode="after")
    def _one_form(self) -> Weibull:
        if (self.scale is None) == (self.mean_ is None):
            raise ValueError("give shape with exactly one of scale and mean")
        return self

    @property
    def _scale(self) -> float:
        if self.scale is not None:
            return self.scale
        return self.mean_ / math.gamma(1 + 1 / self.shape)  # type: ignore[operator]  # the validator sets it

    @property
    def mean(self) -> float:
        return self._scale * math.gamma(1 + 1 / self.shape)

    @property
    def cv(self) -> float:
        g1 = math.gamma(1 + 1 / self.shape)
        g2 = math.gamma(1 + 2 / self.shape)
        return math.sqrt(max(g2 - g1 * g1, 0.0)) / g1

    def draw(self, rng: np.random.Generator, size: int) -> np.ndarray:
        return self._scale * rng.weibull(self.shape, size)


class Empirical(_Dist):
    """Observed values, drawn with optional ``weights`` (relative frequencies)."""

    dist: Literal["empirical"]
    values: list[Duration] = Field(min_length=1, description="observed values [time unit]")
    weights: list[float] | None = Field(default=None, description="relative weights [-]")

    @model_validator(mode="after")
    def _consistent(self) -> Empirical:
        if any(v < 0 for v in self.values):
            raise ValueError("values must be >= 0")
        if self.weights is not None:
            if len(self.weights) != len(self.values):
                raise ValueError("weights must have one entry per value")
            if any(w < 0 for w in self.weights) or sum(self.weights) <= 0:
                raise ValueError("weights must be >= 0 with a positive sum")
        if self.mean <= 0:
            raise ValueError("the values must have a positive mean")
        return self

    def _probabilities(self) -> np.ndarray:
        import numpy as np

        if self.weights is None:
            return np.full(len(self.values), 1 / len(self.values))
        weights = np.asarray(self.weights, dtype=float)
        return np.asarray(weights / weights.sum(), dtype=float)

    @property
    def mean(self) -> float:
        import numpy as np

        return float(np.dot(self.values, self._probabilities()))

    @property
    def cv(self) -> float:
        import numpy as np

        p = self._probabilities()
        values = np.asarray(self.values)
        return float(math.sqrt(max(np.dot(p, (values - self.mean) ** 2), 0.0)) / self.mean)

    def draw(self, rng: np.random.Generator, size: int) -> np.ndarray:
        import numpy as np

        return rng.choice(np.asarray(self.values, dtype=float), size, p=self._probabilities())


def _shorthand(value: Any) -> Any:
    """Read a bare number or duration string as a constant."""
    if isinstance(value, int | float | str) and not isinstance(value, bool):
        return {"dist": "constant", "value": value}
    return value


DIST_NAMES = (
    "constant",
    "exponential",
    "normal",
    "lognormal",
    "gamma",
    "triangular",
    "uniform",
    "weibull",
    "empirical",
)
"""The values ``dist:`` takes."""

Distribution = Annotated[
    Constant
    | Exponential
    | Normal
    | Lognormal
    | Gamma
    | Triangular
    | Uniform
    | Weibull
    | Empirical,
    Field(discriminator="dist"),
    BeforeValidator(_shorthand),
]
"""A distribution of durations; a bare number or ``"45 s"`` is a constant."""
