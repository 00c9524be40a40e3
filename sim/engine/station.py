"""A station at run time: its samplers, buffers, machines and counters."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sim.engine.machine import Machine
from sim.engine.monitor import BLOCKED, IDLE, STATES
from sim.engine.rng import sampler, stream, uniforms

if TYPE_CHECKING:
    import simpy

    from sim.engine.buffer import Buffer, Sink, Source
    from sim.engine.monitor import LineMonitor
    from sim.model.line import Station

__all__ = ["FailureSamplers", "StationRun"]


@dataclass(frozen=True, slots=True)
class FailureSamplers:
    """Draws of up times and repair times [time unit] for one station's machines."""

    time_to_failure: Callable[[], float]
    time_to_repair: Callable[[], float]
    calendar: bool


class StationRun:
    """Everything one station needs during a replication."""

    def __init__(
        self,
        env: simpy.Environment,
        spec: Station,
        inbuf: Buffer | Source,
        out: Buffer | Sink,
        monitor: LineMonitor,
        seed: int,
        replication: int,
    ) -> None:
        def rng(purpose: str):  # type: ignore[no-untyped-def]
            return stream(seed, replication, spec.name, purpose)

        self.name = spec.name
        self.spec = spec
        self.inbuf = inbuf
        self.out = out
        self.monitor = monitor
        self.batch_min = spec.batch_min
        self.batch_max = spec.batch_max
        self.process_time = sampler(spec.process_time, rng("process"))
        self.scrap = spec.scrap
        self.uniform = uniforms(rng("scrap"))
        self.failures: FailureSamplers | None = None
        if spec.failures is not None:
            self.failures = FailureSamplers(
                sampler(spec.failures.time_to_failure(), rng("failure")),
                sampler(spec.failures.time_to_repair(), rng("repair")),
                spec.failures.basis == "calendar",
            )
        self.setup_every = spec.setup.every if spec.setup is not None else 0
        self.setup_time = sampler(spec.setup.time, rng("setup")) if spec.setup else None
        self.state_time = [0.0] * len(STATES)
        self.cycles = 0
        self.batch_jobs = 0
        self.scrapped = 0
        self.repairs = 0
        self.setups = 0
        self.machines = [Machine(env, self) for _ in range(spec.machines)]
        for machine in self.machines:
            env.process(machine.run())

    @property
    def jobs_done(self) -> int:
        """Jobs processed [-]: one per cycle unless the station batches."""
        return self.cycles if self.batch_max == 1 else self.batch_jobs

    def reset(self, now: float) -> None:
        """Close every machine's state at ``now`` and zero the counters (end of warm-up)."""
        for machine in self.machines:
            machine.clock.switch(machine.clock.state, now)
        self.state_time[:] = [0.0] * len(STATES)
        self.cycles = self.batch_jobs = self.scrapped = self.repairs = self.setups = 0
        self.inbuf.measure_from_now()

    def close(self, now: float) -> None:
        """Close every machine's state at ``now`` (end of the run)."""
        calendar = self.failures is not None and self.failures.calendar
        for machine in self.machines:
            if calendar and machine.clock.state in (IDLE, BLOCKED):
                machine.settle_waiting(now)
            machine.clock.switch(machine.clock.state, now)
        self.inbuf.close()
