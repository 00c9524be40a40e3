"""What one replication of a line with a product mix observed by type."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sim.engine.mix import StationMix, TypeSink

if TYPE_CHECKING:
    from sim.engine.build import LineBuild

__all__ = ["MixResult", "TypedStation", "mix_result"]


@dataclass(frozen=True)
class TypedStation:
    """One typed station's counts by type over the measured window, in its output unit
    (``cycles`` [-]), and its changeovers: how many [-] and their time summed over its
    machines [time unit] (0 for a delay)."""

    units_out: dict[str, float]
    scrapped: dict[str, float]
    cycles: dict[str, float] = field(default_factory=dict)
    passed: dict[str, float] = field(default_factory=dict)
    """Units passed on (less those a grading here sold) [output unit]."""
    graded: dict[str, dict[str, float]] = field(default_factory=dict)
    """Of each type, its good units of each grade graded here [output unit] (empty where
    the station does not grade)."""
    changeovers: int = 0
    changeover_time: float = 0.0


@dataclass(frozen=True)
class MixResult:
    """A product mix in one replication: the types, what the release station started of
    each [its output unit], each typed station's counts and each finished material's good
    units [material unit] and unit-weighted flow-time sums [unit x time unit] by type."""

    types: tuple[str, ...]
    release_at: str
    released: dict[str, float]
    stations: dict[str, TypedStation]
    finished: dict[str, dict[str, float]]
    flow_sum: dict[str, dict[str, float]]

    def __repr__(self) -> str:
        return (
            f"MixResult(types={list(self.types)}, release_at={self.release_at!r}, "
            f"stations={len(self.stations)})"
        )


def _by_type(types: tuple[str, ...], counts: list[float]) -> dict[str, float]:
    return dict(zip(types, counts, strict=True))


def _graded(types: tuple[str, ...], station_mix: StationMix) -> dict[str, dict[str, float]]:
    """Type -> grade -> good units graded at ``station_mix``'s station [output unit]."""
    grader = station_mix.grader
    if grader is None or grader.by_type is None:
        return {}
    return {
        name: dict(zip(grader.names, row[:-1], strict=True))
        for name, row in zip(types, grader.by_type, strict=True)
    }


def mix_result(build: LineBuild) -> MixResult | None:
    """Collect the counts by type of ``build`` at the end of its run (``None`` without a
    product mix)."""
    mix = build.line.products
    if mix is None:
        return None
    types = tuple(mix.names)
    stations: dict[str, TypedStation] = {}
    for spec in build.line.stations:
        if spec.name in build.mixes:
            station_mix = build.mixes[spec.name]
            counts = station_mix.counts
            stations[spec.name] = TypedStation(
                units_out=_by_type(types, counts.units_out),
                scrapped=_by_type(types, counts.scrapped),
                cycles=_by_type(types, counts.cycles),
                passed=_by_type(types, counts.passed),
                graded=_graded(types, station_mix),
                changeovers=station_mix.changeovers,
                changeover_time=station_mix.changeover_time_at(build.env.now),
            )
        elif spec.name in build.delay_types:
            delay_counts = build.delay_types[spec.name]
            stations[spec.name] = TypedStation(
                units_out=_by_type(types, delay_counts.units_out),
                scrapped=_by_type(types, delay_counts.scrapped),
            )
    release = build.mixes[mix.release_at]
    sinks = {name: sink for name, sink in build.sinks.items() if isinstance(sink, TypeSink)}
    return MixResult(
        types=types,
        release_at=mix.release_at,
        released=_by_type(types, release.counts.released),
        stations=stations,
        finished={name: _by_type(types, s.units_by_type) for name, s in sinks.items()},
        flow_sum={name: _by_type(types, s.flow_by_type) for name, s in sinks.items()},
    )
