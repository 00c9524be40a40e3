"""Demand in a replication: orders, the finished-goods store, backlog, and release by them.

The release rule is make-to-stock with a base stock (:mod:`sim.model.demand`): each raw
material the sold material is made of waits in a buffer that only the demand fills. The
start authorises ``stock`` sold units and each order placed its quantity: each authorised
sold unit puts into every such buffer the units of that raw material one sold unit is
made of by recipe; a unit scrapped anywhere puts back the raw material it was made of.
The finished-goods store is the sold material's sink: an order takes from it when due,
what is short waits as backlog and is served first come, first served as units arrive.

Orders from a rate: the k-th order is placed (and due) when the cumulative demand
Lambda(t) = integral of the rate reaches E_k, with E_k = k x order size (even) or the
partial sums of exponential order-size gaps (Poisson, a time change of a unit-rate
Poisson stream, exact also for monthly rates). Random numbers only from the stream
("demand", "orders").
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Generator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sim.engine.lot import EPS, Lot
from sim.engine.monitor import Sink
from sim.engine.rng import stream
from sim.model.demand_plan import DemandPlan

if TYPE_CHECKING:
    import simpy

    from sim.engine.buffer import Buffer
    from sim.engine.monitor import Departures, LineMonitor

__all__ = ["DemandResult", "DemandRun", "ScrapReturn", "StockSink"]


@dataclass(frozen=True)
class DemandResult:
    """What the demand saw in the measured window; quantities in sold units [sold unit].

    ``demanded`` and ``orders`` count the orders due in the window, ``filled`` the units
    of them taken from stock when due, ``on_time`` the orders filled in full when due,
    ``delivered`` every unit handed over in the window (late ones included); the areas are
    the time integrals of finished stock and backlog [sold unit x time unit].
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


class DemandRun:
    """The orders, finished stock and backlog of one replication, and the release they
    authorise.

    ``gates`` are the raw-material buffers the demand fills, each with its units in one
    sold unit [-]; ``returns`` maps a material to those buffers with the units of their
    raw material in one unit of it [-] (what a scrapped unit gives back). ``monitor``
    counts the release of ``entry``, the line's one counted raw material, if it has one.
    """

    def __init__(
        self,
        env: simpy.Environment,
        plan: DemandPlan,
        gates: list[tuple[Buffer, float]],
        returns: dict[str, list[tuple[Buffer, float]]],
        monitor: LineMonitor | None,
        entry: str | None,
        seed: int,
        replication: int,
    ) -> None:
        self.env = env
        self.plan = plan
        self.gates = gates
        self.returns = returns
        self.monitor = monitor
        self.entry = entry
        self.seed = seed
        self.replication = replication
        self.stock = 0.0
        """Finished units on hand [sold unit]."""
        self.backlog: deque[list[float]] = deque()
        """Orders due and not yet delivered in full: [units still owed] each, oldest first."""
        self.owed = 0.0
        """Units of the backlog [sold unit]."""
        self._last = 0.0
        self.reset(0.0)

    def reset(self, now: float) -> None:
        """Start measuring at ``now`` (end of the warm-up)."""
        self._mark(now)
        self.demanded = 0.0
        self.filled = 0.0
        self.orders = 0
        self.on_time = 0
        self.delivered = 0.0
        self.stock_area = 0.0
        self.backlog_area = 0.0

    def _mark(self, now: float) -> None:
        elapsed = now - self._last
        if elapsed > 0:
            self.stock_area += self.stock * elapsed
            self.backlog_area += self.owed * elapsed
        self._last = now

    def start(self) -> None:
        """Authorise the finished-goods target and start the orders."""
        if self.plan.stock > 0:
            self.authorise(self.plan.stock)
        if self.plan.rates:
            self.env.process(self._rate_orders())
        if self.plan.orders:
            self.env.process(self._book_orders())

    def authorise(self, quantity: float) -> None:
        """Release the raw material of ``quantity`` sold units [sold unit]."""
        self._release([(buffer, quantity * need) for buffer, need in self.gates])

    def give_back(self, material: str, quantity: float) -> None:
        """Release again the raw material of ``quantity`` scrapped units of ``material``."""
        given = self.returns.get(material)
        if given:
            self._release([(buffer, quantity * per) for buffer, per in given])

    def _release(self, amounts: list[tuple[Buffer, float]]) -> None:
        now = self.env.now
        for buffer, amount in amounts:
            if amount <= EPS:
                continue
            if self.monitor is not None and buffer.name == self.entry:
                self.monitor.release(now, amount)
            buffer.put(Lot(amount, now))

    def made(self, quantity: float) -> None:
        """``quantity`` finished units entered the store [sold unit]: serve the backlog."""
        self._mark(self.env.now)
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

    def due(self, quantity: float) -> None:
        """An order of ``quantity`` sold units is due now: take it from stock, owe the rest."""
        self._mark(self.env.now)
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

    def _rate_orders(self) -> Generator[simpy.Event, Any, None]:
        """SimPy process: orders of the demand rate, placed and due at once."""
        env, plan = self.env, self.plan
        size = plan.order_size
        rng = stream(self.seed, self.replication, "demand", "orders") if plan.poisson else None
        cumulative = 0.0
        while True:
            cumulative += size if rng is None else float(rng.exponential(size))
            at = self._time_of(cumulative)
            if at > env.now:
                yield env.timeout(at - env.now)
            self.authorise(size)
            self.due(size)

    def _time_of(self, cumulative: float) -> float:
        """When the cumulative demand reaches ``cumulative`` [sold unit] [time unit]."""
        rates, period = self.plan.rates, self.plan.period
        if len(rates) == 1:
            return cumulative / rates[0]
        cycle = period * sum(rates)
        cycles = math.floor(cumulative / cycle)
        left = cumulative - cycles * cycle
        at = cycles * len(rates) * period
        for rate in rates:
            month = rate * period
            if left <= month:
                return at + left / rate
            left -= month
            at += period
        return at  # rounding left a sliver past the cycle's end

    def _book_orders(self) -> Generator[simpy.Event, Any, None]:
        """SimPy process: the order book, each order placed and then due."""
        env = self.env
        events = sorted(
            [(placed, 0, quantity) for placed, _, quantity in self.plan.orders]
            + [(due, 1, quantity) for _, due, quantity in self.plan.orders]
        )
        for at, kind, quantity in events:
            if at > env.now:
                yield env.timeout(at - env.now)
            if kind == 0:
                self.authorise(quantity)
            else:
                self.due(quantity)

    def result(self, end: float) -> DemandResult:
        """The window's observations, areas brought up to ``end`` [time unit]."""
        self._mark(end)
        return DemandResult(
            material=self.plan.material,
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


class StockSink(Sink):
    """The sold material's sink, which is also the finished-goods store of the demand."""

    demand: DemandRun | None = None

    def put(self, lot: Lot) -> bool:
        """Take a finished lot into stock (counted as a sink counts it)."""
        super().put(lot)
        assert self.demand is not None
        self.demand.made(lot.qty)
        return True


class ScrapReturn:
    """Where a station or delay reports units that leave the way to the sold material
    under a demand (scrap, or cells sold off as a lower grade): to the line's monitor, if
    any, and to the demand, which releases their raw material again."""

    __slots__ = ("demand", "inner", "material")

    def __init__(self, demand: DemandRun, material: str, inner: Departures | None) -> None:
        self.demand = demand
        self.material = material
        self.inner = inner

    def leave(self, lot: Lot, good: bool, release_per_unit: float | None = None) -> None:
        """Pass the departure on; the lot gives its raw material back, scrapped or sold
        as a grade that does not go on (it never reaches the finished-goods store)."""
        if self.inner is not None:
            self.inner.leave(lot, good, release_per_unit)
        self.demand.give_back(self.material, lot.qty)
