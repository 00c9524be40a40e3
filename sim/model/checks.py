"""Checks across a validated line that no single field can make: names, deadlocks, dead lines."""

from __future__ import annotations

from sim.errors import ConfigError
from sim.model.line import Line

__all__ = ["check_line"]


def check_line(line: Line) -> list[ConfigError]:
    """Return every error that makes ``line`` unable to run as written (empty when fine)."""
    errors: list[ConfigError] = []
    seen: set[str] = set()
    for index, station in enumerate(line.stations):
        path = f"stations.{station.name}"
        if station.name in seen:
            errors.append(ConfigError(
                f"station name {station.name!r} is used twice; names must be unique",
                path=f"stations[{index}].name",
            ))
        seen.add(station.name)
        if station.scrap >= 1:
            errors.append(ConfigError(
                "scrap 1 loses every job, so the line can never produce; use a value below 1",
                path=f"{path}.scrap",
            ))
        lo = station.batch_min
        if station.buffer is not None and station.buffer < lo:
            errors.append(ConfigError(
                f"a batch needs {lo} jobs waiting but the buffer holds only {station.buffer}; "
                f"make buffer >= {lo} or lower the batch minimum",
                path=f"{path}.buffer",
            ))
        wip = line.release.wip
        if line.release.policy == "conwip" and wip is not None and lo > wip:
            errors.append(ConfigError(
                f"a batch needs {lo} jobs but CONWIP keeps only {wip} in the line, so it can "
                f"never start; raise release.wip to >= {lo} or lower the batch minimum",
                path=f"{path}.batch",
            ))
    first = line.stations[0]
    if line.release.policy == "conwip" and first.buffer is not None:
        errors.append(ConfigError(
            "with a conwip release the first station's buffer is where released jobs wait, "
            "and release.wip bounds it; remove this buffer",
            path=f"stations.{first.name}.buffer",
        ))
    return errors
