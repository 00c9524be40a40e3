"""``sim.size``: the fewest machines for a target output, as ``linesim size`` does.

A line file is run with the sizing window (default 60 d measured after a warm-up of
twice the line's raw flow time, at least 10 % of the horizon; 5 replications; seed 1),
a scenario file with its own (and its levers and ``set``); options override either.
The results folder (default ``results/<name>-sized/``) is checked and locked before
simulating and published whole: sized.yaml, scenario.yaml, sizing.json.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sim.api.setup import executor_for, folder_argument, settings_for
from sim.checks import check_jobs, check_overrides, check_path
from sim.errors import ConfigError, ConfigErrors

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

    @property
    def counts(self) -> dict[str, int]:
        """Sized machines (a delay: soak space [units]) by station."""
        return {row["name"]: row["after"] for row in self.content["stations"]}


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
    from sim.report.run_folder import ResultsFolder, safe_folder_name
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
        if folder is None or folder.staging is None:
            return SizeOutcome(sizing_content(sizing), None, [])
        ignore_further()  # the search is done: a Ctrl-C must not cut the writing short
        with shielded():
            written = write_sizing_files(sizing, folder.staging, line_file)
            final = folder.publish()
    finally:
        if folder is not None:
            folder.close()
    files = [final / path.name for path in written]
    return SizeOutcome(sizing_content(sizing), final, files, folder.previous)


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
