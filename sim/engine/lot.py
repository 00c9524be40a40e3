"""Lots: the unit that moves and that the simulation spends events on.

A lot is a quantity of one material [material unit] with the time its chain's first step
started [time unit], the machine time already spent per unit [time unit / unit] and the
hidden defective share per inspection station that will find it [-]. In a line with a
product mix it also carries the index of its type (0 everywhere else).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

__all__ = ["EPS", "Lot", "combine", "combine_one", "new_lot"]

EPS = 1e-9
"""Tolerance for comparing quantities [material unit]."""


class Lot:
    """A quantity of one material moving together (a coil, a tray of cells, a job)."""

    __slots__ = ("defects", "product", "qty", "start", "work")

    def __init__(
        self,
        qty: float,
        start: float,
        work: float = 0.0,
        defects: dict[str, float] | None = None,
        product: int = 0,
    ) -> None:
        self.qty = qty
        self.start = start
        self.work = work
        self.defects = defects
        self.product = product
        """Index of the lot's type in the line's product mix (0 without a mix) [-]."""

    def part(self, qty: float) -> Lot:
        """Split off ``qty`` units as a new lot with the same history."""
        self.qty -= qty
        # Lot(qty, ...), its __init__ written out: 1.35 k instructions a lot, not 2.15 k
        lot = new_lot(Lot)
        lot.qty = qty
        lot.start = self.start
        lot.work = self.work
        defects = self.defects
        lot.defects = defects.copy() if defects else None
        lot.product = self.product
        return lot

    def __repr__(self) -> str:
        return f"Lot(qty={self.qty:g}, start={self.start:g})"


new_lot = object.__new__
"""``new_lot(Lot)``: a lot made without its ``__init__``, the caller setting all five slots
(1.35 k instructions, not 2.15 k): the construction of the hot paths (splits, merges)."""


def combine(
    taken: Sequence[tuple[list[Lot], float]],
    pieces_per_unit: Sequence[float],
    out_units: float,
    earliest: bool = True,
) -> tuple[float, float, dict[str, float] | None]:
    """Return (start, work per output unit, defects) of output made from input pieces.

    ``taken`` holds, per input material, the pieces taken and their total quantity, and
    ``pieces_per_unit`` the pieces of each in one output unit (0 for a web or bulk
    material). The output starts when its earliest input started and carries the inputs'
    machine time. A unit made of q pieces is bad if any piece is (good share (1 - f)^q); a
    unit made of web or bulk material is bad in the share the material is. With
    ``earliest`` false (pieces of one material gathered into one lot) the start is the
    unit-weighted mean, which keeps the mean flow time exact.
    """
    if len(taken) == 1:
        return combine_one(taken[0], pieces_per_unit[0] or 1.0, out_units, earliest)
    start = math.inf
    weighted = 0.0
    units = 0.0
    work = 0.0
    good: dict[str, float] | None = None
    index = -1
    for pieces, total in taken:
        index += 1
        if len(pieces) == 1:  # the usual input: one lot, its defects not summed
            piece = pieces[0]
            qty = piece.qty
            if piece.start < start:
                start = piece.start
            if not earliest:
                weighted += piece.start * qty
                units += qty
            work += piece.work * qty
            single = piece.defects
            if not single:
                continue
            if good is None:
                good = {}
            power = pieces_per_unit[index] or 1.0
            for station, share in single.items():
                kept = 1.0 - share * qty / total
                if power != 1.0:
                    kept **= power
                old = good.get(station)
                good[station] = kept if old is None else old * kept
            continue
        shares: dict[str, float] | None = None
        for piece in pieces:
            qty = piece.qty
            if piece.start < start:
                start = piece.start
            if not earliest:  # the mean start is needed only then
                weighted += piece.start * qty
                units += qty
            work += piece.work * qty
            defects = piece.defects
            if defects:
                if shares is None:  # the first piece's shares (0 + x is x)
                    shares = {}
                    for station, share in defects.items():
                        shares[station] = share * qty
                    continue
                get = shares.get
                for station, share in defects.items():  # 0.0 + x is x: the same sums
                    shares[station] = get(station, 0.0) + share * qty
        if shares:
            if good is None:
                good = {}
            power = pieces_per_unit[index] or 1.0
            for station, amount in shares.items():
                kept = 1.0 - amount / total
                if power != 1.0:
                    kept **= power
                old = good.get(station)
                good[station] = kept if old is None else old * kept
    if good:  # the good shares become the defects in place (values only: no new dict)
        for station, kept in good.items():
            good[station] = 1.0 - kept
    if not earliest and units > 0:
        start = weighted / units
    return start, work / out_units, good or None


def combine_one(
    taken: tuple[list[Lot], float], power: float, out_units: float, earliest: bool
) -> tuple[float, float, dict[str, float] | None]:
    """:func:`combine` of one input material, with ``power`` its pieces per output unit
    (1 for web or bulk material): its good shares are the output's, so the defects come
    straight from the summed shares, turned into them in their own dict. Its loop over the
    pieces is :func:`combine`'s, written out (a shared helper cost the reference year 2-4 %
    in paired runs): change both together."""
    pieces, total = taken
    start = math.inf
    weighted = 0.0
    units = 0.0
    work = 0.0
    shares: dict[str, float] | None = None
    for piece in pieces:
        qty = piece.qty
        if piece.start < start:
            start = piece.start
        if not earliest:  # the mean start is needed only then
            weighted += piece.start * qty
            units += qty
        work += piece.work * qty
        defects = piece.defects
        if defects:
            if shares is None:  # the first piece's shares (0 + x is x)
                shares = {}
                for station, share in defects.items():
                    shares[station] = share * qty
                continue
            get = shares.get
            for station, share in defects.items():  # 0.0 + x is x: the same sums
                shares[station] = get(station, 0.0) + share * qty
    if not earliest and units > 0:
        start = weighted / units
    if not shares:
        return start, work / out_units, None
    # the summed shares become the output's defects in place (values only: no new dict)
    if power == 1.0:
        for station, amount in shares.items():
            shares[station] = 1.0 - (1.0 - amount / total)
    else:
        for station, amount in shares.items():
            shares[station] = 1.0 - (1.0 - amount / total) ** power
    return start, work / out_units, shares
