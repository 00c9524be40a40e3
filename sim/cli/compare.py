"""``linesim compare``: scenarios on common random numbers, paired differences, lever
attribution, the claim's verdict and its probability under input uncertainty.

Parses the command line, calls :func:`sim.api.comparing.compare` (the pipeline
``sim.compare`` is: checks, folder lock, simulation, publishing) and prints.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.markup import escape

from sim.cli.common import (
    EXIT_INTERRUPTED,
    LogProgress,
    QuietProgress,
    add_scenario_options,
    draw_published,
    overrides,
    progress,
)
from sim.figures import plural

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

__all__ = ["add_parser", "handle"]


def add_parser(commands: Any) -> None:
    """Register ``compare``."""
    command: argparse.ArgumentParser = commands.add_parser(
        "compare",
        help="compare scenarios on common random numbers (paired CIs, claim verdict)",
        description="Compare scenarios (the first is the reference) or run a comparison "
        "file with compare: [...], claim:, attribution: and uncertainty:.",
    )
    command.add_argument("files", nargs="+", help="scenario YAMLs, or one comparison YAML")
    add_scenario_options(command, aimed=True)
    command.add_argument(
        "--cluster",
        metavar="ADDRESS",
        help="run on a Dask scheduler, e.g. tcp://host:8786 (pip install 'linesim[cluster]')",
    )
    command.add_argument(
        "--precision",
        type=float,
        metavar="PCT",
        help="add replications until each headline KPI's 95 %% CI half-width is within "
        "PCT %% of its mean and PCT points of each paired change (the comparison file's "
        "precision: block otherwise, unless --replications N is given)",
    )
    command.add_argument(
        "--attribution",
        action="store_true",
        help="also attribute the change to the levers (Shapley values, with "
        "the comparison file's attribution: window)",
    )
    command.add_argument(
        "--uncertainty",
        type=int,
        nargs="?",
        const=True,
        metavar="N",
        help="sample N input sets (without N: the comparison file's uncertainty.samples, "
        "default 128) from the uncertain: and effect: ranges (Latin hypercube) and give "
        "the probability that each reading of the claim is met",
    )
    command.add_argument("--out", metavar="DIR", help="results folder (default results/<name>/)")


class _Bar:
    """Progress of :func:`compare` on a rich progress bar, one task per stage."""

    def __init__(self, bar: Progress | LogProgress | QuietProgress) -> None:
        self.bar = bar
        self.task: TaskID | None = None

    def start(self, description: str, total: int) -> None:
        if self.task is not None:
            self.bar.remove_task(self.task)
        self.task = self.bar.add_task(description, total=total)

    def advance(self) -> None:
        if self.task is not None:
            self.bar.advance(self.task)


def handle(args: argparse.Namespace, console: Console) -> int:
    """Run the comparison through :func:`sim.api.comparing.compare` (which checks and
    locks the folder before simulating and publishes it whole), then print and draw."""
    from sim.api import RunSettings
    from sim.api.comparing import ComparisonNotWritten, compare
    from sim.errors import ConfigError, LinesimError
    from sim.report.compare_tables import print_comparison, print_uncertainty
    from sim.report.redraw import draw_comparison

    given = args.uncertainty
    if given is not None and given is not True and not 2 <= given <= 100_000:
        raise ConfigError("--uncertainty N needs 2 <= N <= 100,000 input sets")
    if args.jobs is not None and args.jobs < 1:
        raise ConfigError("--jobs must be >= 1")
    settings = RunSettings(
        replications=args.replications,
        seed=args.seed,
        horizon=args.horizon,
        warmup=args.warmup,
        precision=args.precision,
        jobs=args.jobs,
        cluster=args.cluster,
        allow_long=args.allow_long,
    )
    with progress(console, args.quiet) as bar:
        try:
            outcome = compare(
                *args.files,
                settings=settings,
                overrides=overrides(args.overrides),
                attribution=args.attribution,
                uncertainty=args.uncertainty,
                out=args.out or True,
                progress=_Bar(bar),
            )
        except ComparisonNotWritten as error:  # a full disk: printed, not lost
            print_comparison(error.outcome.content, console)
            raise LinesimError(f"{error} (its tables are above)") from None
    result = outcome.result
    assert result is not None
    if outcome.folder is None:
        console.print(
            "[yellow]interrupted[/yellow] before every scenario finished one replication: "
            "nothing written"
        )
        return EXIT_INTERRUPTED
    print_comparison(result.content, console)
    if result.comparison.precision is not None:
        console.print(f"replications: {result.comparison.precision.text()}", highlight=False)
    if result.uncertainty:
        print_uncertainty(result.uncertainty, console)
    for note in result.notes:
        console.print(f"[yellow]note:[/yellow] {escape(note)}")
    for path in outcome.written:
        console.print(f"written: {escape(str(path))}", highlight=False, soft_wrap=True)
    if outcome.previous is not None:
        console.print(f"previous comparison: {escape(str(outcome.previous))}", highlight=False)
    final = outcome.folder  # published: the plots are extra, an interrupt keeps the data
    if not args.no_plots and draw_published(
        final,
        console,
        lambda: draw_comparison(final, result.content, result.uncertainty)[-1],
        "written",
    ):
        return EXIT_INTERRUPTED
    if result.partial:
        kept = len(result.comparison.runs[0].replications)
        console.print(
            f"[yellow]interrupted:[/yellow] kept {plural(kept, 'paired replication')} "
            '("partial": true); run the same command again to finish'
        )
        return EXIT_INTERRUPTED
    return 0
