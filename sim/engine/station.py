"""A station at run time: its samplers, buffers, machines, quality rules and counters."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sim.engine.grading import Grader
from sim.engine.inspection import make_inspector
from sim.engine.lot import EPS, Lot, combine, combine_one, new_lot
from sim.engine.machine import Machine
from sim.engine.monitor import STATES
from sim.engine.piece import PieceMachine
from sim.engine.rework import ReworkLoop
from sim.engine.rng import lot_sums, sampler, stream, uniforms
from sim.model.calendar import ShiftCalendar
from sim.model.distributions import Exponential

if TYPE_CHECKING:
    import simpy

    from sim.engine.buffer import Buffer
    from sim.engine.holder import Receiver, Supply
    from sim.engine.mix import StationMix
    from sim.engine.monitor import Departures
    from sim.engine.ramp import Learning
    from sim.engine.state_bins import StateBins
    from sim.model.station import Station

__all__ = ["FailureSamplers", "StationRun", "Wiring"]


@dataclass(frozen=True, slots=True)
class FailureSamplers:
    """Draws of up times and repair times [time unit] for one station's machines."""

    time_to_failure: Callable[[], float]
    time_to_repair: Callable[[], float]
    calendar: bool


@dataclass(frozen=True, slots=True)
class Wiring:
    """Where a station takes from and gives to.

    ``inputs`` pairs each input buffer with the units a cycle takes [material unit];
    ``out_per_cycle`` is what a cycle gives [material unit]; ``discrete`` says the output is
    counted in whole pieces (scrap and defects are then drawn binomially) and
    ``discrete_inputs`` says the same of each input.
    """

    inputs: list[tuple[Supply, float]]
    out: Receiver
    out_per_cycle: float
    discrete: bool
    discrete_inputs: tuple[bool, ...] = ()
    release_per_unit: float | None = None
    """Units of the line's released material in one output unit [-] (``None`` when the
    line's release is not counted: several raw materials)."""
    rework_to: Buffer | None = None
    """The queue units sent back to be reworked re-enter (with ``spec.rework``)."""


class StationRun:
    """Everything one machine station needs during a replication."""

    def __init__(
        self,
        env: simpy.Environment,
        spec: Station,
        wiring: Wiring,
        seed: int,
        replication: int,
        monitor: Departures | None,
        calendar: ShiftCalendar | None,
        inspects: bool,
        learning: Learning | None = None,
        typed: bool = False,
        finish_cycle: bool | None = None,
    ) -> None:
        def rng(purpose: str):  # type: ignore[no-untyped-def]
            return stream(seed, replication, spec.name, purpose)

        self.env = env
        self.name = spec.name
        self.spec = spec
        self.inputs = wiring.inputs
        self.out = wiring.out
        self.out_per_cycle = wiring.out_per_cycle
        self.discrete = wiring.discrete
        discrete_inputs = wiring.discrete_inputs or (False,) * len(wiring.inputs)
        self._pieces_per_unit = [
            per_cycle / self.out_per_cycle if discrete else 0.0
            for (_, per_cycle), discrete in zip(self.inputs, discrete_inputs, strict=True)
        ]
        """Pieces of each input in one output unit (0 for web or bulk material) [-]."""
        self._one_power = (self._pieces_per_unit[0] or 1.0) if len(self.inputs) == 1 else 0.0
        """Pieces per output unit of the one input (1 for web or bulk material), for
        :func:`combine_one` without :func:`combine`'s dispatch; 0 with several inputs."""
        self.monitor = monitor
        self.release_per_unit = wiring.release_per_unit
        self.batch_min = spec.batch_min
        self.batch_max = spec.batch_max
        self.batched = spec.batch is not None
        self.out_lot_cycles = spec.lot if self.batched else spec.lot // spec.split
        self.passthrough = (
            len(self.inputs) == 1
            and abs(self.inputs[0][1] - self.out_per_cycle) < EPS
            and spec.split == 1
        )
        """Neither merges nor splits: lots pass on as they came (a batch gathers its input
        into output lots of ``lot`` cycles, unless it keeps pieces)."""
        self.whole_lots = self.passthrough and not self.batched
        self.keeps_pieces = (
            self.passthrough and spec.lot == 1 and self.discrete and self._pieces_per_unit == [1.0]
        )
        """Pieces passed on one for one in lots of one (a serial line's jobs): they keep
        their identity (start, work, defects), also through a batch."""
        self._keeps_lots = self.whole_lots or self.keeps_pieces
        """A run's input lots are its output lots (:meth:`finish` adds their work)."""
        self.cycle_time = sampler(spec.cycle_time, rng("process"))
        self._lot_sum = (
            None if spec.cycle_time.cv == 0 else lot_sums(spec.cycle_time, rng("process-lot"))
        )
        self.scrap = spec.scrap
        self.uniform = uniforms(rng("scrap"))
        self._quality_rng = rng("quality")
        self._inspect: Callable[[Lot], None] | None = None
        """The inspection of finished lots, made once (:meth:`inspector`)."""
        self.inspects = inspects
        self.defect_rate = spec.defects.rate if spec.defects is not None else 0.0
        self.defect_station = spec.defects.found_at if spec.defects is not None else ""
        self.grader = (
            Grader(self, spec.grades, seed, replication) if spec.grades is not None else None
        )
        self.rework: ReworkLoop | None = None
        if spec.rework is not None:
            assert wiring.rework_to is not None, "a rework loop needs its queue"
            self.rework = ReworkLoop(
                env, spec.name, spec.rework, wiring.rework_to, self.discrete, seed, replication
            )
        self.checks_quality = bool(
            inspects or self.scrap or self.defect_rate or self.grader or self.rework
        )
        self.failures: FailureSamplers | None = None
        if spec.failures is not None:
            self.failures = FailureSamplers(
                sampler(spec.failures.time_to_failure(), rng("failure")),
                sampler(spec.failures.time_to_repair(), rng("repair")),
                spec.failures.basis == "calendar",
            )
        stops = spec.minor_stops
        if stops is not None:
            self.stop_gap: Callable[[], float] | None = sampler(
                Exponential(dist="exponential", mean=stops.mtbf), rng("minor-stop")
            )
            self.stop_length: Callable[[], float] | None = sampler(
                Exponential(dist="exponential", mean=stops.duration), rng("minor-stop-length")
            )
        else:
            self.stop_gap = self.stop_length = None
        self.scrap_at: Callable[[], float] | None = None
        """The scrap share now [-] while the station's yield ramps (``learning``), else
        ``None`` and ``scrap`` holds."""
        self.ramps = learning is not None
        if learning is not None:
            learning.apply(self)
        setup = spec.setup
        self.setup_every = setup.every or 0 if setup is not None else 0
        self.setup_interval = setup.interval or 0.0 if setup is not None else 0.0
        self.setup_time = sampler(setup.time, rng("setup")) if setup is not None else None
        maintenance = spec.maintenance
        self.maintenance_every = maintenance.every if maintenance is not None else 0.0
        self.maintenance_duration = maintenance.duration if maintenance is not None else 0.0
        self.calendar = calendar if calendar is not None and not calendar.always_on else None
        finishes = spec.finish_cycle if finish_cycle is None else finish_cycle
        self.shift_pauses = self.calendar is not None and not finishes
        """Processing and setups stop at the shift end and resume at the next shift."""
        self.settles_waiting = self.calendar is not None or (
            self.failures is not None and self.failures.calendar
        )
        single_pieces = (  # a general station passing single pieces on one by one
            self.whole_lots
            and spec.lot == 1
            and self.discrete
            and self._pieces_per_unit == [1.0]
            and self.out_per_cycle == 1.0
        )
        self.simple = (
            single_pieces
            and spec.lot == 1
            and not self.batched
            and self.failures is None
            and stops is None
            and setup is None
            and maintenance is None
            and self.calendar is None
            and not inspects
            and spec.defects is None
            and not self.ramps
            and not typed
            and spec.grades is None
            and spec.rework is None
        )
        self.mix: StationMix | None = None
        """A typed station's plans and counts by type (:mod:`sim.engine.mix`); set by the
        builder before the run starts, ``None`` on a line without a product mix."""
        self.state_time = [0.0] * len(STATES)
        self.state_bins: StateBins | None = None
        """The recorder of time per state per bin (set for the measured window)."""
        self.state_bins_index = 0
        self.reset_counters()
        self.machine_count = spec.machines
        self.pieces: list[PieceMachine] = []
        """The machines of a simple station (none otherwise)."""
        if self.simple:
            pieces = [PieceMachine(env, self, index) for index in range(spec.machines)]
            for piece in pieces:
                piece.start()
            self.pieces = pieces
            self.machines: list[Machine] | list[PieceMachine] = pieces
        else:
            machines = [Machine(env, self, index) for index in range(spec.machines)]
            for machine in machines:
                env.process(machine.run())
            self.machines = machines

    def reset_counters(self) -> None:
        """Zero what is counted over the measured window."""
        self.cycles = 0.0
        """Cycles finished [-] (whole, but a web lot cut by scrap upstream ends in part of
        one)."""
        self.units_out = 0.0
        self.scrapped = 0.0
        self.found = 0.0
        self.lost_work = 0.0
        self.repairs = 0
        self.setups = 0
        self.minor_stops = 0
        self.maintenances = 0
        if self.grader is not None:
            self.grader.reset()
        if self.rework is not None:
            self.rework.reset()

    def run_time(self, cycles: float) -> float:
        """Processing time of a run of ``cycles`` [time unit]: one draw per batch, else per
        cycle (so a lot of n cycles takes the sum of n cycle times)."""
        if self.batched or cycles == 1:
            return self.cycle_time()
        if self._lot_sum is None:
            return cycles * self.cycle_time()
        whole = int(cycles)
        # A lot of whole cycles sums its cycle times; a fraction left by scrap upstream of
        # a web or bulk material adds its share of one more.
        total = self._lot_sum(whole) if whole else 0.0
        if cycles > whole:
            total += (cycles - whole) * self.cycle_time()
        return total

    def finish(
        self,
        taken: list[tuple[list[Lot], float]],
        cycles: float,
        duration: float,
        started: float,
        inspect: Callable[[Lot], None] | None = None,
        product: int = 0,
    ) -> list[Lot]:
        """Turn the inputs of a run into output lots, remove what is found bad here.

        ``duration`` is the processing time [time unit] and ``started`` when the run began
        [time unit], the start of output made from raw material only (raw material is not
        in ``taken`` unless its release is counted). ``inspect`` is this station's
        :meth:`inspector` when the caller holds one; ``product`` the type of a product
        mix the lots are of, given them before they are inspected (their scrap is of it).
        The pieces in ``taken`` are consumed: the plain lots of the first input are reused
        as the output lots (one allocation less a lot).
        """
        out_per_cycle = self.out_per_cycle
        out_units = cycles * out_per_cycle
        if self._keeps_lots:
            lots = taken[0][0]
            added = duration / out_units
            for lot in lots:
                lot.work += added
        else:
            if taken:
                one_power = self._one_power
                if one_power:  # combine's one-input case, called straight
                    start, work, defects = combine_one(
                        taken[0], one_power, out_units, not self.passthrough
                    )
                else:
                    start, work, defects = combine(
                        taken, self._pieces_per_unit, out_units, earliest=not self.passthrough
                    )
                if start == math.inf:  # made of raw material only
                    start = started
            else:
                start, work, defects = started, 0.0, None
            work += duration / out_units
            size = self.out_lot_cycles
            # Lot(qty, start, work, defects), its __init__ written out (see Lot.part)
            if 1 <= cycles <= size:
                pieces = taken[0][0] if taken else None  # consumed: a plain lot is reused
                lot = pieces[0] if pieces and type(pieces[0]) is Lot else new_lot(Lot)
                lot.qty = out_units
                lot.start = start
                lot.work = work
                lot.defects = defects
                lot.product = product
                # the tail below for this one lot, written out (the usual run of a merge)
                if not self.checks_quality:
                    self.units_out += out_units
                    return [lot]
                (inspect or self.inspector())(lot)
                if lot.qty > EPS:
                    self.units_out += lot.qty
                    return [lot]
                return []
            else:  # lots of ``size`` cycles, the last with the rest; each its own defects
                lots = []
                full = size * out_per_cycle
                firsts = range(0, int(cycles), size)
                last = firsts[-1] if firsts else 0
                spare = iter(taken[0][0] if taken else ())  # consumed: plain lots are reused
                for first in firsts:
                    left = cycles - first
                    piece = next(spare, None)
                    lot = piece if type(piece) is Lot else new_lot(Lot)
                    lot.qty = full if size <= left else left * out_per_cycle
                    lot.start = start
                    lot.work = work
                    if defects:  # each its own: the last the merge's, the others copies
                        lot.defects = defects if first == last else defects.copy()
                    else:
                        lot.defects = None
                    lot.product = 0
                    lots.append(lot)
        if product:
            for lot in lots:
                lot.product = product
        if not self.checks_quality:
            for lot in lots:
                self.units_out += lot.qty
            return lots
        if inspect is None:
            inspect = self.inspector()
        if len(lots) == 1:  # the usual run: one output lot
            lot = lots[0]
            inspect(lot)
            if lot.qty > EPS:
                self.units_out += lot.qty
                return lots
            return []
        kept = []
        for lot in lots:
            inspect(lot)
            if lot.qty > EPS:
                kept.append(lot)
                self.units_out += lot.qty
        return kept

    def inspector(self, scrap: float | None = None) -> Callable[[Lot], None]:
        """The station's inspection of a finished lot, one per station (its machines share
        it): remove the defects found here and scrap, mark the new defects that later
        stations will find. Fixed rates count from cached binomial tables. ``scrap`` [-]
        other than the station's gives an inspection of its own (a type of a product mix)
        on the same streams."""
        if scrap is not None and scrap != self.scrap:
            return make_inspector(self, scrap)
        if self._inspect is None:
            self._inspect = make_inspector(self, self.scrap)
        return self._inspect

    def reset(self, now: float) -> None:
        """Close every machine's state at ``now`` and zero the counters (end of warm-up)."""
        for machine in self.machines:
            machine.clock.switch(machine.clock.state, now)
        self.state_time[:] = [0.0] * len(STATES)
        self.reset_counters()
        for piece in self.pieces:
            piece.cycles = 0

    def close(self, now: float) -> None:
        """Close every machine's state at ``now`` (end of the run)."""
        if self.simple:  # its machines count cycles, the station scrap, not units out
            self.cycles = float(sum(piece.cycles for piece in self.pieces))
            self.units_out = self.cycles - self.scrapped
        for machine in self.machines:
            if isinstance(machine, Machine) and self.settles_waiting:
                machine.settle_waiting(now)
            machine.clock.switch(machine.clock.state, now)
