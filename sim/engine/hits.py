"""Units of a lot hit by a share (scrap, defects made or found) [-]: binomial draws for
pieces, the expected share for web or bulk material.

Binomial counts invert the distribution function with one uniform from a block stream;
numpy's sampler takes over when many hits are likely. A station's or a delay's fixed
rate keeps its cumulative probabilities per lot size, so a usual draw is one comparison
(no hit) or one bisection.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable
from functools import lru_cache
from typing import TYPE_CHECKING

from sim.engine.lot import EPS

if TYPE_CHECKING:
    import numpy as np

__all__ = ["TABLES_KEPT", "binomial", "hit_counter"]

TABLES_KEPT = 1024
"""Lot sizes whose cumulative tables a counter keeps [-] (a line has a few: 48, 47, ...)."""


def binomial(
    trials: int,
    share: float,
    uniform: Callable[[], float],
    rng: np.random.Generator,
    usual: bool = True,
) -> float:
    """Draw Binomial(trials, share) by inverting its distribution function with one
    uniform from the block stream; numpy's sampler takes over when many hits are likely.

    With ``usual`` (a station's fixed scrap or defect rate, on its usual lot sizes) the
    cumulative probabilities are kept, so a draw is one bisection; a share that varies
    from lot to lot sums the terms until they pass the uniform.
    """
    if share >= 1.0:
        return float(trials)
    if trials * share > 20:
        return float(rng.binomial(trials, share))
    if not usual:
        u = uniform()
        probability = (1.0 - share) ** trials
        cumulative = probability
        hits = 0
        odds = share / (1.0 - share)
        while u > cumulative and hits < trials:
            probability *= (trials - hits) / (hits + 1) * odds
            hits += 1
            cumulative += probability
        return float(hits)
    table = _binomial_table(trials, share)
    hits = bisect_left(table, uniform())
    return float(hits if hits < len(table) else trials)


@lru_cache(maxsize=4096)
def _binomial_table(trials: int, share: float) -> list[float]:
    """Cumulative Binomial(trials, share) probabilities P(X <= k), k = 0, 1, ..., up to
    ``trials`` or until the terms vanish, summed term by term (the inversion of
    :func:`binomial` finds the first one at or above its uniform)."""
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


def hit_counter(
    share: float,
    discrete: bool,
    uniform: Callable[[], float],
    rng: np.random.Generator,
) -> Callable[[float], float]:
    """Return ``units -> `` the units hit by ``share`` [-]: ``binomial`` for pieces
    (``discrete``), with the cumulative tables of this share held by lot size, else the
    expected share of web or bulk material."""
    if share <= 0:
        return lambda units: 0.0
    if not discrete:
        return lambda units: units * share if units > EPS else 0.0
    share = min(share, 1.0)
    tables: dict[float, tuple[float, list[float], int]] = {}
    """Per lot size (the float itself: pieces are whole): P(no hit), the cumulative
    probabilities and their count."""

    def count(units: float) -> float:
        if units <= EPS:
            return 0.0
        if units == 1.0:
            return 1.0 if uniform() < share else 0.0
        known = tables.get(units)
        if known is None:
            trials = round(units)
            if share >= 1.0:
                return float(trials)
            if trials * share > 20:
                return float(rng.binomial(trials, share))
            table = _binomial_table(trials, share)
            known = (table[0], table, len(table))
            if len(tables) < TABLES_KEPT:
                tables[units] = known
        none, table, size = known
        u = uniform()
        if u <= none:  # no hit, the usual case: what bisect_left would find
            return 0.0
        hits = bisect_left(table, u)
        return float(hits if hits < size else round(units))

    return count
