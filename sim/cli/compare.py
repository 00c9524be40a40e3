"""``linesim compare``: scenarios on common random numbers, paired differences, lever
attribution and the check of a claim such as "+20 % efficiency, -20 % cost"."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import ValidationError
from rich.console import Console

from sim.analysis.comparison import build_comparison
from sim.analysis.kpis import line_kpis
from sim.analysis.summary import build_summary
from sim.cli.common import add_scenario_options, draw, overrides, progress
from sim.errors import ConfigError
from sim.experiment import LocalExecutor
from sim.experiment.attribution import shapley, subsets_needed
from sim.experiment.compare import align, compare
from sim.experiment.replicate import replicate_task
from sim.model import Scenario, load_scenario
from sim.model.comparison import AttributionSpec, ComparisonFile
from sim.model.loader import read_yaml
from sim.model.units import parse_duration
from sim.report.compare_tables import print_comparison
from sim.report.comparison_files import write_comparison
from sim.report.results import write_results

__all__ = ["add_parser", "handle"]


def add_parser(commands: Any) -> None:
    """Register ``compare``."""
    command: argparse.ArgumentParser = commands.add_parser(
        "compare",
        help="compare scenarios on common random numbers (paired CIs)",
        description="Compare scenarios (the first is the reference) or run a comparison "
        "file with compare: [...], claim: and attribution:.",
    )
    command.add_argument("files", nargs="+", help="scenario YAMLs, or one comparison YAML")
    add_scenario_options(command)
    command.add_argument(
        "--attribution",
        action="store_true",
        help="also attribute the change to the levers (Shapley values, with "
        "the comparison file's attribution: settings)",
    )
    command.add_argument("--out", metavar="DIR", help="results folder (default results/<name>/)")


def _comparison_file(path: str) -> ComparisonFile | None:
    raw, _ = read_yaml(path)
    if "compare" not in raw:
        return None
    try:
        return ComparisonFile.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ConfigError(str(first["msg"]), file=path, path=where) from None


def _time(value: Any, unit: str, what: str) -> float | None:
    if value is None:
        return None
    try:
        return parse_duration(value, unit)
    except ValueError as exc:
        raise ConfigError(f"{what}: {exc}") from None


def handle(args: argparse.Namespace, console: Console) -> int:
    """Run the comparison and write comparison.json, comparison.csv and each scenario."""
    spec = _comparison_file(args.files[0]) if len(args.files) == 1 else None
    if spec is None and len(args.files) < 2:
        raise ConfigError(
            f"{args.files[0]}: give two or more scenarios, or a comparison file "
            "with compare: [reference.yaml, other.yaml]"
        )
    base = Path(args.files[0]).parent
    paths = [str(base / p) for p in spec.compare] if spec else list(args.files)
    name = (
        spec.name
        if spec and spec.name
        else Path(args.files[0]).stem
        if spec
        else "-vs-".join(Path(p).stem for p in paths)
    )
    settings = overrides(args.overrides)
    scenarios = [load_scenario(p, settings) for p in paths]
    unit = scenarios[0].line.time_unit
    scenarios = align(
        scenarios,
        replications=args.replications or (spec.replications if spec else None),
        seed=args.seed if args.seed is not None else (spec.seed if spec else None),
        horizon=_time(args.horizon, unit, "--horizon")
        or _time(spec.horizon if spec else None, unit, "horizon"),
        warmup=_time(args.warmup, unit, "--warmup")
        if args.warmup is not None
        else _time(spec.warmup if spec else None, unit, "warmup"),
    )
    if args.jobs is not None and args.jobs < 1:
        raise ConfigError("--jobs must be >= 1")
    executor = LocalExecutor(args.jobs)
    total = sum(s.replications for s in scenarios)
    with progress(console, args.quiet) as bar:
        task = bar.add_task(f"{name}: {len(scenarios)} scenarios", total=total)
        result = compare(scenarios, line_kpis, executor, lambda _i: bar.advance(task))

    attribution, attribution_settings = None, None
    wanted = args.attribution
    target = next((i for i, s in enumerate(scenarios) if i > 0 and s.levers), None)
    if wanted and target is not None:
        chosen = spec.attribution if spec and spec.attribution else AttributionSpec()
        attribution, attribution_settings = _attribute(
            paths[target], scenarios[target], chosen, settings, executor, console, args.quiet
        )

    claim = spec.claim.model_dump() if spec and spec.claim else None
    content = build_comparison(result, attribution, claim, attribution_settings)
    out = Path(args.out) if args.out else Path("results") / name
    written = write_comparison(content, result, out)
    for run in result.runs:
        summary = build_summary(run)
        write_results(run, summary, out / run.scenario.name)
        if not args.no_plots:
            draw(out / run.scenario.name)
    if not args.no_plots:
        from sim.report.plot_compare import write_comparison_plots

        write_comparison_plots(out, content)
    print_comparison(content, console)
    console.print(f"results: {written[0]}")
    return 0


def _attribute(
    path: str,
    scenario: Scenario,
    spec: AttributionSpec,
    settings: dict[str, Any],
    executor: LocalExecutor,
    console: Console,
    quiet: bool,
) -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
    """Run every lever subset the Shapley values need and attribute each KPI."""
    unit = scenario.line.time_unit
    horizon = _time(spec.horizon, unit, "attribution.horizon") or scenario.horizon
    warmup = _time(spec.warmup, unit, "attribution.warmup")
    warmup = scenario.warmup if warmup is None else warmup
    replications = spec.replications or scenario.replications
    levers = list(scenario.levers)
    subsets = subsets_needed(levers, spec.samples, scenario.seed)
    variants = [
        load_scenario(
            path,
            settings,
            replications=replications,
            seed=scenario.seed,
            horizon=horizon,
            warmup=warmup,
            levers=[lever for lever in levers if lever in subset],
        )
        for subset in subsets
    ]
    tasks = [
        (v.line, v.horizon, v.warmup, v.seed, r) for v in variants for r in range(replications)
    ]
    with progress(console, quiet) as bar:
        task = bar.add_task(f"attribution: {len(subsets)} lever sets", total=len(tasks))
        results = executor.map(replicate_task, tasks, lambda _i: bar.advance(task))
    values: dict[frozenset[str], list[dict[str, float]]] = {}
    for index, (subset, variant) in enumerate(zip(subsets, variants, strict=True)):
        reps = results[index * replications : (index + 1) * replications]
        values[subset] = [line_kpis(rep, variant.line) for rep in reps]

    attribution = {}
    for kpi in spec.kpis:

        def value(subset: frozenset[str], kpi: str = kpi) -> np.ndarray:
            return np.array([rep.get(kpi, np.nan) for rep in values[subset]])

        attribution[kpi] = shapley(levers, value, spec.samples, scenario.seed)
    settings_used = {
        "scenario": scenario.name,
        "levers": levers,
        "horizon": horizon,
        "warmup": warmup,
        "replications": replications,
        "lever_sets": len(subsets),
        "method": "exact" if len(subsets) == 2 ** len(levers) else "sampled",
    }
    return attribution, settings_used
