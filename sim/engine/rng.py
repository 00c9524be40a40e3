"""Named random streams: one per (replication, station, purpose), all from one root seed.

A stream is keyed by stable names (a BLAKE2 digest, never Python's salted ``hash()``), so
adding a station or a purpose leaves every other stream's draws unchanged, and two scenarios
that share a station see the same draws there (common random numbers).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from itertools import chain, repeat

import numpy as np

from sim.model.distributions import Constant, Distribution

__all__ = [
    "BLOCK",
    "LotSums",
    "block_iterator",
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
