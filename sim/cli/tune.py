"""``linesim tune TUNE.yaml``: an Optuna study over line parameters, resumable in SQLite."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from rich.console import Console

from sim.cli.common import EXIT_INTERRUPTED, progress
from sim.cli.sweep import add_executor_options
from sim.errors import ConfigError

__all__ = ["add_parser", "handle"]


def add_parser(commands: Any) -> None:
    """Register ``tune``."""
    command: argparse.ArgumentParser = commands.add_parser(
        "tune",
        help="search line parameters with Optuna (objectives, constraints, pruning)",
        description="Run an Optuna study of a tune file: each trial runs a short stage first, "
        "hopeless ones are pruned, the rest get the full evaluation. The study "
        "is kept in SQLite, so running the command again resumes it, and "
        "several processes may share it.",
    )
    command.add_argument("tune", help="tune YAML (scenarios/tune_*.yaml)")
    add_executor_options(command)
    command.add_argument(
        "--trials", type=int, metavar="N", help="trials the study should hold (overrides the file)"
    )
    command.add_argument(
        "--timeout",
        type=float,
        metavar="SECONDS",
        help="stop asking new trials after this long (overrides the file)",
    )
    command.add_argument(
        "--batch", type=int, metavar="N", help="trials evaluated together (default: the workers)"
    )
    command.add_argument(
        "--allow-long",
        action="store_true",
        help="run batches estimated above two hours of CPU (refused by default)",
    )
    command.add_argument(
        "--storage", metavar="URL", help="Optuna storage (default sqlite:///<out>/study.db)"
    )
    command.add_argument(
        "--pick",
        type=int,
        metavar="TRIAL",
        help="write best.yaml for this trial (e.g. a point of the Pareto front)",
    )
    command.add_argument("--out", metavar="DIR", help="results folder (default results/<name>/)")
    command.add_argument("--quiet", action="store_true", help="no progress bar")
    command.add_argument("--no-plots", action="store_true", help="skip the PNG plots")


def handle(args: argparse.Namespace, console: Console) -> int:
    """Run the study, print the best design, write the results folder."""
    from sim.api import tune

    for flag in ("trials", "batch"):
        value = getattr(args, flag)
        if value is not None and value < (0 if flag == "trials" else 1):
            raise ConfigError(f"--{flag} must be >= {0 if flag == 'trials' else 1}")
    if args.timeout is not None and args.timeout <= 0:
        raise ConfigError("--timeout must be > 0")
    if args.jobs is not None and args.jobs < 1:
        raise ConfigError("--jobs must be >= 1")
    with _optuna_quiet(), progress(console, args.quiet) as bar:
        task = bar.add_task("tune: trials", total=None, unit="trials")
        outcome = tune(
            args.tune,
            trials=args.trials,
            timeout=args.timeout,
            batch=args.batch,
            storage=args.storage,
            jobs=args.jobs,
            allow_long=args.allow_long,
            cluster=args.cluster,
            out=args.out,
            plots=not args.no_plots,
            pick=args.pick,
            on_start=lambda name, total: bar.update(
                task, description=f"{name}: trials", total=total
            ),
            on_trial=lambda _trial: bar.advance(task),
        )
    result = outcome.result
    _report(result, outcome.files, console)
    if result.interrupted:
        console.print(
            "[yellow]interrupted:[/yellow] finished trials are kept in the study; "
            "run the same command again to go on"
        )
        return EXIT_INTERRUPTED
    return 0


@contextmanager
def _optuna_quiet() -> Iterator[None]:
    """While the study runs, Optuna's own log lines (``[I 2026-12-07 09:26:37,114] A new
    study created``, ``Trial 3 pruned``) stay off the console, which prints linesim's
    progress; a warning of Optuna's comes as one ``warning: ...`` line on stderr. The
    logging setup before is put back (the command may run inside a Python session)."""
    import logging

    import optuna

    level = optuna.logging.get_verbosity()
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("warning: %(message)s"))
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    optuna.logging.disable_default_handler()
    logger = logging.getLogger("optuna")
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        optuna.logging.enable_default_handler()
        optuna.logging.set_verbosity(level)


def _report(result: Any, files: list[Path], console: Console) -> None:
    import json

    from sim.cli.wide_table import Column, parameter_cell, print_wide_table
    from sim.figures import count, elapsed, plural, value_in
    from sim.report.tune_files import constraint_text

    content = json.loads(next(f for f in files if f.name == "tune.json").read_text())
    states = content["trials"]
    saved = content["full_evaluations_saved"]
    console.print(
        f"study {content['study']}: {count(states['complete'])} complete, "
        f"{count(states['pruned'])} pruned, {count(states['fail'])} failed; "
        f"{plural(content['full_evaluations'], 'full evaluation')}, "
        f"{count(saved['pruned'])} saved by pruning and {count(saved['repeated_designs'])} "
        "by reusing repeated designs"
    )
    run = content["this_run"]
    console.print(
        f"this run: {plural(run['new_trials'], 'trial')}, {plural(run['runs'], 'run')} in "
        f"{elapsed(run['seconds'])}" + (" (timeout)" if run["timeout"] else "")
    )
    for error in run["errors"][:3]:
        console.print(f"[yellow]failed:[/yellow] {error}", soft_wrap=True)
    shown = content.get("best") or content.get("pareto") or []
    if not shown:
        console.print("[yellow]no completed trial yet[/yellow]")
    else:
        title = "best design" if "best" in content else "Pareto front (feasible)"
        if not content["feasible"]:
            title = "no feasible design: the least infeasible"
            console.print(
                f"[yellow]no trial met the constraints[/yellow] "
                f"({', '.join(constraint_text(c) for c in content['constraints'])}): "
                "the design below and best.yaml "
                "are the least infeasible, not a recommendation; widen the space or "
                "run more trials",
                soft_wrap=True,
            )
        units = content.get("units") or {}
        rows = shown[:20]
        keys = [Column("trial", None, [count(item["trial"]) for item in rows])]
        for column in shown[0]["params"]:
            cells = [parameter_cell(item["params"][column]) for item in rows]
            keys.append(Column(column, None, cells))
        values = []
        for kpi in shown[0]["kpis"]:
            unit = units.get(kpi)
            values.append(Column(kpi, unit, [value_in(item["kpis"][kpi], unit) for item in rows]))
        print_wide_table(console, title, keys, values)
    for path in files:
        if path.name in ("trials.csv", "best.yaml"):
            console.print(f"{path.stem}: {path}")
