"""The finished-goods store of a demand: stock on hand, backlog served first come, first
served, and what the measured window saw of them (one store per type of a product mix).

An order takes finished goods when it is due; what is short is backlogged and delivered
as the line makes it (unmet demand is never lost).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from sim.engine.lot import EPS

__all__ = ["DemandResult", "FinishedGoods"]


@dataclass(frozen=True)
class DemandResult:
    """What the demand saw in the measured window; quantities in sold units [sold unit].

    ``demanded`` and ``orders`` count the orders due in the window, ``filled`` the units
    of them taken from stock when due, ``on_time`` the orders filled in full when due,
    ``delivered`` every unit handed over in the window (late ones included); the areas are
    the time integrals of finished stock and backlog [sold unit x time unit]. With a
    product mix ``by_type`` holds the same for each type (type name -> its result), and
    the fields above are their sums.
    """

    material: str
    demanded: float
    filled: float
    orders: int
    on_time: int
    delivered: float
    stock_area: float
    backlog_area: float
    stock_end: float
    backlog_end: float
    by_type: dict[str, DemandResult] = field(default_factory=dict)


class FinishedGoods:
    """Stock, backlog and the window's counts of one sold material (or one type of it)."""

    def __init__(self) -> None:
        self.stock = 0.0
        """Finished units on hand [sold unit]."""
        self.backlog: deque[list[float]] = deque()
        """Orders due and not yet delivered in full: [units still owed] each, oldest first."""
        self.owed = 0.0
        """Units of the backlog [sold unit]."""
        self._last = 0.0
        self.reset(0.0)

    def reset(self, now: float) -> None:
        """Start measuring at ``now`` (end of the warm-up) [time unit]."""
        self.mark(now)
        self.demanded = 0.0
        self.filled = 0.0
        self.orders = 0
        self.on_time = 0
        self.delivered = 0.0
        self.stock_area = 0.0
        self.backlog_area = 0.0

    def mark(self, now: float) -> None:
        """Bring the stock and backlog areas up to ``now`` [time unit]."""
        elapsed = now - self._last
        if elapsed > 0:
            self.stock_area += self.stock * elapsed
            self.backlog_area += self.owed * elapsed
        self._last = now

    def made(self, quantity: float, now: float) -> None:
        """``quantity`` finished units entered the store [sold unit]: serve the backlog."""
        self.mark(now)
        self.stock += quantity
        backlog = self.backlog
        while backlog and self.stock > EPS:
            front = backlog[0]
            given = min(front[0], self.stock)
            front[0] -= given
            self.stock -= given
            self.owed -= given
            self.delivered += given
            if front[0] <= EPS:
                backlog.popleft()
        if not backlog:
            self.owed = 0.0

    def due(self, quantity: float, now: float) -> None:
        """An order of ``quantity`` sold units is due now: take it from stock, owe the rest."""
        self.mark(now)
        taken = min(quantity, self.stock)
        self.stock -= taken
        short = quantity - taken
        self.demanded += quantity
        self.filled += taken
        self.delivered += taken
        self.orders += 1
        if short > EPS:
            self.backlog.append([short])
            self.owed += short
        else:
            self.on_time += 1

    def result(self, material: str, end: float) -> DemandResult:
        """The window's observations, areas brought up to ``end`` [time unit]."""
        self.mark(end)
        return DemandResult(
            material=material,
            demanded=self.demanded,
            filled=self.filled,
            orders=self.orders,
            on_time=self.on_time,
            delivered=self.delivered,
            stock_area=self.stock_area,
            backlog_area=self.backlog_area,
            stock_end=self.stock,
            backlog_end=self.owed,
        )
