"""The bodies of a station's machines (:class:`~sim.engine.machine.Machine`) on a line
without a product mix (a typed station's is :func:`sim.engine.mix.run_mix`).

:func:`run_general` is a generator that yields how long to wait [time unit], or ``None``
after registering the machine as a waiter with a holder; the machine drives it on its one
reused SimPy event. :func:`run_lots` is the lean loop of a station that works each lot
whole as it comes (one input, nothing merged, split or batched, no shifts or calendar
failures: the cell steps between batch ovens); it works most lots of a year, so it drives
itself on that event (:func:`drives_itself`). :func:`run_general` does everything else
(merges, batches, splits, shifts, calendar failures). Which one a machine runs is decided
once, when it starts, so neither pays per lot for what the other handles.
"""

from __future__ import annotations

import math
from collections.abc import Generator
from typing import TYPE_CHECKING, Any

from sim.engine._simpy import NORMAL
from sim.engine.buffer import Buffer
from sim.engine.lot import EPS, Lot
from sim.engine.monitor import BLOCKED, BUSY, IDLE

if TYPE_CHECKING:
    from sim.engine.machine import Machine

__all__ = ["Process", "drives_itself", "run_general", "run_lots"]

Process = Generator[float | None, Any, None]
"""A machine's body: yields a delay [time unit], or ``None`` to wait until woken."""

WOKEN = (None,)
"""One wait until woken (for ``Machine._pause``)."""


def drives_itself(body: Process) -> bool:
    """Whether ``body`` schedules the machine's event itself and always yields ``None``
    (:func:`run_lots`): SimPy then resumes it straight, without the machine's step."""
    return getattr(body, "gi_code", None) is run_lots.__code__


def run_lots(machine: Machine) -> Generator[None, Any, None]:
    """One input, nothing merged, split or batched, no shifts or calendar failures:
    each lot is worked whole as it comes (the cell steps between batch ovens).

    The tray stations work most lots of a year, so this body drives itself: SimPy
    resumes it straight on the machine's event (a wake, with ``None``), and at each wait
    it does what ``Machine._step`` does after a body yields (``Machine._pause``; written
    out for the wait of a lot in process): one Python frame less per event."""
    env = machine.env
    end = machine._end
    steps = machine._steps
    push = machine._push
    numbers = machine._numbers
    wakes = machine._wakes
    pending = wakes.pending
    own = machine._resumes  # this machine's deferred wake
    pause = machine._pause
    top = False  # resumed by SimPy (not at the start, nor by a wake in another callback)
    station = machine.station
    clock = machine.clock
    switch = clock.switch
    buffer, per_cycle = station.inputs[0]
    take_front = buffer.take_front
    wait = buffer.wait
    limit = station.batch_max * per_cycle
    reach = limit + EPS  # the most units of a front lot taken whole [material unit]
    stock = buffer if isinstance(buffer, Buffer) else None
    out = station.out
    put = out.put
    into = out if isinstance(out, Buffer) else None
    run_time = station.run_time
    cycle_time = station.cycle_time
    lot_sum = station._lot_sum
    out_per_cycle = station.out_per_cycle
    inspect = station.inspector() if station.checks_quality else None
    prepares = bool(station.setup_every or station.setup_interval or station.maintenance_every)
    observer = clock.observer
    totals = clock.totals  # clock.switch inlined below when nothing observes it
    while True:
        # take_front(limit), written out for its usual case (the front lot whole) and
        # into.put(lot) below: two calls less per lot, the same arithmetic in the same
        # order (Buffer.take_front and Buffer.put must change with them)
        if stock is not None and (lots := stock.lots) and lots[0].qty <= reach:
            front = lots.popleft()
            now = env.now
            flux = stock.flux + front.qty * now
            level = stock.level - front.qty
            if level < EPS:  # the buffer emptied (Buffer._settle_level)
                flux += level * now
                level = 0.0
            stock.flux = flux
            stock.level = level
            if stock.putters:
                stock._admit()
            lot: Lot | None = front
        else:
            lot = take_front(limit)
        if lot is None:
            if observer is None:
                now = env.now
                totals[clock.state] += now - clock.since
                clock.state = IDLE
                clock.since = now
            else:
                switch(IDLE, env.now)
            wait(machine, per_cycle)
            # top = yield from pause(WOKEN, top), written out: a wait for material
            waits = True
            if top:
                while pending:
                    resume = pending.popleft()
                    if resume is own:  # woken by a machine it resumed: goes on now
                        waits = False
                        break
                    resume()
                else:
                    wakes.active = False
            if waits:
                if (yield) is None:
                    top = False
                else:
                    wakes.active = True
                    top = True
            continue
        cycles = lot.qty / per_cycle
        if prepares and not machine.nothing_due(cycles):
            top = yield from pause(machine._prepare(cycles), top)
        # station.run_time, inlined for whole cycles: one draw, or a block sum
        if cycles == 1:
            duration = cycle_time()
        elif lot_sum is not None and cycles == (whole := int(cycles)):
            duration = lot_sum(whole)
        else:
            duration = run_time(cycles)
        up_left = machine.up_left
        stop_left = machine.stop_left
        # no calendar failures here (they settle while waiting): next_failure stays inf
        if duration <= up_left and duration <= stop_left:
            if clock.state != BUSY:
                if observer is None:
                    now = env.now
                    totals[clock.state] += now - clock.since
                    clock.state = BUSY
                    clock.since = now
                else:
                    switch(BUSY, env.now)
            machine.up_left = up_left - duration
            machine.stop_left = stop_left - duration
            # top = yield from pause((duration,), top), written out: the wait of a lot
            if duration < 0:
                raise ValueError(f"negative delay {duration}")
            end.callbacks = steps
            push((env.now + duration, NORMAL, next(numbers), end))
            if top:  # a machine in process waits on no holder: none of these wakes it
                while pending:
                    pending.popleft()()
                wakes.active = False
            if (yield) is None:
                top = False
            else:
                wakes.active = True
                top = True
        else:
            top = yield from pause(machine._work(duration, BUSY), top)
        station.cycles += cycles
        lot.work += duration / (cycles * out_per_cycle)
        if inspect is not None:
            if observer is not None:
                scrapped = station.scrapped
                inspect(lot)
                observer.finished(clock.key, lot.qty, station.scrapped - scrapped, env.now)
            else:
                inspect(lot)
        elif observer is not None:
            observer.finished(clock.key, lot.qty, 0.0, env.now)
        if lot.qty <= EPS:
            continue
        qty = lot.qty
        station.units_out += qty
        if into is not None and not into.getters:
            level = into.level + qty
            if level <= into.limit:  # into.put(lot) with nobody to wake, written out
                into.flux -= qty * env.now
                into.lots.append(lot)
                into.level = level
                continue
        if not put(lot):
            switch(BLOCKED, env.now)
            out.block(machine, lot)
            top = yield from pause(WOKEN, top)


def run_general(machine: Machine) -> Process:
    """Merges, lots, batches, setups, stops, shifts, inspection."""
    env = machine.env
    station = machine.station
    clock = machine.clock
    inputs = station.inputs
    # Raw material is never short: only buffers are checked for enough to start (raw
    # materials a run does not count are not wired at all, see sim.engine.build).
    needs = [(buffer, per_cycle) for buffer, per_cycle in inputs if isinstance(buffer, Buffer)]
    low, high = station.batch_min, station.batch_max
    settle = station.settles_waiting
    whole = station.whole_lots
    pauses = station.shift_pauses
    prepares = bool(station.setup_every or station.setup_interval or station.maintenance_every)
    inspect = station.inspector() if station.checks_quality else None
    finish = station.finish
    run_time = station.run_time
    lot_sum = None if station.batched else station._lot_sum  # a batch: one draw
    out = station.out
    put = out.put
    into = out if isinstance(out, Buffer) else None
    while True:
        if settle:
            yield from machine._settle()
        if whole:
            # One input, nothing merged or split: work lot by lot as lots come.
            buffer, per_cycle = inputs[0]
            limit = high * per_cycle
            while (lot := buffer.take_front(limit)) is None:
                clock.switch(IDLE, env.now)
                buffer.wait(machine, per_cycle)
                yield None
                if settle:
                    yield from machine._settle()
            cycles = lot.qty / per_cycle
            taken = [([lot], lot.qty)]
        while not whole:
            cycles = high
            short = None
            for stock, per_cycle in needs:
                # stock.available(), inlined for the usual case: nobody blocked upstream
                available = (stock.available() if stock.putters else stock.level) + EPS
                if available < low * per_cycle:
                    short = (stock, per_cycle)
                    break
                if available < cycles * per_cycle:
                    cycles = int(available / per_cycle)
            if short is None:
                taken = []  # a loop, not a comprehension: no function frame per run
                for buffer, per_cycle in inputs:
                    amount = cycles * per_cycle
                    taken.append((buffer.take(amount), amount))
                break
            if clock.observer is None:  # clock.switch(IDLE, env.now), inlined
                now = env.now
                clock.totals[clock.state] += now - clock.since
                clock.state = IDLE
                clock.since = now
            else:
                clock.switch(IDLE, env.now)
            short[0].wait(machine, low * short[1])
            yield None
            if settle:
                yield from machine._settle()
        started = env.now
        if prepares and not machine.nothing_due(cycles):
            yield from machine._prepare(cycles)
        # station.run_time, inlined for a lot of whole cycles: one draw of its sum
        if lot_sum is not None and cycles > 1 and cycles == (count := int(cycles)):
            duration = lot_sum(count)
        else:
            duration = run_time(cycles)
        up_left = machine.up_left
        stop_left = machine.stop_left
        if (
            duration <= up_left
            and duration <= stop_left
            and env.now + duration <= machine.next_failure
            and (not pauses or env.now + duration <= machine._shift_end())
        ):
            if clock.state != BUSY:
                if clock.observer is None:  # clock.switch(BUSY, env.now), inlined
                    now = env.now
                    clock.totals[clock.state] += now - clock.since
                    clock.state = BUSY
                    clock.since = now
                else:
                    clock.switch(BUSY, env.now)
            machine.up_left = up_left - duration
            machine.stop_left = stop_left - duration
            yield duration
        else:
            yield from machine._work(duration, BUSY)
        station.cycles += cycles
        if clock.observer is not None:
            scrapped = station.scrapped
            lots = finish(taken, cycles, duration, started, inspect)
            good = math.fsum(lot.qty for lot in lots)
            clock.observer.finished(clock.key, good, station.scrapped - scrapped, env.now)
        else:
            lots = finish(taken, cycles, duration, started, inspect)
        for lot in lots:
            if into is not None and not into.getters:
                qty = lot.qty
                level = into.level + qty
                if level <= into.limit:  # into.put(lot) with nobody to wake, written out
                    into.flux -= qty * env.now
                    into.lots.append(lot)
                    into.level = level
                    continue
            if not put(lot):
                clock.switch(BLOCKED, env.now)
                out.block(machine, lot)
                yield None
                if settle:
                    yield from machine._settle()
