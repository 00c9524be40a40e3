"""Which lever explains how much of a change: Shapley values over a scenario's levers.

The value of a set of levers S is a KPI of the scenario with only S applied. A lever's
Shapley value is its marginal effect averaged over every order in which the levers could
be added, so interactions are shared out, never double counted, and the values add up to
the change from no lever to all levers. Exact (all 2^n subsets) up to :data:`EXACT_UP_TO`
levers; beyond, estimated from random orders. Every subset runs on common random numbers,
replication by replication, so each replication gives its own Shapley values and their
spread gives a confidence interval.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence

import numpy as np

__all__ = ["EXACT_UP_TO", "orders", "shapley", "subsets_needed"]

EXACT_UP_TO = 7
"""Most levers attributed exactly (2^7 = 128 subsets); more are sampled."""


def orders(levers: Sequence[str], samples: int, seed: int) -> list[tuple[str, ...]]:
    """Random orders of the levers for the sampled estimate (seeded, reproducible)."""
    rng = np.random.default_rng(seed)
    return [tuple(levers[i] for i in rng.permutation(len(levers))) for _ in range(samples)]


def subsets_needed(levers: Sequence[str], samples: int = 64, seed: int = 0) -> list[frozenset[str]]:
    """The lever subsets whose value the attribution needs, smallest first."""
    if len(levers) <= EXACT_UP_TO:
        found = {
            frozenset(c) for k in range(len(levers) + 1) for c in itertools.combinations(levers, k)
        }
    else:
        found = {frozenset()}
        for order in orders(levers, samples, seed):
            for k in range(1, len(order) + 1):
                found.add(frozenset(order[:k]))
    return sorted(found, key=lambda s: (len(s), sorted(s)))


def shapley(
    levers: Sequence[str],
    value: Callable[[frozenset[str]], np.ndarray],
    samples: int = 64,
    seed: int = 0,
) -> dict[str, np.ndarray]:
    """Shapley value of each lever, one per replication.

    ``value(S)`` gives the KPI of the lever set S, one entry per replication.
    """
    n = len(levers)
    result = {lever: np.zeros_like(value(frozenset()), dtype=float) for lever in levers}
    if n <= EXACT_UP_TO:
        for lever in levers:
            others = [x for x in levers if x != lever]
            for k in range(n):
                weight = math.factorial(k) * math.factorial(n - k - 1) / math.factorial(n)
                for combo in itertools.combinations(others, k):
                    base = frozenset(combo)
                    result[lever] += weight * (value(base | {lever}) - value(base))
        return result
    sampled = orders(levers, samples, seed)
    for order in sampled:
        before: frozenset[str] = frozenset()
        for lever in order:
            after = before | {lever}
            result[lever] += value(after) - value(before)
            before = after
    return {lever: total / len(sampled) for lever, total in result.items()}
