"""Units of a lot hit by a share (scrap, defects made or found) [-]: binomial draws for
pieces, the expected share for web or bulk material.

Binomial counts invert the distribution function with one uniform from a block stream;
numpy's sampler takes over when many hits are likely. A station's or a delay's fixed
rate (:func:`hit_counter`) keeps its cumulative probabilities per lot size, so a usual
draw is one comparison (no hit) or one bisection; a share that varies from lot to lot
(:func:`share_count`) sums the terms until they pass the uniform.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable
from functools import lru_cache
from typing import TYPE_CHECKING

from sim.engine.lot import EPS

if TYPE_CHECKING:
    import numpy as np

__all__ = ["TABLES_KEPT", "Tables", "binomial", "hit_counter", "share_count", "table_hits"]

TABLES_KEPT = 1024
"""Lot sizes whose cumulative tables a counter keeps [-] (a line has a few: 48, 47, ...)."""


def binomial(
    trials: int, share: float, uniform: Callable[[], float], rng: np.random.Generator
) -> float:
    """Draw Binomial(trials, share) for a share that varies from lot to lot (no table to
    keep): invert its distribution function with one uniform from the block stream,
    summing the terms until they pass it; numpy's sampler when many hits are likely."""
    if share >= 1.0:
        return float(trials)
    if trials * share > 20:
        return float(rng.binomial(trials, share))
    u = uniform()
    probability = (1.0 - share) ** trials
    if u <= probability:  # no hit, the usual case
        return 0.0
    return _hits_past(trials, share, u, probability)


def _hits_past(trials: int, share: float, u: float, probability: float) -> float:
    """The hits of Binomial(trials, share) at the uniform ``u`` found above P(no hit),
    ``probability`` [-]: the terms summed on until they pass it."""
    cumulative = probability
    hits = 0
    odds = share / (1.0 - share)
    while u > cumulative and hits < trials:
        probability *= (trials - hits) / (hits + 1) * odds
        hits += 1
        cumulative += probability
    return float(hits)


def share_count(
    units: float,
    share: float,
    discrete: bool,
    uniform: Callable[[], float],
    rng: np.random.Generator,
) -> float:
    """Units of a lot of ``units`` hit by a ``share`` that varies from lot to lot (the
    defects an inspection finds) [-]: :func:`binomial` for pieces (``discrete``), the
    expected share of web or bulk material."""
    if share <= 0 or units <= EPS:
        return 0.0
    if not discrete:
        return units * share
    if units == 1.0:
        return 1.0 if uniform() < share else 0.0
    # binomial(round(units), min(share, 1.0), ...), its usual case inlined: one call less
    trials = round(units)
    if share >= 1.0:
        return float(trials)
    if trials * share > 20:
        return float(rng.binomial(trials, share))
    u = uniform()
    probability = (1.0 - share) ** trials
    if u <= probability:  # no hit
        return 0.0
    return _hits_past(trials, share, u, probability)


@lru_cache(maxsize=4096)
def _binomial_table(trials: int, share: float) -> list[float]:
    """Cumulative Binomial(trials, share) probabilities P(X <= k), k = 0, 1, ..., up to
    ``trials`` or until the terms vanish, summed term by term as :func:`binomial` sums
    them (a counter's inversion finds the first one at or above its uniform)."""
    probability = (1.0 - share) ** trials
    cumulative = probability
    table = [cumulative]
    odds = share / (1.0 - share)
    for hits in range(trials):
        probability *= (trials - hits) / (hits + 1) * odds
        if probability == 0.0 and hits > trials * share:
            break
        cumulative += probability
        table.append(cumulative)
    return table


Tables = dict[float, tuple[float, list[float], int]]
"""A counter's tables per lot size (the float itself: pieces are whole): P(no hit), the
cumulative probabilities and their count."""


def table_hits(known: tuple[float, list[float], int], u: float, units: float) -> float:
    """The hits of a lot of ``units`` at the uniform ``u``, from its size's table
    ``known``, when ``u`` is above P(no hit) (what a counter returns then) [-]."""
    hits = bisect_left(known[1], u)
    return float(hits if hits < known[2] else round(units))


def hit_counter(
    share: float,
    discrete: bool,
    uniform: Callable[[], float],
    rng: np.random.Generator,
    tables: Tables | None = None,
) -> Callable[[float], float]:
    """Return ``units -> `` the units hit by ``share`` [-]: ``binomial`` for pieces
    (``discrete``), with the cumulative tables of this share held by lot size in
    ``tables`` (a caller's own dict to read them too, see :func:`table_hits`), else the
    expected share of web or bulk material."""
    if share <= 0:
        return lambda units: 0.0
    if not discrete:
        return lambda units: units * share if units > EPS else 0.0
    share = min(share, 1.0)
    kept: Tables = {} if tables is None else tables
    known_size = kept.get

    def count(units: float) -> float:
        known = known_size(units)  # a kept size is above EPS and not 1: the usual case first
        if known is not None:
            u = uniform()
            if u <= known[0]:  # no hit
                return 0.0
            hits = bisect_left(known[1], u)
            return float(hits if hits < known[2] else round(units))
        if units <= EPS:
            return 0.0
        if units == 1.0:
            return 1.0 if uniform() < share else 0.0
        trials = round(units)
        if share >= 1.0:
            return float(trials)
        if trials * share > 20:
            return float(rng.binomial(trials, share))
        table = _binomial_table(trials, share)
        known = (table[0], table, len(table))
        if len(kept) < TABLES_KEPT:
            kept[units] = known
        u = uniform()
        if u <= known[0]:  # no hit, the usual case: what bisect_left would find
            return 0.0
        return table_hits(known, u, units)

    return count
