"""The release sequence of a product mix: which type the release station starts next.

Without a demand a campaign runs one type for its number of lots of the release station,
then the next type in the cycle; the station's machines share one sequence, so a campaign
is spread over all of them as they come free.

Under a demand (orders naming the types) the base-stock release of
:mod:`sim.engine.demand` is kept per type in a :class:`TypeRelease`: the release station
starts a type only while that type is authorised. Each type's authorisation is a set of
*claims*, each with a due time and a rank: an order placed claims its quantity (due when
it is due, ranked by its place in the file); the finished-goods target ``stock`` is split
equally between the types, each share a claim due at 0 ranked before every order; a unit
of a type scrapped at or after the release station claims its replacement, which joins
the type's earliest open claim (made with it, no extra type change), or when the type has
none open, waits for its next claim; replacements that wait are started by themselves
only when no claim of any type is open (the station would idle), the types in file order.
Starting cycles of a type uses up its claims earliest due first.

- ``campaign``: the current campaign goes on while its type is authorised for a whole
  cycle; when it is not, the next type in the cycle that is starts a new campaign; when no
  type is, the station idles until an order is placed.
- ``due-date`` (earliest due date, EDD): each run is of the type whose earliest open
  claim (not yet started in full) has the least (due, rank); ties between types (the
  stock at 0) go to the type listed first. With nothing open the station idles.

Every sequence is deterministic: it draws nothing, so two scenarios of one mix start the
same types in the same order.
"""

from __future__ import annotations

import heapq
import math
from typing import TYPE_CHECKING

from sim.engine.lot import EPS
from sim.model.products import ProductMix

if TYPE_CHECKING:
    from sim.engine.holder import Waiter

__all__ = [
    "CampaignSequence",
    "DemandCampaign",
    "DueDateSequence",
    "TypeRelease",
    "release_sequence",
]

STOCK_RANK = -1
"""Rank of the claims of the stock target and of scrap replacements: before any order."""


class TypeRelease:
    """What the demand authorises the release station to start, by type, in units of the
    release station's output [output unit]."""

    __slots__ = ("claims", "pending", "per_cycle", "units", "waiting")

    def __init__(self, types: int) -> None:
        self.claims: list[list[list[float]]] = [[] for _ in range(types)]
        """Per type, a heap of open claims [due, rank, units left] [time unit, -, output unit]."""
        self.units = [0.0] * types
        """Units authorised and not yet started, per type [output unit]."""
        self.per_cycle = 1.0
        """Output units of one cycle of the release station [output unit] (set by it)."""
        self.waiting: list[Waiter] = []
        """Release machines waiting for an authorisation."""
        self.pending = [0.0] * types
        """Per type, replacements waiting for the type's next claim [output unit]."""

    def authorise(self, product: int, units: float, due: float, rank: int) -> None:
        """Open a claim of ``units`` [output unit] of type ``product``, due at ``due``
        [time unit], and wake the machines waiting for one."""
        if units <= EPS:
            return
        units += self.pending[product]
        self.pending[product] = 0.0
        heapq.heappush(self.claims[product], [due, float(rank), units])
        self._added(product, units)

    def replace(self, product: int, units: float) -> None:
        """Claim ``units`` [output unit] of type ``product`` to replace scrapped ones:
        with its earliest open claim, else with its next claim."""
        if units <= EPS:
            return
        claims = self.claims[product]
        if claims:
            claims[0][2] += units
            self._added(product, units)
        else:  # an idle release station may start them (open_replacements)
            self.pending[product] += units
            self._wake()

    def _added(self, product: int, units: float) -> None:
        self.units[product] += units
        self._wake()

    def _wake(self) -> None:
        waiting, self.waiting = self.waiting, []
        for waiter in waiting:
            waiter.succeed()

    def cycles(self, product: int) -> float:
        """Whole cycles of type ``product`` authorised [-]."""
        return float(math.floor((self.units[product] + EPS) / self.per_cycle))

    def take(self, product: int, cycles: float) -> None:
        """Use up the claims of ``cycles`` [-] of type ``product`` started, earliest first."""
        units = cycles * self.per_cycle
        self.units[product] -= units
        claims = self.claims[product]
        while claims and units > EPS:
            front = claims[0]
            used = min(front[2], units)
            front[2] -= used
            units -= used
            if front[2] <= EPS:
                heapq.heappop(claims)

    def earliest(self) -> int:
        """The type whose earliest open claim has the least (due, rank), among the types
        authorised for a whole cycle; -1 when none is."""
        best, key = -1, (math.inf, math.inf)
        for product, claims in enumerate(self.claims):
            if claims and self.cycles(product) >= 1:
                front = (claims[0][0], claims[0][1])
                if front < key:
                    best, key = product, front
        return best

    def open_replacements(self) -> int:
        """Open the waiting replacements of the first type (file order) that has a whole
        cycle of them and return it; -1 when none has."""
        for product, pending in enumerate(self.pending):
            if pending + EPS >= self.per_cycle:
                self.pending[product] = 0.0
                heapq.heappush(self.claims[product], [0.0, float(STOCK_RANK), pending])
                self.units[product] += pending
                return product
        return -1


class CampaignSequence:
    """Campaigns of each type in a cycle, counted in cycles of the release station."""

    __slots__ = ("_at", "_cycle", "_sizes", "left", "product")

    def __init__(self, mix: ProductMix, lot_cycles: int) -> None:
        index = {name: number for number, name in enumerate(mix.names)}
        self._cycle = [index[name] for name in mix.cycle()]
        """Type indices in campaign order [-]."""
        self._sizes = {
            index[name]: float(max(1, round(lots)) * lot_cycles)
            for name, lots in mix.sequence.lots.items()
        }
        """Cycles of the release station in one campaign of each type [-]."""
        self._at = 0
        self.product = self._cycle[0]
        """The type the release station starts now [-]."""
        self.left = self._sizes[self.product]
        """Cycles left in the current campaign [-]."""

    def next_run(self) -> tuple[int, float]:
        """The type to start now and the most cycles of it [-, -]; type -1: none yet."""
        return self.product, self.left

    def wait(self, waiter: Waiter) -> None:
        """A campaign always has a type: never called."""
        raise AssertionError("a campaign without demand always has a type to start")

    def started(self, product: int, cycles: float) -> None:
        """Record ``cycles`` [-] of the current type started; move to the next campaign
        when this one is done."""
        self.left -= cycles
        if self.left <= EPS:
            self._next()

    def _next(self) -> None:
        self._at = (self._at + 1) % len(self._cycle)
        self.product = self._cycle[self._at]
        self.left = self._sizes[self.product]


class DemandCampaign(CampaignSequence):
    """Campaigns in a cycle, each type only while the demand authorises it (module
    docstring)."""

    __slots__ = ("release",)

    def __init__(self, mix: ProductMix, lot_cycles: int, release: TypeRelease) -> None:
        super().__init__(mix, lot_cycles)
        self.release = release

    def next_run(self) -> tuple[int, float]:
        """The campaign's type while authorised, else the next authorised one in the
        cycle (a new campaign), with the most cycles of it; type -1 when none is."""
        cycles = self.release.cycles
        authorised = cycles(self.product)
        if authorised >= 1:
            return self.product, min(self.left, authorised)
        count = len(self._cycle)
        for step in range(1, count):
            at = (self._at + step) % count
            product = self._cycle[at]
            authorised = cycles(product)
            if authorised >= 1:
                self._at, self.product, self.left = at, product, self._sizes[product]
                return product, min(self.left, authorised)
        product = self.release.open_replacements()
        if product < 0:
            return -1, 0.0
        return product, cycles(product)

    def wait(self, waiter: Waiter) -> None:
        """Wake ``waiter`` at the next authorisation."""
        self.release.waiting.append(waiter)

    def started(self, product: int, cycles: float) -> None:
        """Use up the authorisation of ``cycles`` [-] of ``product`` and count the campaign."""
        self.release.take(product, cycles)
        if product == self.product:  # not replacements of another type made meanwhile
            super().started(product, cycles)


class DueDateSequence:
    """Earliest due date first: each run of the type whose open claim is due first."""

    __slots__ = ("release",)

    def __init__(self, release: TypeRelease) -> None:
        self.release = release

    def next_run(self) -> tuple[int, float]:
        """The type of the open claim due first and its authorised cycles [-, -]; type
        -1 when nothing is open."""
        product = self.release.earliest()
        if product < 0:
            product = self.release.open_replacements()
        if product < 0:
            return -1, 0.0
        return product, self.release.cycles(product)

    def wait(self, waiter: Waiter) -> None:
        """Wake ``waiter`` at the next authorisation."""
        self.release.waiting.append(waiter)

    def started(self, product: int, cycles: float) -> None:
        """Use up the authorisation of ``cycles`` [-] of ``product``."""
        self.release.take(product, cycles)


def release_sequence(
    mix: ProductMix, lot_cycles: int, per_cycle: float, release: TypeRelease | None
) -> CampaignSequence | DueDateSequence:
    """The sequence of a release station whose lots are ``lot_cycles`` cycles [-] of
    ``per_cycle`` output units [output unit]: campaigns, or under a demand (``release``)
    the mix's rule on what the demand authorises."""
    if release is None:
        return CampaignSequence(mix, lot_cycles)
    release.per_cycle = per_cycle
    if mix.sequence.rule == "due-date":
        return DueDateSequence(release)
    return DemandCampaign(mix, lot_cycles, release)
