"""``linesim fit LOG --line LINE --out DIR`` and ``linesim check LOG --scenario SCEN``:
calibrate a line from an MES event log, and compare a scenario with the log."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from sim.errors import ConfigError
from sim.figures import number, plural, value_in

__all__ = ["add_check_parser", "add_parser", "handle", "handle_check"]


def _seconds(text: str) -> float:
    """A duration option ('5 min', '7 d', or a number of seconds) in seconds [s]."""
    from sim.model.units import parse_duration

    try:
        return parse_duration(text, "s")
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _end(text: str) -> float:
    """``--end``: seconds on the log's scale, or an ISO 8601 time."""
    try:
        return float(text)
    except ValueError:
        pass
    from datetime import UTC, datetime

    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is neither seconds nor an ISO 8601 time such as 2026-03-01T06:00:00Z"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def _log_options(command: argparse.ArgumentParser) -> None:
    command.add_argument("log", help="MES event log: CSV or Parquet (see docs/calibrating.md)")
    command.add_argument(
        "--time",
        choices=("auto", "iso", "seconds"),
        default="auto",
        help="how timestamps are written: ISO 8601 (with or without offset) or seconds "
        "since a start (default auto: seconds if numeric)",
    )
    command.add_argument(
        "--aliases", metavar="FILE", help="YAML alias file: state -> the plant's words"
    )
    command.add_argument(
        "--end",
        type=_end,
        metavar="T",
        help="the log's end (seconds or ISO 8601); default: the trace's recorded end, "
        "else the last timestamp",
    )
    command.add_argument(
        "--max-gap",
        type=_seconds,
        default=7 * 86400.0,
        metavar="T",
        help="a state longer than this is a gap in the log, not that state (default '7 d')",
    )
    command.add_argument(
        "--minor-stop",
        type=_seconds,
        default=0.0,
        metavar="T",
        help="down episodes shorter than this are minor stops (default 0: only rows in "
        "state minor_stop), e.g. '5 min'",
    )
    command.add_argument(
        "--confidence",
        type=float,
        default=0.95,
        metavar="P",
        help="confidence level of every interval (default 0.95)",
    )


def add_parser(commands: Any) -> None:
    """Register ``fit`` and ``check``."""
    command: argparse.ArgumentParser = commands.add_parser(
        "fit",
        help="fit a line's times, failures and scrap to an MES event log",
        description="Fit a line to an MES event log; write DIR/fitted.yaml (a scenario), "
        "DIR/fit.json and DIR/report.html.",
    )
    _log_options(command)
    command.add_argument("--line", required=True, metavar="LINE", help="the line YAML")
    command.add_argument("--out", metavar="DIR", help="output folder (default results/fit_<log>)")
    command.add_argument(
        "--replications", type=int, default=10, metavar="N", help="in fitted.yaml (default 10)"
    )
    command.add_argument("--no-plots", action="store_true", help="skip the report")
    command.add_argument(
        "--check", action="store_true", help="then run linesim check on the fitted scenario"
    )
    command.add_argument("--jobs", type=int, metavar="N", help="worker processes for --check")


def add_check_parser(commands: Any) -> None:
    """Register ``check``."""
    check: argparse.ArgumentParser = commands.add_parser(
        "check",
        help="compare a scenario's simulated throughput and states with an MES log",
        description="Run SCENARIO over the log's period and compare throughput and state "
        "shares per station and for the line with the log.",
    )
    _log_options(check)
    check.add_argument("--scenario", required=True, metavar="SCEN", help="scenario YAML")
    check.add_argument("--replications", type=int, metavar="N", help="default: the scenario's")
    check.add_argument("--jobs", type=int, metavar="N", help="worker processes")
    check.add_argument("--out", metavar="DIR", help="also write check.json and check.csv here")


def _aliases(args: argparse.Namespace) -> Any:
    if not args.aliases:
        return None
    from sim.fit.aliases import load_aliases

    return load_aliases(args.aliases)


def _confidence(args: argparse.Namespace) -> None:
    if not 0 < args.confidence < 1:
        raise ConfigError(f"--confidence must lie between 0 and 1 (got {args.confidence})")
    if getattr(args, "jobs", None) is not None and args.jobs < 1:
        raise ConfigError("--jobs must be >= 1")
    if getattr(args, "replications", None) is not None and args.replications < 1:
        raise ConfigError("--replications must be >= 1")


def handle(args: argparse.Namespace, console: Console) -> int:
    """``fit``: fit, write the scenario, fit.json and the report (and check it)."""
    from sim.fit.fitting import fit_log

    _confidence(args)
    from sim.out_folder import safe_folder_name

    out = (
        Path(args.out)
        if args.out
        else Path("results") / safe_folder_name(f"fit_{Path(args.log).stem}")
    )
    result = fit_log(
        args.log,
        args.line,
        out,
        time=args.time,
        aliases=_aliases(args),
        confidence=args.confidence,
        minor_stop=args.minor_stop,
        end=args.end,
        max_gap=args.max_gap,
        replications=args.replications,
        report=not args.no_plots,
    )
    for warning in result.warnings:
        console.print(f"[yellow]warning:[/yellow] {escape(warning)}", soft_wrap=True)
    table = Table(title=f"fitted from {plural(result.record['rows_used'], 'row')}")
    table.add_column("setting")
    table.add_column("value")
    table.add_column("unit")
    for setting in result.settings():
        text = str(setting.value)
        table.add_row(
            escape(setting.path),
            escape(text if len(text) < 60 else text[:57] + "..."),
            escape(setting.unit),
        )
    console.print(table)
    for path in result.files:
        console.print(f"wrote {path}")
    if args.check:
        args.scenario = str(out / "fitted.yaml")
        args.out = str(out)
        args.check_from_fit = True
        return handle_check(args, console)
    return 0


def handle_check(args: argparse.Namespace, console: Console) -> int:
    """``check``: simulate over the log's period, print and write the comparison."""
    from sim.fit.check import check_log, write_check

    _confidence(args)
    args.check_from_fit = getattr(args, "check_from_fit", False)
    if args.out:
        from sim.out_folder import writable_folder

        writable_folder(args.out)  # before simulating: a bad --out never costs the check
    result = check_log(
        args.log,
        args.scenario,
        replications=None if args.check_from_fit else args.replications,
        jobs=args.jobs,
        confidence=args.confidence,
        time=args.time,
        aliases=_aliases(args),
        end=args.end,
        max_gap=args.max_gap,
        minor_stop=args.minor_stop,
    )
    level = f"{result.confidence * 100:g}%"
    table = Table(
        title=f"check over {number(result.period)} {result.time_unit}, "
        f"{plural(result.replications, 'replication')}"
    )

    def shown(value: float, unit: str) -> str:  # a share in four decimals, else a measure
        return value_in(value, "-" if unit == "share" else unit)

    for column in ("station", "quantity", "observed", "simulated", f"{level} CI",
                   f"{level} prediction", ""):  # fmt: skip
        table.add_column(column)
    for row in result.rows:
        table.add_row(
            row.station,
            # escaped: rich would read [units/min] or [share] as a style tag and drop it
            escape(f"{row.quantity} [{row.unit}]"),
            shown(row.observed, row.unit),
            shown(row.mean, row.unit),
            f"[{shown(row.ci[0], row.unit)}, {shown(row.ci[1], row.unit)}]",
            f"[{shown(row.prediction[0], row.unit)}, {shown(row.prediction[1], row.unit)}]",
            "[red]outside[/red]" if row.outside else "ok",
        )
    console.print(table)
    for note in result.notes:
        console.print(f"note: {escape(note)}")
    console.print(
        f"{len(result.flagged)} of {len(result.rows)} observed values outside the {level} "
        "prediction interval of one period"
    )
    if args.out:
        for path in write_check(result, args.out):
            console.print(f"wrote {path}")
    return 0
