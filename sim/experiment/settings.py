"""How a set of replications runs: its window, count, seed and precision target, and
where it runs. One frozen value, so that a comparison's settings travel as one argument
from the command line or a notebook through :func:`sim.compare` to the experiment.

``sim.compare(files, settings=RunSettings(replications=4, horizon="30 d"))`` and the
keyword form ``sim.compare(files, replications=4, horizon="30 d")`` mean the same; the
keywords are :class:`RunSettingsKeywords`, checked against the fields by a test.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import TypedDict, Unpack

__all__ = ["RunSettings", "RunSettingsKeywords"]


@dataclass(frozen=True, kw_only=True)
class RunSettings:
    """The run settings of a comparison (``None``: the scenario or comparison file's).

    ``replications`` [-] and ``seed`` override the first scenario's, which every scenario
    then shares (common random numbers); ``horizon`` (measured) and ``warmup``
    (discarded) are numbers in the first line's time unit or strings such as ``"30 d"``;
    ``precision`` [%] adds replications until each headline KPI's 95 % CI half-width is
    within it (``False``: the fixed count even when the file has a ``precision:`` block);
    ``jobs`` worker processes (``None``: one per core; 1 runs in the calling process) or
    a Dask ``cluster`` address; ``allow_long`` runs work estimated above two hours of CPU,
    refused otherwise.
    """

    replications: int | None = None
    seed: int | None = None
    horizon: float | str | None = None
    warmup: float | str | None = None
    precision: float | bool | None = None
    jobs: int | None = 1
    cluster: str | None = None
    allow_long: bool = False

    def updated(self, **given: Unpack[RunSettingsKeywords]) -> RunSettings:
        """These settings with the ``given`` ones changed (an unknown name is a
        ``TypeError``, as for any keyword)."""
        unknown = set(given) - {f.name for f in fields(self)}
        if unknown:
            raise TypeError(f"unknown run setting(s): {', '.join(sorted(unknown))}")
        return replace(self, **given) if given else self


class RunSettingsKeywords(TypedDict, total=False):
    """The fields of :class:`RunSettings` as keyword arguments (``sim.compare(...,
    replications=4)``)."""

    replications: int | None
    seed: int | None
    horizon: float | str | None
    warmup: float | str | None
    precision: float | bool | None
    jobs: int | None
    cluster: str | None
    allow_long: bool
