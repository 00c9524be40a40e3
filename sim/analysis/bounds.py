"""Factory Physics bounds of a CONWIP line: best case, worst case, practical worst case.

Hopp and Spearman, *Factory Physics*, 3rd ed., Waveland 2008, ch. 7.3: with the bottleneck
rate r_b [jobs/time unit], the raw process time T0 [time unit] and the critical WIP
W0 = r_b T0 [jobs], a line at WIP w has

- best case (Law 7.1): TH = min(w / T0, r_b), CT = max(T0, w / r_b);
- worst case (Law 7.2): TH = 1 / T0, CT = w T0;
- practical worst case (Def. 7.3.3): TH = w / (W0 + w - 1) r_b, CT = T0 + (w - 1) / r_b.

The same formulas are in ``tests/validation/theory.py``; here they draw the sweep plots.
"""

from __future__ import annotations

from dataclasses import dataclass

from sim.model.line import Line
from sim.model.serial import serial_chain

__all__ = ["LineBounds", "line_bounds"]


@dataclass(frozen=True)
class LineBounds:
    """r_b [jobs/time unit] and T0 [time unit] of a line, and its three reference curves."""

    bottleneck_rate: float
    raw_process_time: float

    @property
    def critical_wip(self) -> float:
        """W0 = r_b T0 [jobs]."""
        return self.bottleneck_rate * self.raw_process_time

    def best(self, wip: float) -> tuple[float, float]:
        """(TH [jobs/time unit], CT [time unit]) of the best case at WIP ``wip`` [jobs]."""
        return (
            min(wip / self.raw_process_time, self.bottleneck_rate),
            max(self.raw_process_time, wip / self.bottleneck_rate),
        )

    def worst(self, wip: float) -> tuple[float, float]:
        """(TH, CT) of the worst case: one batch of ``wip`` moving through the line."""
        return 1 / self.raw_process_time, wip * self.raw_process_time

    def practical_worst(self, wip: float) -> tuple[float, float]:
        """(TH, CT) of the practical worst case (balanced exponential single machines)."""
        rate = self.bottleneck_rate
        return (
            wip / (self.critical_wip + wip - 1) * rate,
            self.raw_process_time + (wip - 1) / rate,
        )


def line_bounds(line: Line) -> LineBounds | str:
    """Return r_b = min over stations of 1 / mean process time and T0 = sum of the means.

    Applies to serial CONWIP lines (in either form) of single machines without failures,
    minor stops, maintenance, setups, batches, scrap or shifts (times as given are effective times);
    otherwise returns the reason it does not apply.
    """
    if not serial_chain(line):
        return "not a serial line (merges, splits, delays, lots or continuous materials)"
    if line.release.policy != "conwip":
        return "release is not CONWIP"
    means = []
    for station in line.stations:
        if station.machines != 1:
            return f"station {station.name} has {station.machines} machines"
        extras = [
            name
            for name in ("failures", "minor_stops", "maintenance", "batch", "setup", "shifts")
            if getattr(station, name, None)
        ]
        if station.scrap:
            extras.append("scrap")
        if extras:
            return f"station {station.name} has {', '.join(extras)}"
        if station.process_time is None:
            return f"station {station.name} has no process time"
        means.append(station.process_time.mean)
    return LineBounds(bottleneck_rate=1 / max(means), raw_process_time=sum(means))
