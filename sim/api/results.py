"""What the Python API returns: the experiment layer's results with their summaries at
hand and a ``to_frame()`` for notebooks (pandas, imported only when asked for).

Every frame carries its units: where rows are KPIs (``to_frame()``, ``stations_frame()``,
a comparison's and a sizing's frame) a ``unit`` column, where columns are KPIs
(``replications_frame()``, a sweep's frame) ``frame.attrs["units"]``, column -> unit. CI
bounds are ``ci95_low`` and ``ci95_high`` (``<kpi>_ci95_low`` beside ``<kpi>_mean``), the
names of the CSV files, as summary.json's ``ci95: [low, high]``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.errors import LinesimError
from sim.experiment.pairs import Comparison
from sim.experiment.replicate import RunResult

if TYPE_CHECKING:
    import pandas

    from sim.experiment.compare import ComparisonResult
    from sim.experiment.sweep import SweepResult
    from sim.experiment.tune import TuneResult

__all__ = ["CompareOutcome", "Run", "SweepOutcome", "TuneOutcome", "estimates_frame"]


_STATISTICS = ("mean", "std", "ci95_low", "ci95_high")
"""The columns of each KPI in a sweep's table, after ``<kpi>_`` (as in sweep.csv)."""


def _pandas() -> Any:
    try:
        import pandas
    except ImportError:
        raise LinesimError(
            "to_frame() needs pandas: pip install pandas (or pip install 'linesim[pandas]')"
        ) from None
    return pandas


def _row(estimate: dict[str, Any] | None) -> dict[str, Any]:
    """Mean, std, CI bounds, n and unit of one ``{"mean", "std", "ci95", "n", "unit"}``
    estimate."""
    estimate = estimate or {}
    ci = estimate.get("ci95") or [math.nan, math.nan]
    return {
        "mean": _number(estimate.get("mean")),
        "std": _number(estimate.get("std")),
        "ci95_low": _number(ci[0]),
        "ci95_high": _number(ci[1]),
        "n": estimate.get("n", 0),
        "unit": estimate.get("unit") or "-",
    }


def _number(value: Any) -> float:
    return math.nan if value is None else float(value)


def headline(estimate: dict[str, Any] | None) -> str:
    """A KPI's mean with its unit and 95 % interval, for a repr: ``0.355 jobs / h
    [0.33, 0.38]`` (``-`` without a value)."""
    from sim.figures import number

    if not estimate or estimate.get("mean") is None:
        return "-"
    text = f"{number(estimate['mean'])} {estimate.get('unit') or ''}".rstrip()
    ci = estimate.get("ci95")
    return f"{text} [{number(ci[0])}, {number(ci[1])}]" if ci else text


def _folder(folder: Path | None) -> str:
    return "" if folder is None else f", folder='{folder}'"


def estimates_frame(estimates: dict[str, dict[str, Any]], index: str = "kpi") -> pandas.DataFrame:
    """A DataFrame with one row per estimate: mean, std, ci95_low, ci95_high, n, unit."""
    pandas = _pandas()
    frame = pandas.DataFrame.from_dict(
        {name: _row(value) for name, value in estimates.items()}, orient="index"
    )
    frame.index.name = index
    return frame


@dataclass(frozen=True)
class Run(RunResult):
    """The replications of one scenario, from :func:`sim.run`.

    It is a :class:`sim.experiment.RunResult` (``scenario``, ``replications``, ``partial``)
    with the summary worked out once, ``folder``, the results folder written (or
    ``None``), and ``previous``, where an earlier run in that folder was kept.

    >>> result = sim.run("scenarios/penny_fab.yaml", replications=2, horizon=200)
    >>> result.summary["kpis"]["throughput"]["n"]
    2
    >>> int(result.to_frame().loc["throughput", "n"])
    2
    >>> result.to_frame().loc["throughput", "unit"]
    'jobs / h'
    """

    folder: Path | None = None
    previous: Path | None = None
    """Where the run that was in ``folder`` before was kept (``<folder>.previous``)."""

    def __repr__(self) -> str:
        """One line: the scenario, its replications, throughput with unit and 95 % CI, the
        folder (the whole line and every replication are in the fields)."""
        throughput = headline(self.summary["kpis"].get("throughput"))
        partial = ", partial" if self.partial else ""
        return (
            f"Run({self.scenario.name!r}, {len(self.replications)} replications{partial}, "
            f"throughput {throughput}{_folder(self.folder)})"
        )

    @cached_property
    def summary(self) -> dict[str, Any]:
        """The ``summary.json`` content: settings and each KPI with mean, std, ci95, n."""
        from sim.analysis.summary import build_summary

        return build_summary(self)

    def to_frame(self) -> pandas.DataFrame:
        """Line KPIs as a DataFrame indexed by KPI: mean, std, ci95_low, ci95_high, n and
        the ``unit`` of the first four (as in docs/kpis.md, time in the line's
        ``time_unit``)."""
        return estimates_frame(self.summary["kpis"])

    def stations_frame(self) -> pandas.DataFrame:
        """Station KPIs as a DataFrame indexed by (station, KPI), columns as in
        :meth:`to_frame` (``unit``: ``-`` for shares, the station's output per time for
        its throughput, what waits before it for its queue)."""
        pandas = _pandas()
        rows = {
            (station, kpi): _row(value)
            for station, kpis in self.summary["stations"].items()
            for kpi, value in kpis.items()
            if isinstance(value, dict)
        }
        frame = pandas.DataFrame.from_dict(rows, orient="index")
        frame.index = pandas.MultiIndex.from_tuples(frame.index, names=["station", "kpi"])
        return frame

    def replications_frame(self) -> pandas.DataFrame:
        """One row per replication, one column per line KPI (as in replications.csv);
        ``frame.attrs["units"]`` gives each column's unit."""
        from sim.analysis.kpis import line_kpis
        from sim.analysis.units import line_units

        pandas = _pandas()
        rows = [line_kpis(rep, self.scenario.line) for rep in self.replications]
        frame = pandas.DataFrame(rows)
        frame.index.name = "replication"
        frame.attrs["units"] = line_units(self.scenario.line, [str(c) for c in frame.columns])
        return frame

    def monthly_frame(self) -> pandas.DataFrame:
        """A ramp-up run's monthly KPIs (summary.json's ``monthly``) indexed by (month,
        KPI), columns as in :meth:`to_frame` plus ``start`` and ``end`` of the month [time
        unit]; empty for a line without ``ramp_up``."""
        pandas = _pandas()
        monthly = self.summary.get("monthly") or {"months": [], "units": {}}
        rows = {
            (row["month"], kpi): {
                **_row({**value, "unit": monthly["units"].get(kpi, "-")}),
                "start": row["start"],
                "end": row["end"],
            }
            for row in monthly["months"]
            for kpi, value in row["kpis"].items()
        }
        frame = pandas.DataFrame.from_dict(rows, orient="index")
        if rows:
            frame.index = pandas.MultiIndex.from_tuples(frame.index, names=["month", "kpi"])
        return frame


@dataclass(frozen=True)
class CompareOutcome:
    """Scenarios run on common random numbers, from :func:`sim.compare`.

    ``comparison`` holds the runs and per-replication KPIs; ``content`` is what
    comparison.json holds (``kpis.<kpi>.<scenario>``, ``differences.<kpi>.<scenario>``
    against the first scenario); ``folder`` the results folder written (or ``None``).
    """

    comparison: Comparison
    content: dict[str, Any]
    folder: Path | None = None
    result: ComparisonResult | None = None
    """The whole outcome: the plan, the uncertainty study's content, notes on what was cut."""
    written: list[Path] = field(default_factory=list)
    """The main files published in ``folder`` (comparison.json, each scenario's folder)."""
    previous: Path | None = None
    """Where the comparison that was in ``folder`` before was kept (``<folder>.previous``)."""

    def __repr__(self) -> str:
        """One line: the scenarios and each one's paired change of throughput against
        the first [%] with its 95 % CI."""
        from sim.figures import number

        names = [run.scenario.name for run in self.runs]
        changes = []
        for name in names[1:]:
            found = (self.content.get("differences", {}).get("throughput") or {}).get(name)
            percent = (found or {}).get("percent") or {}
            mean, ci = percent.get("mean"), percent.get("ci95")
            if mean is not None:
                bounds = (
                    f" [{number(ci[0], signed=True)}, {number(ci[1], signed=True)}]" if ci else ""
                )
                changes.append(f"{name} {number(mean, signed=True)} %{bounds}")
        moved = f", throughput vs {names[0]}: " + "; ".join(changes) if changes else ""
        return f"CompareOutcome({names}{moved}{_folder(self.folder)})"

    @property
    def runs(self) -> list[RunResult]:
        """Each scenario's run, the reference first."""
        return self.comparison.runs

    def to_frame(self) -> pandas.DataFrame:
        """One row per (KPI, scenario), as comparison.csv: the KPI's mean, std, ci95_low,
        ci95_high, n and ``unit``, and its paired change against the first scenario,
        ``change`` [``unit``] and ``change_percent`` [%], each with ``_ci95_low`` and
        ``_ci95_high`` (NaN for the reference)."""
        from sim.report.comparison_files import comparison_rows

        pandas = _pandas()
        frame = pandas.DataFrame(comparison_rows(self.content)).set_index(["kpi", "scenario"])
        numbers = [c for c in frame.columns if c != "unit"]
        frame[numbers] = frame[numbers].astype(float)
        frame.attrs["units"] = {
            name: "%" for name in frame.columns if str(name).startswith("change_percent")
        }
        return frame


@dataclass(frozen=True)
class SweepOutcome:
    """A sweep's points, from :func:`sim.sweep`; ``result.summaries[i]`` is point i's
    summary (``None`` if it failed or was not reached) and ``folder`` holds sweep.csv."""

    result: SweepResult
    folder: Path
    files: list[Path] = field(default_factory=list)
    """What was written: sweep.json, sweep.csv (, sweep.parquet and the plots)."""

    def __repr__(self) -> str:
        """One line: points finished of planned and the folder."""
        done = sum(1 for found in self.result.summaries if found is not None)
        return f"SweepOutcome({done} of {len(self.result.summaries)} points{_folder(self.folder)})"

    def to_frame(self) -> pandas.DataFrame:
        """One row per finished point, as sweep.csv: indexed by ``point``, its parameter
        values, ``replications``, then each KPI's ``<kpi>_mean``, ``<kpi>_std``,
        ``<kpi>_ci95_low`` and ``<kpi>_ci95_high``; ``frame.attrs["units"]`` gives the
        unit of each KPI column."""
        from sim.report.sweep_files import sweep_content

        pandas = _pandas()
        content = sweep_content(self.result)
        rows = []
        units: dict[str, str] = {}
        for found in content["rows"]:
            row: dict[str, Any] = {"point": found["point"], **found["parameters"]}
            row["replications"] = found["replications"]
            for kpi in content["kpis"]:
                values = _row(found["kpis"].get(kpi))
                for key in _STATISTICS:
                    row[f"{kpi}_{key}"] = values[key]
                    units[f"{kpi}_{key}"] = values["unit"]
            rows.append(row)
        columns = ["point", *content["parameters"], "replications"]
        columns += [f"{kpi}_{key}" for kpi in content["kpis"] for key in _STATISTICS]
        frame = pandas.DataFrame(rows, columns=columns).set_index("point")
        frame.attrs["units"] = units
        return frame


@dataclass(frozen=True)
class TuneOutcome:
    """A tuning study after :func:`sim.tune`: ``result.study`` is the Optuna study,
    ``best`` the best trials (a Pareto front with several objectives), ``feasible`` whether
    they meet every constraint, ``folder`` holds trials.csv and best.yaml (``files``)."""

    result: TuneResult
    best: list[Any]
    feasible: bool
    folder: Path
    files: list[Path] = field(default_factory=list)

    def __repr__(self) -> str:
        """One line: trials, the best trials' parameters, feasibility and the folder."""
        trials = len(self.result.study.trials)
        best = [trial.params for trial in self.best]
        state = "feasible" if self.feasible else "no trial meets every constraint"
        return f"TuneOutcome({trials} trials, best {best}, {state}{_folder(self.folder)})"

    def to_frame(self) -> pandas.DataFrame:
        """Every trial of the study as a DataFrame (Optuna's ``trials_dataframe``)."""
        _pandas()
        return self.result.study.trials_dataframe()
