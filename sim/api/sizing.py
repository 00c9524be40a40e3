"""``sim.size``: the fewest machines for a target output, as ``linesim size`` does.

A line file is run with the sizing window (default 60 d measured after a warm-up of
twice the line's raw flow time, at least 10 % of the horizon; 5 replications; seed 1),
a scenario file with its own (and its levers and ``set``); options override either.
The results folder (default ``results/<name>-sized/``) is checked and locked before
simulating and published whole: sized.yaml, scenario.yaml, sizing.json.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.api.setup import executor_for, folder_argument, settings_for
from sim.checks import check_jobs, check_overrides, check_path
from sim.errors import ConfigError, ConfigErrors

if TYPE_CHECKING:
    import pandas

__all__ = ["SizeOutcome", "size"]

DEFAULT_HORIZON = "60 d"
"""Measured window of a line file's sizing runs."""
DEFAULT_REPLICATIONS = 5
"""Replications of each design of a line file [-]."""


@dataclass(frozen=True)
class SizeOutcome:
    """A sizing, from :func:`sim.size`: ``content`` is what sizing.json holds
    (``stations``, ``output``, ``minimal``), ``folder`` where it was written."""

    content: dict[str, Any]
    folder: Path | None
    files: list[Path]
    previous: Path | None = None
    units: dict[str, str] = field(default_factory=dict)
    """What each station's count counts: ``machines``, or a delay's soak space in the
    unit of what it holds (``pcs of cell-wetted``)."""
    notes: list[str] = field(default_factory=list)
    """What the sizing left as it was, for the console: operators are per station."""

    def __repr__(self) -> str:
        """One line: the sized counts that changed and the output reached with its unit."""
        from sim.figures import number

        changed = {
            r["name"]: r["after"] for r in self.content["stations"] if r["after"] != r["before"]
        }
        output = self.content.get("output") or {}
        low, high = output.get("ci95_low"), output.get("ci95_high")
        reached = f"{number(output.get('mean'))} {output.get('unit', '')}".rstrip()
        if low is not None and high is not None:
            reached += f" [{number(low)}, {number(high)}]"
        where = "" if self.folder is None else f", folder='{self.folder}'"
        return f"SizeOutcome(changed {changed}, output {reached}{where})"

    @property
    def counts(self) -> dict[str, int]:
        """Sized machines (a delay: soak space [units]) by station."""
        return {row["name"]: row["after"] for row in self.content["stations"]}

    def to_frame(self) -> pandas.DataFrame:
        """One row per station, indexed by station: ``sized`` (machines or capacity),
        ``before``, ``arithmetic``, ``after`` and their ``unit``, ``utilisation`` [-]
        (the active share, a delay's fill, in the final run) and the capex change;
        ``frame.attrs["units"]`` gives the unit of each number column."""
        from sim.api.results import _pandas

        pandas = _pandas()
        currency = self.content.get("currency", "EUR")
        capex = f"capex_delta_{currency.lower()}"
        rows = [
            {
                "station": row["name"],
                "sized": row["kind"],
                "before": row["before"],
                "arithmetic": row["arithmetic"],
                "after": row["after"],
                "unit": self.units.get(row["name"], "-"),
                "utilisation": math.nan if row["utilisation"] is None else row["utilisation"],
                capex: row[capex],
            }
            for row in self.content["stations"]
        ]
        frame = pandas.DataFrame(rows).set_index("station")
        frame.attrs["units"] = {"utilisation": "-", capex: currency}
        return frame


def size(
    file: str | os.PathLike[str],
    target: str,
    overrides: Mapping[str, Any] | None = None,
    *,
    replications: int | None = None,
    seed: int | None = None,
    horizon: float | str | None = None,
    warmup: float | str | None = None,
    jobs: int | None = 1,
    cluster: str | None = None,
    allow_long: bool = False,
    out: str | os.PathLike[str] | bool | None = None,
    on_step: Callable[[str], None] | None = None,
) -> SizeOutcome:
    """Size a line (or a scenario's line) to ``target``, a rate with its unit such as
    ``"300 M Ah/yr"``, ``"6 M cells/yr"`` or ``"0.95 /h"``: capacity arithmetic, then
    simulation until the lower 95 % bound of output meets the target, then the check
    that one machine fewer anywhere falls short (:mod:`sim.experiment.sizing`).
    ``out`` writes the folder (``True``: ``results/<name>-sized/``); ``on_step(text)``
    hears each simulated design.

    Work estimated above two hours of CPU is refused before it starts unless
    ``allow_long`` (the command line's ``--allow-long``).

    >>> outcome = sim.size("configs/penny_fab.yaml", "0.9 /h", {"release.wip": 40},
    ...                    horizon=2000, warmup=200, replications=3)
    >>> outcome.counts
    {'head-stamping': 2, 'tail-stamping': 2, 'rimming': 2, 'deburring': 2}
    """
    from sim.experiment.sizing import size_line
    from sim.interrupts import ignore_further, shielded
    from sim.model.output_rate import parse_output_rate
    from sim.out_folder import safe_folder_name
    from sim.report.run_folder import ResultsFolder
    from sim.report.sizing_files import sizing_content, write_sizing_files

    path = Path(check_path("size", "file", file, "a line or scenario YAML"))
    settings = settings_for("size", replications, seed, horizon, warmup)
    jobs = check_jobs("size", jobs)
    changes = check_overrides("size", overrides)
    folder_given = folder_argument("size", out, "results/<name>-sized/")
    build, line_file = _builder(path, changes, settings)
    scenario = build({})
    try:
        rate = parse_output_rate(target, scenario.line)
    except ValueError as exc:
        raise ConfigError(str(exc), file="sim.size()", path="target") from None
    folder = None
    if out is not None and out is not False:
        name = f"{scenario.name}-sized"
        folder = ResultsFolder(name, folder_given or Path("results") / safe_folder_name(name))
    try:
        if folder is not None:
            folder.prepare()  # a bad folder or a second writer never costs a sizing
        with executor_for("size", jobs, cluster, allow_long) as executor:
            sizing = size_line(scenario, rate, build, executor, on_step)
        units, notes = _units(sizing), _operator_notes(sizing)
        if folder is None or folder.staging is None:
            return SizeOutcome(sizing_content(sizing), None, [], None, units, notes)
        ignore_further()  # the search is done: a Ctrl-C must not cut the writing short
        with shielded():
            written = write_sizing_files(sizing, folder.staging, line_file)
            final = folder.publish()
    finally:
        if folder is not None:
            folder.close()
    files = [final / path.name for path in written]
    return SizeOutcome(sizing_content(sizing), final, files, folder.previous, units, notes)


def _units(sizing: Any) -> dict[str, str]:
    """Station -> what its sized count counts (:attr:`SizeOutcome.units`)."""
    from sim.analysis.units import kpi_unit

    line = sizing.scenario.line
    units = {}
    for station in line.stations:
        held = next(iter(station.inputs or {}), None)
        if station.kind != "delay":
            units[station.name] = "machines"
        else:
            units[station.name] = kpi_unit(f"wip.{held}", line) if held else "units"
    return units


def _operator_notes(sizing: Any) -> list[str]:
    """A line saying that operators are per station, when the sizing changed machines:
    sized.yaml keeps each station's operators, whatever its machines."""
    from sim.figures import number, plural

    line = {s.name: s for s in sizing.scenario.line.stations}
    changed = [r for r in sizing.stations if r.kind == "machines" and r.after != r.before]
    if not changed:
        return []
    staffed = [r for r in changed if line[r.station].operators > 0]
    rule = "operators are per station and shift, not per machine: sizing keeps them"
    if not staffed:
        return [f"{rule}; the resized stations have none, so labour is unchanged"]
    listed = "; ".join(
        f"{r.station}: {plural(line[r.station].operators, 'operator')} per shift for "
        f"{plural(r.after, 'machine')} instead of {number(r.before)}"
        for r in staffed
    )
    first = staffed[0].station
    return [
        f"{rule} ({listed}); to staff the new machines give e.g. --set "
        f"stations.{first}.operators=N (labour cost and hours count operators)"
    ]


def _builder(
    path: Path, base: dict[str, Any], settings: dict[str, Any]
) -> tuple[Callable[[dict[str, Any]], Any], Path]:
    """How to load the design with sizing overrides, and the line file it edits."""
    from sim.analysis.capacity import raw_flow_time
    from sim.model.file_kinds import kind_of
    from sim.model.loader import load_line, load_scenario, read_yaml
    from sim.model.scenario import Scenario
    from sim.model.units import parse_duration

    raw, _ = read_yaml(path)
    kind = kind_of(raw) if isinstance(raw, dict) else None
    if kind is not None and kind.name not in ("line", "scenario"):
        raise ConfigError(
            f"this is a {kind.title} file; linesim size sizes a line (configs/*.yaml) or "
            "a scenario's line (scenarios/*.yaml that name line:)",
            file=str(path),
        )
    if isinstance(raw, dict) and "line" in raw:  # a scenario file

        def scenario_design(changes: dict[str, Any]) -> Scenario:
            try:
                return load_scenario(path, {**base, **changes}, **settings)
            except ConfigErrors as errors:
                raise errors.errors[0] if len(errors.errors) == 1 else errors from None

        line_file = path.parent / str(raw["line"])
        return scenario_design, line_file

    first = load_line(path, base)
    unit = first.time_unit

    def time(key: str, default: float) -> float:
        given = settings.get(key)
        if given is None:
            return default
        try:
            return parse_duration(given, unit)
        except ValueError as exc:
            raise ConfigError(str(exc), file="sim.size()", path=key) from None

    horizon = time("horizon", parse_duration(DEFAULT_HORIZON, unit))
    warmup = time("warmup", max(0.1 * horizon, 2 * raw_flow_time(first)))
    replications = settings.get("replications") or DEFAULT_REPLICATIONS
    seed = settings.get("seed")

    def line_design(changes: dict[str, Any]) -> Scenario:
        return Scenario(
            name=first.name,
            line=load_line(path, {**base, **changes}),
            horizon=horizon,
            warmup=warmup,
            replications=replications,
            seed=1 if seed is None else seed,
            source=str(path),
            overrides={**base, **changes},
        )

    return line_design, path
