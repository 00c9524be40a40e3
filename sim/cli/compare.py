"""``linesim compare``: scenarios on common random numbers, paired differences, lever
attribution, the claim's verdict and its probability under input uncertainty.

Parses the command line, calls :func:`sim.experiment.compare.compare`, writes the folder
and prints; the work itself lives in :mod:`sim.experiment`.
"""

from __future__ import annotations

import argparse
from pathlib import Path
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

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

    from sim.report.run_folder import ResultsFolder

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
    add_scenario_options(command)
    command.add_argument(
        "--cluster",
        metavar="ADDRESS",
        help="run on a Dask scheduler, e.g. tcp://host:8786 (pip install 'linesim[cluster]')",
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
        metavar="N",
        help="sample N input sets from the uncertain: and effect: ranges (Latin hypercube) "
        "and give the probability that each reading of the claim is met",
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
    """Run the comparison, write its folder (comparison.json, report.html, ...), print."""
    from sim.errors import ConfigError
    from sim.experiment.compare import comparison_name
    from sim.report.run_folder import ResultsFolder, safe_folder_name

    if args.uncertainty is not None and not 2 <= args.uncertainty <= 100_000:
        raise ConfigError("--uncertainty N needs 2 <= N <= 100,000 input sets")
    name = comparison_name(args.files)
    out = Path(args.out) if args.out else Path("results") / safe_folder_name(name)
    # Checked and locked before simulating: a bad --out, or another comparison writing
    # the same folder, never costs a finished comparison; the one it replaces is kept.
    with ResultsFolder(name, out) as folder:
        folder.prepare()
        return _compare(args, console, folder)


def _compare(args: argparse.Namespace, console: Console, folder: ResultsFolder) -> int:
    from sim.errors import LinesimError
    from sim.experiment.compare import compare
    from sim.experiment.interrupts import ignore_further, shielded
    from sim.report.compare_tables import print_comparison, print_uncertainty
    from sim.report.comparison_files import publish_comparison
    from sim.report.redraw import draw_comparison

    with progress(console, args.quiet) as bar:
        result = compare(
            args.files,
            overrides(args.overrides),
            replications=args.replications,
            seed=args.seed,
            horizon=args.horizon,
            warmup=args.warmup,
            attribution=args.attribution,
            uncertainty=args.uncertainty,
            jobs=args.jobs,
            cluster=args.cluster,
            out=folder.target,
            progress=_Bar(bar),
        )
    if not result.comparison.runs[0].replications:
        console.print(
            "[yellow]interrupted[/yellow] before every scenario finished one replication: "
            "nothing written"
        )
        return EXIT_INTERRUPTED
    if result.partial:
        ignore_further()  # a second Ctrl-C must not cut the writing short
    try:
        with shielded():  # the data, published whole; the plots are drawn after
            written = publish_comparison(result, folder, plots=False)
    except OSError as error:  # a full disk: the comparison is printed, not lost
        print_comparison(result.content, console)
        raise LinesimError(
            f"the comparison could not be written to {folder.target}: "
            f"{error.strerror or error}; nothing was kept there (its tables are above)"
        ) from None
    print_comparison(result.content, console)
    if result.uncertainty:
        print_uncertainty(result.uncertainty, console)
    for note in result.notes:
        console.print(f"[yellow]note:[/yellow] {escape(note)}")
    for path in written:
        console.print(f"written: {escape(str(path))}", highlight=False, soft_wrap=True)
    if folder.previous is not None:
        console.print(f"previous comparison: {escape(str(folder.previous))}", highlight=False)
    final = folder.target  # published: the plots are extra, an interrupt keeps the data
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
            f"[yellow]interrupted:[/yellow] kept {kept} paired replication(s) "
            '("partial": true); run the same command again to finish'
        )
        return EXIT_INTERRUPTED
    return 0
