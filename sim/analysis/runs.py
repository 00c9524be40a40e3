"""What the analysis reads of the experiment layer's results, as protocols.

The experiment layer runs replications and comparisons and hands the analysis its
results (:class:`sim.experiment.replicate.RunResult`,
:class:`sim.experiment.pairs.Comparison`, the uncertainty study's inputs); the analysis
turns them into KPIs, summaries and verdicts. So that imports run one way (model ->
engine -> analysis -> experiment -> report -> api -> cli), the analysis names only the
fields it reads: any object with them will do, and the experiment's dataclasses have
them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    import numpy as np

    from sim.engine import ReplicationResult
    from sim.model.scenario import Scenario

__all__ = ["PairedRuns", "Reached", "ScenarioRuns", "StudyInput"]


class Reached(Protocol):
    """What precision-driven replications reached (``PrecisionReached``)."""

    def as_json(self) -> dict[str, Any]:
        """Its JSON form for summary.json and comparison.json."""
        ...


class ScenarioRuns(Protocol):
    """The replications of one scenario (``RunResult``)."""

    @property
    def scenario(self) -> Scenario:
        """The scenario as run."""
        ...

    @property
    def replications(self) -> list[ReplicationResult]:
        """Each finished replication's observations."""
        ...

    @property
    def partial(self) -> bool:
        """Interrupted before every replication finished."""
        ...

    @property
    def precision(self) -> Reached | None:
        """With precision-driven replications: what they reached."""
        ...


class PairedRuns(Protocol):
    """Scenarios run on common random numbers, the first the reference (``Comparison``)."""

    @property
    def runs(self) -> Sequence[ScenarioRuns]:
        """Each scenario's runs in order."""
        ...

    @property
    def kpis(self) -> list[list[dict[str, float]]]:
        """Per scenario, per replication, the line KPIs."""
        ...

    @property
    def precision(self) -> Reached | None:
        """With precision-driven replications: what they reached."""
        ...

    @property
    def names(self) -> list[str]:
        """Scenario names in order."""
        ...

    def values(self, scenario: int, kpi: str) -> np.ndarray:
        """One KPI over the replications of one scenario."""
        ...


class StudyInput(Protocol):
    """One sampled input of an uncertainty study (``UncertainInput``)."""

    @property
    def name(self) -> str:
        """``stations.formation.process_time.mean`` or ``effect.<lever>``."""
        ...

    def as_dict(self) -> dict[str, Any]:
        """Its range and source for uncertainty.json."""
        ...
