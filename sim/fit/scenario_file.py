"""Write the fitted scenario: the given line plus the fitted values as dotted ``set:``
overrides, each commented with its evidence, so ``linesim run DIR/fitted.yaml`` runs it."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml

from sim.atomic import write_text
from sim.fit.station_fit import Setting

__all__ = ["scenario_text", "write_scenario"]


def _flow(value: Any) -> str:
    """A value as one line of YAML flow style."""
    text = yaml.safe_dump(value, default_flow_style=True, sort_keys=False, width=10_000)
    return str(text).strip().removesuffix("...").strip()


def _line_reference(line_file: Path, scenario: Path) -> str:
    """The line path as the scenario names it: relative when inside the scenario's project
    folder (the loader refuses relative paths leaving it), else absolute."""
    from sim.model.loader import project_folder

    line_abs = line_file.resolve()
    if line_abs.is_relative_to(project_folder(scenario)):
        return os.path.relpath(line_abs, scenario.resolve().parent)
    return str(line_abs)


def scenario_text(
    header: list[str],
    line_file: Path,
    scenario: Path,
    horizon: float,
    warmup: float,
    replications: int,
    settings: list[Setting],
) -> str:
    """The fitted scenario as YAML text (comments carry n, CI and the chosen family)."""
    lines = [f"# {text}" for text in header]
    lines += [
        f"line: {_flow(_line_reference(line_file, scenario))}",
        f"horizon: {horizon:.6g}      # the log's period [line time unit]",
        f"warmup: {warmup:.6g}       # discarded start, the line starts empty",
        f"replications: {replications}",
        "seed: 1",
    ]
    if not settings:
        lines.append("set: {}")
    else:
        lines.append("set:")
        for setting in settings:
            lines.append(f"  {setting.path}: {_flow(setting.value)}")
            lines.append(f"    # {setting.comment}")
    return "\n".join(lines) + "\n"


def write_scenario(path: Path, text: str) -> Path:
    """Write the scenario atomically and return its path."""
    write_text(path, text)
    return path
