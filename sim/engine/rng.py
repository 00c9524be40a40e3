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

__all__ = ["BLOCK", "block_iterator", "name_key", "sampler", "stream", "uniforms"]

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
