"""A machine of a station: take, set up, process, fail, inspect, pass on.

The hot path costs one event per lot: taking from a stocked buffer and putting into a
buffer with room need no event. Interruptions need no SimPy interrupts either: failures
and minor stops on the operating-time basis are clocks of processing time left, so a lot in
process is split at the stop and resumes after it (preemptive-resume); calendar failures
and shift ends that fall while the machine waits are settled when it next acts.

The machine's body is a generator that yields how long to wait [time unit], or ``None``
after registering the machine as a waiter with a holder. The machine drives it itself
with one reused SimPy event (as :class:`~sim.engine.piece.PieceMachine` does): a yielded
delay schedules that event as ``env.timeout`` would, and a holder waking the machine
schedules it now as ``Event.succeed`` would, so events are processed in the same order as
with a SimPy process yielding timeouts and events, without a new event object, a
``Process`` resumption or a callback list per step. The event goes straight into SimPy's
queue as the very entry ``env.schedule`` would push, and the clock is read as ``env.now``,
a plain attribute of the engine's environment: both through :mod:`sim.engine._simpy`, the
one module that touches SimPy's private names. The tray loop goes one step further and
drives itself (:func:`sim.engine.bodies.drives_itself`, :meth:`Machine._pause`): SimPy
resumes its generator straight, without a Python frame of the machine's step per event.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Generator, Iterable
from functools import partial
from typing import TYPE_CHECKING, Any

import simpy

from sim.engine._simpy import NORMAL, event_counter, event_queue, queue_push, triggered_event
from sim.engine.bodies import Process, drives_itself, run_general, run_lots
from sim.engine.mix import run_mix
from sim.engine.monitor import (
    BLOCKED,
    BUSY,
    DOWN,
    IDLE,
    MAINTENANCE,
    MINOR_STOP,
    OFF_SHIFT,
    SETUP,
    MachineClock,
)
from sim.engine.wakes import wakes_of

if TYPE_CHECKING:
    from sim.engine.station import StationRun

__all__ = ["Machine"]


class Machine:
    """One of a station's identical parallel machines."""

    __slots__ = (
        "_body",
        "_end",
        "_heap",
        "_numbers",
        "_push",
        "_resumes",
        "_steps",
        "_wakes",
        "clock",
        "cycles_to_setup",
        "env",
        "index",
        "maintenance_due",
        "next_failure",
        "setup_due",
        "station",
        "stop_left",
        "up_left",
    )

    def __init__(self, env: simpy.Environment, station: StationRun, index: int) -> None:
        self.env = env
        self.station = station
        self.index = index
        self.clock = MachineClock(station.state_time, env.now)
        failures = station.failures
        operating = failures is not None and not failures.calendar
        self.up_left = failures.time_to_failure() if operating else math.inf  # type: ignore[union-attr]
        """Processing time left before the next operating-basis failure [time unit]."""
        self.next_failure = (
            env.now + failures.time_to_failure()
            if failures is not None and failures.calendar
            else math.inf
        )
        """Calendar time of the next calendar-basis failure [time unit]."""
        self.stop_left = station.stop_gap() if station.stop_gap else math.inf
        """Processing time left before the next minor stop [time unit]."""
        self.cycles_to_setup: float = station.setup_every
        self.setup_due = env.now + station.setup_interval if station.setup_interval else math.inf
        spacing = station.maintenance_every / station.machine_count
        self.maintenance_due = (
            env.now + spacing * (index + 1) if station.maintenance_every else math.inf
        )

    def run(self) -> Generator[simpy.Event, Any, None]:
        """The SimPy process that starts the machine (when SimPy would start a process);
        from then on the machine runs on its own event and the process stays suspended."""
        if self.station.mix is not None:
            self._body = run_mix(self)
        elif self.station.whole_lots and not self.station.settles_waiting:
            self._body = self._run_lots()
        else:
            self._body = self._run_general()
        self._end = triggered_event(self.env)
        """The machine's one event, reused (SimPy clears its callbacks)."""
        self._steps: list[Callable[[Any], Any]] = [self._step]
        self._resumes: Callable[[], Any] = self._resume
        """What a deferred wake queues: :meth:`_resume`, bound once."""
        if drives_itself(self._body):
            # SimPy resumes the body itself, sending it the event; a deferred wake sends
            # it None (see sim.engine.bodies): no Python frame of _step or _resume
            self._steps = [self._body.send]
            self._resumes = partial(self._body.send, None)
        self._push = queue_push(self.env)
        self._numbers = event_counter(self.env)
        self._heap = event_queue(self.env)
        """SimPy's event queue, read for what is due next (``env.peek()`` without a call)."""
        self._wakes = wakes_of(self.env)
        self._step()
        yield self.env.event()  # never triggered

    def _step(self, _event: simpy.Event | None = None) -> None:
        """The machine's event: resume the body, then the machines it woke."""
        wakes = self._wakes
        if wakes.active:
            self._resume()
            return
        wakes.active = True
        try:
            # self._resume(), inlined: one call less per event on the hot path
            delay = self._body.send(None)
            if delay is not None:
                if delay < 0:
                    raise ValueError(f"negative delay {delay}")
                end = self._end
                end.callbacks = self._steps
                self._push((self.env.now + delay, NORMAL, next(self._numbers), end))
            pending = wakes.pending
            while pending:  # wakes.drain(), inlined: one call less per event that wakes
                pending.popleft()()
        finally:
            wakes.active = False

    def _resume(self) -> None:
        """Resume the body until it waits: schedule its delay, or nothing when it waits to
        be woken."""
        delay = self._body.send(None)
        if delay is not None:
            if delay < 0:
                raise ValueError(f"negative delay {delay}")
            end = self._end
            end.callbacks = self._steps  # SimPy only reads the list it takes back
            # env.schedule(end, NORMAL, delay), inlined: the same entry in SimPy's queue
            self._push((self.env.now + delay, NORMAL, next(self._numbers), end))

    def succeed(self, _value: Any = None) -> None:
        """Wake the machine (material or room came; the holder's :class:`Waiter`): its
        body resumes where a process waiting on a succeeded event would, when the current
        callback ends if nothing else is due now (:mod:`sim.engine.wakes`), else in an
        event now."""
        wakes = self._wakes
        if wakes.active:  # wakes.defer(self._resume), inlined: one call less per wake
            queue = self._heap  # env.peek() > env.now, without its call
            if not queue or queue[0][0] > self.env.now:
                wakes.pending.append(self._resumes)
                return
        end = self._end
        end.callbacks = self._steps
        self._push((self.env.now, NORMAL, next(self._numbers), end))

    def _pause(self, delays: Iterable[float | None], top: bool) -> Generator[None, Any, bool]:
        """Wait out ``delays`` in a body that drives itself
        (:func:`sim.engine.bodies.drives_itself`): what :meth:`_step` and :meth:`_resume`
        do around a body's ``yield delay``, for each. Schedule the machine's event
        ``delay`` [time unit] from now (``None``: wait to be woken); when the body was
        resumed by SimPy (``top``), resume the machines it woke and end the callback; then
        wait. Returns whether SimPy resumed it last (it sends the event; a deferred wake
        and the start send ``None``). When this machine is woken while it resumes those
        (it waits for material they bring), it goes on at once without waiting, where the
        drain would have resumed it, and resumes the rest at its next wait."""
        wakes = self._wakes
        pending = wakes.pending
        own = self._resumes
        for delay in delays:
            if delay is not None:
                if delay < 0:
                    raise ValueError(f"negative delay {delay}")
                end = self._end
                end.callbacks = self._steps
                self._push((self.env.now + delay, NORMAL, next(self._numbers), end))
            if top:
                while pending:
                    resume = pending.popleft()
                    if resume is own:
                        break
                    resume()
                else:
                    wakes.active = False
                    top = (yield) is not None
                    if top:
                        wakes.active = True
                continue
            top = (yield) is not None
            if top:
                wakes.active = True
        return top

    def _run_lots(self) -> Process:
        """The body of a station that works each lot whole as it comes
        (:func:`sim.engine.bodies.run_lots`)."""
        return run_lots(self)

    def _run_general(self) -> Process:
        """The body of every other station without a product mix: merges, batches,
        splits, shifts, calendar failures (:func:`sim.engine.bodies.run_general`)."""
        return run_general(self)

    def nothing_due(self, cycles: float) -> bool:
        """Whether no planned maintenance or setup falls due before a run of ``cycles``
        [-]; then the run is counted against the next setup here, as :meth:`_prepare`
        would count it, without entering that generator (a run at winding, formation and
        grading); ``False``: :meth:`_prepare` must run."""
        now = self.env.now
        if now >= self.maintenance_due:
            return False
        if self.station.setup_every:
            left = self.cycles_to_setup - cycles
            if left < 0:
                return False
            self.cycles_to_setup = left
            return True
        return now < self.setup_due

    def _prepare(self, cycles: float) -> Process:
        """Planned maintenance, then a setup, when due before this run."""
        station = self.station
        env = self.env
        if env.now >= self.maintenance_due:
            self.clock.switch(MAINTENANCE, env.now)
            station.maintenances += 1
            yield station.maintenance_duration
            while self.maintenance_due <= env.now:
                self.maintenance_due += station.maintenance_every
        if station.setup_every:
            self.cycles_to_setup -= cycles
            while self.cycles_to_setup < 0:
                self.cycles_to_setup += station.setup_every
                station.setups += 1
                yield from self._work(station.setup_time(), SETUP)  # type: ignore[misc]
        elif env.now >= self.setup_due:
            station.setups += 1
            yield from self._work(station.setup_time(), SETUP)  # type: ignore[misc]
            while self.setup_due <= env.now:
                self.setup_due += station.setup_interval

    def _work(self, duration: float, state: int) -> Process:
        """Spend ``duration`` [time unit] in ``state``, broken by failures and stops.

        Operating-time clocks (failures, minor stops) run only while processing.
        """
        env = self.env
        clock = self.clock
        station = self.station
        if clock.state != state:
            clock.switch(state, env.now)
        ages = state == BUSY
        pauses = station.shift_pauses
        while True:
            gap = math.inf
            cause = 0
            if ages and self.up_left < gap:
                gap, cause = self.up_left, DOWN
            if ages and self.stop_left < gap:
                gap, cause = self.stop_left, MINOR_STOP
            if self.next_failure - env.now < gap:
                gap, cause = max(0.0, self.next_failure - env.now), -DOWN
            if pauses and self._shift_end() - env.now < gap:
                gap, cause = max(0.0, self._shift_end() - env.now), OFF_SHIFT
            if duration <= gap:
                if ages:
                    self.up_left -= duration
                    self.stop_left -= duration
                yield duration
                return
            if gap > 0:
                yield gap
            duration -= gap
            if ages:
                self.up_left -= gap
                self.stop_left -= gap
            if cause == OFF_SHIFT:
                yield from self._wait_for_shift()
                continue
            if cause == MINOR_STOP:
                clock.switch(MINOR_STOP, env.now)
                station.minor_stops += 1
                yield station.stop_length()  # type: ignore[misc]
                self.stop_left = station.stop_gap()  # type: ignore[misc]
            else:
                clock.switch(DOWN, env.now)
                station.repairs += 1
                yield station.failures.time_to_repair()  # type: ignore[union-attr]
                if cause == DOWN:
                    self.up_left = station.failures.time_to_failure()  # type: ignore[union-attr]
                else:
                    self.next_failure = env.now + station.failures.time_to_failure()  # type: ignore[union-attr]
            clock.switch(state, env.now)

    def _shift_end(self) -> float:
        """When the staffed interval the machine is in ends (now when it is off shift)
        [time unit]."""
        now = self.env.now
        start, end = self.station.calendar.on_interval(now)  # type: ignore[union-attr]
        return end if start <= now else now

    def _wait_for_shift(self) -> Process:
        """Stop at the shift end and wait for the next shift, then settle the calendar
        failures that fell in the pause (their repair runs on; what is left of it when the
        shift starts is down time). Operating-time clocks do not run while off shift."""
        env = self.env
        clock = self.clock
        state = clock.state
        start, _ = self.station.calendar.on_interval(env.now)  # type: ignore[union-attr]
        if start <= env.now:
            return  # a shift that wraps over the end of the pattern goes on
        clock.switch(OFF_SHIFT, env.now)
        yield start - env.now
        failures = self.station.failures
        remaining = 0.0
        while failures is not None and self.next_failure <= env.now:
            end = self.next_failure + failures.time_to_repair()
            self.station.repairs += 1
            self.next_failure = end + failures.time_to_failure()
            remaining = max(remaining, end - env.now)
        if remaining > 0:
            clock.switch(DOWN, env.now)
            yield remaining
        clock.switch(state, env.now)

    def settle_waiting(self, now: float) -> float:
        """Reclassify waiting time (idle or blocked) since the last state change.

        Calendar failures that fell in it become down time and hours outside the station's
        shifts become off-shift time. Returns how long the machine must still stay down or
        off before it can work [time unit].
        """
        clock = self.clock
        station = self.station
        wait_from = clock.since
        remaining = 0.0
        if clock.state not in (IDLE, BLOCKED):
            return 0.0
        calendar = station.calendar
        bins = station.state_bins
        if calendar is not None:
            off = calendar.off_time(wait_from, now)
            clock.totals[OFF_SHIFT] += off
            clock.totals[clock.state] -= off
            if bins is not None and off > 0:
                bins.reclassify(station, clock.state, OFF_SHIFT, wait_from, now, calendar)
        failures = station.failures
        while self.next_failure <= now and failures is not None:
            start = self.next_failure
            end = start + failures.time_to_repair()
            station.repairs += 1
            lo, hi = max(start, wait_from), min(end, now)
            if hi > lo:
                down = hi - lo
                if calendar is not None:
                    down -= calendar.off_time(lo, hi)  # already counted as off-shift
                clock.totals[DOWN] += down
                clock.totals[clock.state] -= down
                if bins is not None:
                    bins.reclassify(station, clock.state, DOWN, lo, hi, calendar, True)
            self.next_failure = end + failures.time_to_failure()
            if end > now:
                remaining = end - now
        clock.switch(clock.state, now)  # what is settled is not settled twice
        return remaining

    def _settle(self) -> Process:
        """Before acting: finish a repair that fell due while waiting, wait for the shift."""
        env = self.env
        remaining = self.settle_waiting(env.now)
        if remaining > 0:
            self.clock.switch(DOWN, env.now)
            yield remaining
        calendar = self.station.calendar
        if calendar is not None:
            start = calendar.next_on(env.now)
            if start > env.now:
                self.clock.switch(OFF_SHIFT, env.now)
                yield start - env.now
