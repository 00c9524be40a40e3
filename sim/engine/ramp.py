"""Learning curves at run time: a ramping station's samplers read the curve at the moment
they draw (:mod:`sim.model.ramp` says what each curve scales).

The draws come from the station's own named streams in the same order as without a
ramp; only their scale changes with plant time (common random numbers hold between
scenarios that share a station). A line without ``ramp_up`` is never touched.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from sim.model.units import SECONDS_PER, SECONDS_PER_MONTH

if TYPE_CHECKING:
    import simpy

    from sim.engine.station import StationRun
    from sim.model.line import Line
    from sim.model.ramp import Curve

__all__ = ["Learning", "learning_curves", "month_length"]


def month_length(line: Line) -> float:
    """One month, 1/12 of a 365-day year, in the line's time unit [time unit]."""
    return SECONDS_PER_MONTH / SECONDS_PER[line.time_unit]


@dataclass(frozen=True, slots=True)
class Learning:
    """The curves of one station by quantity (yield, mtbf, speed) and the month of their
    tables [time unit]."""

    curves: dict[str, Curve]
    month: float

    def scrap_at(self, env: simpy.Environment, mature_scrap: float) -> Callable[[], float]:
        """Return ``() ->`` the scrap share at the current time [-]: 1 - yield(t)."""
        curve = self.curves["yield"]
        mature = 1.0 - mature_scrap
        month = self.month
        return lambda: min(1.0, max(0.0, 1.0 - curve.value(env.now, mature, month)))

    def share_at(self, env: simpy.Environment, quantity: str) -> Callable[[], float]:
        """Return ``() ->`` the share of the mature mtbf or speed at the current time [-]."""
        curve = self.curves[quantity]
        month = self.month
        return lambda: curve.value(env.now, 1.0, month)

    def apply(self, run: StationRun) -> None:
        """Make ``run``'s samplers follow the curves (before its machines are made)."""
        env = run.env
        if "yield" in self.curves:
            run.scrap_at = self.scrap_at(env, run.scrap)
            run.checks_quality = True
        if "mtbf" in self.curves and run.failures is not None:
            up = run.failures.time_to_failure
            mtbf_share = self.share_at(env, "mtbf")
            run.failures = replace(run.failures, time_to_failure=lambda: up() * mtbf_share())
        if "speed" in self.curves:
            speed_share = self.share_at(env, "speed")
            cycle_time = run.cycle_time
            run.cycle_time = lambda: cycle_time() / speed_share()
            lot_sum = run._lot_sum
            if lot_sum is not None:
                run._lot_sum = lambda count: lot_sum(count) / speed_share()


def learning_curves(line: Line) -> dict[str, Learning]:
    """The learning curves of each machine station of ``line`` that ramps, by name."""
    if line.ramp_up is None:
        return {}
    month = month_length(line)
    found = {}
    for spec in line.stations:
        if spec.kind == "delay":
            continue
        curves = line.ramp_up.for_station(spec.name, spec.failures is not None)
        if curves:
            found[spec.name] = Learning(curves, month)
    return found
