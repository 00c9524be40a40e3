"""Demand in a replication: orders, the finished-goods store, backlog, and release by them.

The release rule is make-to-stock with a base stock (:mod:`sim.model.demand`): each raw
material the sold material is made of waits in a buffer that only the demand fills. The
start authorises ``stock`` sold units and each order placed its quantity: each authorised
sold unit puts into every such buffer the units of that raw material one sold unit is
made of by recipe; a unit scrapped anywhere puts back the raw material it was made of.
The finished-goods store is the sold material's sink: an order takes from it when due,
what is short waits as backlog and is served first come, first served as units arrive
(:mod:`sim.engine.stock`). With a product mix each type has its store, its orders take
only from it, and the release station starts a type only while it is authorised
(:mod:`sim.engine.sequencing` states the rule per type); raw material is released by
each type's recipe.

Orders from a rate: the k-th order is placed (and due) when the cumulative demand
Lambda(t) = integral of the rate reaches E_k, with E_k = k x order size (even) or the
partial sums of exponential order-size gaps (Poisson, a time change of a unit-rate
Poisson stream, exact also for monthly rates). Random numbers only from the stream
("demand", "orders").
"""

from __future__ import annotations

import math
from collections.abc import Generator
from typing import TYPE_CHECKING, Any

from sim.engine.lot import EPS, Lot
from sim.engine.mix import TypeSink
from sim.engine.monitor import Sink
from sim.engine.rng import stream
from sim.engine.sequencing import STOCK_RANK, TypeRelease
from sim.engine.stock import DemandResult, FinishedGoods
from sim.model.demand_plan import DemandPlan

if TYPE_CHECKING:
    import simpy

    from sim.engine.buffer import Buffer
    from sim.engine.monitor import Departures, LineMonitor

__all__ = ["DemandResult", "DemandRun", "ScrapReturn", "StockSink", "TypeStockSink"]


class DemandRun:
    """The orders, finished stock and backlog of one replication, and the release they
    authorise.

    ``gates`` are, per type (one list without a product mix), the raw-material buffers the
    demand fills, each with its units in one sold unit of that type [-]; ``returns`` maps,
    per type, a material to those buffers with the units of their raw material in one unit
    of it [-] (what a scrapped unit gives back). ``monitor`` counts the release of
    ``entry``, the line's one counted raw material, if it has one. With a product mix,
    ``release`` is what the release station may start of each type, ``types`` the type
    names and ``claims`` per type the release station's output units in one unit of each
    typed material [-] (an order's units, and a scrapped unit's replacement).
    """

    def __init__(
        self,
        env: simpy.Environment,
        plan: DemandPlan,
        gates: list[list[tuple[Buffer, float]]],
        returns: list[dict[str, list[tuple[Buffer, float]]]],
        monitor: LineMonitor | None,
        entry: str | None,
        seed: int,
        replication: int,
        release: TypeRelease | None = None,
        types: tuple[str, ...] = (),
        claims: list[dict[str, float]] | None = None,
    ) -> None:
        self.env = env
        self.plan = plan
        self.gates = gates
        self.returns = returns
        self.monitor = monitor
        self.entry = entry
        self.seed = seed
        self.replication = replication
        self.release = release
        self.types = types
        self.claims = claims or [{}]
        self.stores = [FinishedGoods() for _ in types or (plan.material,)]
        """The finished-goods store of each type (one without a product mix)."""

    def reset(self, now: float) -> None:
        """Start measuring at ``now`` (end of the warm-up)."""
        for store in self.stores:
            store.reset(now)

    def start(self) -> None:
        """Authorise the finished-goods target (split equally between the types of a
        product mix) and start the orders."""
        if self.plan.stock > 0:
            share = self.plan.stock / len(self.stores)
            for product in range(len(self.stores)):
                self.authorise(share if self.types else self.plan.stock, product)
        if self.plan.rates:
            self.env.process(self._rate_orders())
        if self.plan.orders:
            self.env.process(self._book_orders())

    def authorise(
        self, quantity: float, product: int = 0, due: float = 0.0, rank: int = STOCK_RANK
    ) -> None:
        """Release the raw material of ``quantity`` sold units of type ``product``
        [sold unit], due at ``due`` [time unit] (what the release station may start)."""
        self._release([(buffer, quantity * need) for buffer, need in self.gates[product]])
        if self.release is not None:
            sold = self.claims[product][self.plan.material]
            self.release.authorise(product, quantity * sold, due, rank)

    def give_back(self, material: str, quantity: float, product: int = 0) -> None:
        """Release again the raw material of ``quantity`` scrapped units of ``material``
        (of type ``product``), and claim their replacement when they had a type."""
        given = self.returns[product].get(material)
        if given:
            self._release([(buffer, quantity * per) for buffer, per in given])
        if self.release is not None:
            per_unit = self.claims[product].get(material)
            if per_unit:
                self.release.replace(product, quantity * per_unit)

    def _release(self, amounts: list[tuple[Buffer, float]]) -> None:
        now = self.env.now
        for buffer, amount in amounts:
            if amount <= EPS:
                continue
            if self.monitor is not None and buffer.name == self.entry:
                self.monitor.release(now, amount)
            buffer.put(Lot(amount, now))

    def made(self, quantity: float, product: int = 0) -> None:
        """``quantity`` finished units of type ``product`` entered the store [sold unit]."""
        self.stores[product].made(quantity, self.env.now)

    def due(self, quantity: float, product: int = 0) -> None:
        """An order of ``quantity`` sold units of type ``product`` is due now."""
        self.stores[product].due(quantity, self.env.now)

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
        orders = self.plan.orders
        events = sorted(
            [
                (placed, 0, quantity, product, due, rank)
                for placed, due, quantity, product, rank in orders
            ]
            + [(due, 1, quantity, product, due, rank) for _, due, quantity, product, rank in orders]
        )
        for at, kind, quantity, product, due, rank in events:
            if at > env.now:
                yield env.timeout(at - env.now)
            if kind == 0:
                self.authorise(quantity, product, due, rank)
            else:
                self.due(quantity, product)

    def result(self, end: float) -> DemandResult:
        """The window's observations, areas brought up to ``end`` [time unit]; with a
        product mix their sums over the types, and each type's."""
        material = self.plan.material
        if not self.types:
            return self.stores[0].result(material, end)
        by_type = {
            name: store.result(material, end)
            for name, store in zip(self.types, self.stores, strict=True)
        }
        parts = list(by_type.values())
        return DemandResult(
            material=material,
            demanded=math.fsum(p.demanded for p in parts),
            filled=math.fsum(p.filled for p in parts),
            orders=sum(p.orders for p in parts),
            on_time=sum(p.on_time for p in parts),
            delivered=math.fsum(p.delivered for p in parts),
            stock_area=math.fsum(p.stock_area for p in parts),
            backlog_area=math.fsum(p.backlog_area for p in parts),
            stock_end=math.fsum(p.stock_end for p in parts),
            backlog_end=math.fsum(p.backlog_end for p in parts),
            by_type=by_type,
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


class TypeStockSink(TypeSink):
    """The sold material's sink of a product mix: the demand's stores, by type."""

    demand: DemandRun | None = None

    def put(self, lot: Lot) -> bool:
        """Take a finished lot into its type's stock (counted as a sink counts it)."""
        super().put(lot)
        assert self.demand is not None
        self.demand.made(lot.qty, lot.product)
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
        self.demand.give_back(self.material, lot.qty, lot.product)
