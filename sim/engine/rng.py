"""Named random streams: one per (replication, station, purpose), all from one root seed.

A stream is keyed by stable names (a BLAKE2 digest, never Python's salted ``hash()``), so
adding a station or a purpose leaves every other stream's draws unchanged, and two scenarios
that share a station see the same draws there (common random numbers).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Iterator
from itertools import chain, repeat

import numpy as np

from sim.model.distributions import UNTRUNCATED_CV, Constant, Distribution, Normal

__all__ = [
    "BLOCK",
    "LotSums",
    "NormalSums",
    "block_iterator",
    "lot_sums",
    "name_key",
    "sampler",
    "stream",
    "uniforms",
]

BLOCK = 2048
"""Draws made per call into numpy; sampling in blocks keeps the per-event cost tiny."""


def name_key(name: str) -> int:
    """Return a stable 64-bit integer for ``name``."""
    return int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "little")


def stream(seed: int, replication: int, station: str, purpose: str) -> np.random.Generator:
    """Return the generator of one (replication, station, purpose)."""
    sequence = np.random.SeedSequence(
        seed, spawn_key=(replication, name_key(station), name_key(purpose))
    )
    return np.random.Generator(np.random.PCG64(sequence))


def _blocks(distribution: Distribution, rng: np.random.Generator) -> Iterator[list[float]]:
    while True:
        yield distribution.draw(rng, BLOCK).tolist()


def block_iterator(distribution: Distribution, rng: np.random.Generator) -> Iterator[float]:
    """Return an endless iterator of draws of ``distribution``."""
    if isinstance(distribution, Constant):
        return repeat(distribution.value)
    return chain.from_iterable(_blocks(distribution, rng))


def sampler(distribution: Distribution, rng: np.random.Generator) -> Callable[[], float]:
    """Return a zero-argument function giving the next draw of ``distribution``."""
    return block_iterator(distribution, rng).__next__


def _uniform_blocks(rng: np.random.Generator) -> Iterator[list[float]]:
    while True:
        yield rng.random(BLOCK).tolist()


def uniforms(rng: np.random.Generator) -> Callable[[], float]:
    """Return a zero-argument function giving the next U(0, 1) draw."""
    return chain.from_iterable(_uniform_blocks(rng)).__next__


class LotSums:
    """Sums of ``n`` consecutive draws of one distribution [time unit], for lots of ``n``
    cycles, taken from the cumulative sums of each numpy block.

    The draws and their order are those of :func:`sampler` on the same stream; a sum costs
    two look-ups instead of ``n`` Python additions (its rounding differs from adding the
    draws one by one in the last bits only).
    """

    __slots__ = ("_distribution", "_index", "_last", "_rng", "_sums")

    def __init__(self, distribution: Distribution, rng: np.random.Generator) -> None:
        self._distribution = distribution
        self._rng = rng
        self._sums = np.zeros(BLOCK)
        self._index = BLOCK  # draws of the current block used: none left, draw at first use
        self._last = 0.0  # the cumulative sum of the draws used in the current block

    def __call__(self, count: int) -> float:
        """Return the sum of the next ``count`` draws [time unit]."""
        end = self._index + count
        if end <= BLOCK and count > 0:
            last = self._sums.item(end - 1)
            total = last - self._last
            self._index = end
            self._last = last
            return total
        total = 0.0
        while count > 0:
            if self._index == BLOCK:
                self._sums = self._distribution.draw(self._rng, BLOCK).cumsum()
                self._index = 0
                self._last = 0.0
            take = min(count, BLOCK - self._index)
            self._index += take
            last = self._sums.item(self._index - 1)
            total += last - self._last
            self._last = last
            count -= take
        return total


class NormalSums:
    """Sums of ``n`` independent normal cycle times [time unit], one draw per lot: the sum
    of ``n`` draws of N(mean, sd) is N(n mean, sqrt(n) sd) exactly.

    Only for normals that truncation at 0 never touches (cv up to ``UNTRUNCATED_CV``: 10 sd
    or more from 0, a chance below 1e-23 per cycle), where a lot's time has the same
    distribution as the sum of its cycles drawn one by one. A tray of 48 cells costs one
    standard normal instead of 48 normals.
    """

    __slots__ = ("_mean", "_next", "_sd", "_terms")

    def __init__(self, mean: float, sd: float, rng: np.random.Generator) -> None:
        self._mean = mean
        self._sd = sd
        self._next = chain.from_iterable(_standard_normal_blocks(rng)).__next__
        self._terms: dict[int, tuple[float, float]] = {}
        """Mean and sd of a lot's time per lot size [time unit]."""

    def __call__(self, count: int) -> float:
        """Return the time of ``count`` cycles [time unit]."""
        terms = self._terms.get(count)
        if terms is None:
            terms = self._terms[count] = (count * self._mean, math.sqrt(count) * self._sd)
        mean, sd = terms
        total = mean + sd * self._next()
        while total < 0.0:  # as the per-cycle draws, never negative (about 1e-23 a lot)
            total = mean + sd * self._next()
        return total


def _standard_normal_blocks(rng: np.random.Generator) -> Iterator[list[float]]:
    while True:
        yield rng.standard_normal(BLOCK).tolist()


def lot_sums(distribution: Distribution, rng: np.random.Generator) -> Callable[[int], float]:
    """Return ``n -> `` the time of a lot of ``n`` cycles of ``distribution`` [time unit]:
    one draw of the sum's own distribution where it is known exactly (untruncated
    normals), else the sum of ``n`` draws (:class:`LotSums`)."""
    if isinstance(distribution, Normal):
        sd = distribution._sigma  # its cv would load scipy.stats for a wide normal
        if sd <= UNTRUNCATED_CV * distribution.mean_:
            return NormalSums(distribution.mean_, sd, rng)
    return LotSums(distribution, rng)
