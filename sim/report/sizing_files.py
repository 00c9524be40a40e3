"""What ``linesim size`` writes and prints: sizing.json, sized.yaml, scenario.yaml, a table.

``sized.yaml`` is the line file with each sized count edited in place (the line's own
comments kept, a comment naming the change), so it reads like the line a planner wrote;
where an edit cannot be made in place (a station written as one flow mapping) the whole
line is written out again with the changes listed at the top. ``scenario.yaml`` runs it
with the sizing's window, replications and seed (``linesim run DIR/scenario.yaml``); a
scenario's sizing runs its own line and levers with the sized counts in ``set:``.
"""

from __future__ import annotations

import math
import os
import re
from pathlib import Path
from typing import Any

import yaml

from sim.atomic import write_json, write_text
from sim.experiment.sizing import Sizing
from sim.model.loader import load_line, read_yaml

__all__ = ["print_sizing", "sizing_content", "write_sizing_files"]

_KEY_LINE = r"^(?P<lead>\s*(- )?)(?P<key>{key}):(?P<value>[^#{{\[]*?)\s*(?P<comment>#.*)?$"


def sizing_content(sizing: Sizing) -> dict[str, Any]:
    """The sizing.json content."""
    from sim.analysis.capacity import STORE_SLACK

    scenario = sizing.scenario
    line = scenario.line
    currency = line.costs.currency if line.costs is not None else "EUR"
    capex_key = f"capex_delta_{currency.lower()}"
    target = sizing.target
    out = sizing.output
    return {
        "line": line.name,
        "source": scenario.source,
        "target": {
            "value": target.value,
            "unit": target.unit,
            "text": target.text,
            "kpi": target.kpi,
        },
        "output": {
            "mean": out.mean,
            "ci95_low": out.low,
            "ci95_high": out.high,
            "unit": target.unit,
            "meets": out.low >= target.value,
        },
        "settings": {
            "horizon": scenario.horizon,
            "warmup": scenario.warmup,
            "replications": scenario.replications,
            "seed": scenario.seed,
            "time_unit": line.time_unit,
            "overrides": dict(scenario.overrides),
            "levers": list(scenario.levers),
        },
        "rule": {
            "machines": "capacity arithmetic, then +1 at the binding station until the lower "
            "95 % bound of output meets the target, then -1 wherever the bound still meets it",
            "store_slack": STORE_SLACK,
            "stores": f"soak delays hold their mean content + {STORE_SLACK:.0%}",
        },
        "currency": currency,
        "costed": line.costs is not None,
        "stations": [
            {
                "name": row.station,
                "kind": row.kind,
                "before": row.before,
                "arithmetic": row.arithmetic,
                "after": row.after,
                "utilisation": row.utilisation,
                capex_key: row.capex_delta,
            }
            for row in sizing.stations
        ],
        capex_key: sum(row.capex_delta for row in sizing.stations),
        "minimal": [
            {
                "station": check.station,
                "count": check.count,
                "output_mean": check.output_mean,
                "output_ci95_high": check.output_ci95_high,
                "shown": check.shown,
                "basis": check.basis,
            }
            for check in sizing.minimal
        ],
        "single_machine": list(sizing.single),
        "steps": list(sizing.steps),
    }


def write_sizing_files(sizing: Sizing, folder: Path, line_file: Path) -> list[Path]:
    """Write sized.yaml, scenario.yaml and sizing.json (last: it marks the folder whole)
    into ``folder``; return them."""
    changes = _changes(sizing)
    text = _edited(line_file, changes, sizing.target.text)
    sized = folder / "sized.yaml"
    write_text(sized, text)
    if not _holds(sized, changes):  # an edit in place went wrong: write the line whole
        write_text(sized, _rewritten(line_file, changes, sizing.target.text))
    scenario = folder / "scenario.yaml"
    write_text(scenario, _scenario_text(sizing, folder, line_file))
    content = sizing_content(sizing)
    write_json(folder / "sizing.json", content)
    return [sized, scenario, folder / "sizing.json"]


def _changes(sizing: Sizing) -> dict[tuple[str, str], tuple[Any, Any]]:
    """(station, key) -> (before, after) for each value that changed."""
    changes: dict[tuple[str, str], tuple[Any, Any]] = {}
    stations = {s.name: s for s in sizing.scenario.line.stations}
    for row in sizing.stations:
        if row.after == row.before:
            continue
        changes[(row.station, row.kind)] = (row.before, row.after)
        station = stations[row.station]
        if row.kind == "capacity" and station.capex and row.before:
            capex = station.capex * row.after / row.before
            changes[(row.station, "capex")] = (station.capex, float(f"{capex:.6g}"))
    return changes


def _edited(path: Path, changes: dict[tuple[str, str], tuple[Any, Any]], target: str) -> str:
    """The line file's text with each change made on its own line (or inserted)."""
    _, marks = read_yaml(path)
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    edits: list[tuple[int, str, str | None]] = []  # (0-based line, new text, insert?)
    for (station, key), (before, after) in changes.items():
        note = f"linesim size: {before} -> {after} for {target}"
        mark = marks.get(("stations", station, key))
        if mark is not None:
            row = mark[0] - 1
            found = re.match(_KEY_LINE.format(key=re.escape(key)), lines[row])
            if found is None or found["value"].strip() == "":
                return _rewritten(path, changes, target)
            old = f" (was: {found['comment'][1:].strip()})" if found["comment"] else ""
            edits.append((row, f"{found['lead']}{key}: {after}  # {note}{old}", None))
            continue
        name = marks.get(("stations", station, "name"))
        if name is None:
            return _rewritten(path, changes, target)
        indent = " " * (name[1] - 1)
        edits.append((name[0] - 1, f"{indent}{key}: {after}  # {note}", "insert"))
    for row, text, insert in sorted(edits, key=lambda e: e[0], reverse=True):
        if insert:
            lines.insert(row + 1, text)
        else:
            lines[row] = text
    head = f"# Sized by linesim size for {target}: the counts marked 'linesim size' changed."
    return head + "\n" + "\n".join(lines) + "\n"


def _rewritten(path: Path, changes: dict[tuple[str, str], tuple[Any, Any]], target: str) -> str:
    """The line written out whole with the changes applied (comments lost, listed instead)."""
    from sim.model.overrides import apply_overrides

    raw, _ = read_yaml(path)
    data = apply_overrides(raw, {f"stations.{s}.{k}": v[1] for (s, k), v in changes.items()})
    listed = "\n".join(f"#   {s}.{k}: {b} -> {a}" for (s, k), (b, a) in changes.items())
    head = f"# Sized by linesim size for {target}; changed:\n{listed}\n"
    return head + str(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))


def _holds(path: Path, changes: dict[tuple[str, str], tuple[Any, Any]]) -> bool:
    try:
        line = load_line(path)
    except Exception:
        return False
    stations = {s.name: s for s in line.stations}
    return all(
        math.isclose(float(getattr(stations[s], k) or 0), float(after))
        for (s, k), (_, after) in changes.items()
    )


def _scenario_text(sizing: Sizing, folder: Path, line_file: Path) -> str:
    """A scenario that runs the sized design: for a line, sized.yaml with the sizing's
    window; for a scenario, its own line and levers with the sized counts in ``set:``
    (applied after the levers, so a lever that scales a store does not scale it twice)."""
    scenario = sizing.scenario
    unit = scenario.line.time_unit
    from_scenario = scenario.source is not None and Path(scenario.source) != Path(line_file)
    relative = _reference(Path(line_file), folder)
    data: dict[str, Any] = {
        "name": f"{scenario.name}-sized",
        "description": f"{scenario.name} sized by linesim size for {sizing.target.text}",
        "line": relative if from_scenario else "sized.yaml",
        "horizon": f"{scenario.horizon:g} {unit}",
        "warmup": f"{scenario.warmup:g} {unit}",
        "replications": scenario.replications,
        "seed": scenario.seed,
    }
    sized_keys = set(sizing.overrides)
    kept = {k: v for k, v in scenario.overrides.items() if k not in sized_keys}
    if from_scenario:
        kept.update(sizing.overrides)
    if kept:
        data["set"] = kept
    if scenario.levers and from_scenario:
        raw, _ = read_yaml(str(scenario.source))
        lever_file = Path(str(scenario.source)).parent / str(raw.get("lever_file", ""))
        data["lever_file"] = _reference(lever_file, folder)
        data["levers"] = list(scenario.levers)
    head = "# Runs the sized design: linesim run <this file>\n"
    return head + str(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))


def _reference(path: Path, folder: Path) -> str:
    """``path`` as scenario.yaml in ``folder`` names it: relative inside its project
    folder (the loader refuses a relative path out of it), else absolute."""
    from sim.model.loader import project_folder

    target = path.resolve()
    if target.is_relative_to(project_folder(folder / "scenario.yaml")):
        return Path(os.path.relpath(target, folder.resolve())).as_posix()
    return target.as_posix()


def print_sizing(content: dict[str, Any], console: Any) -> None:
    """Print sizing.json as tables: the counts with their capex change, the output against
    the target, and the minimality check."""
    from rich.table import Table

    from sim.figures import count, number, plural, share_percent
    from sim.report.numbers import format_number

    currency = content["currency"]
    capex_key = f"capex_delta_{currency.lower()}"
    target = content["target"]
    table = Table(title=f"{content['line']} sized for {target['text']}", title_justify="left")
    for column in ("station", "sized", "before", "arithmetic", "after", "use in run",
                   f"capex change [{currency}]"):  # fmt: skip
        table.add_column(column, justify="left" if column in ("station", "sized") else "right")
    for row in content["stations"]:
        use = row["utilisation"]
        table.add_row(
            row["name"],
            "machines" if row["kind"] == "machines" else "soak space [units]",
            count(row["before"]),
            count(row["arithmetic"]),
            count(row["after"]) + (" *" if row["after"] != row["before"] else ""),
            share_percent(use),
            number(row[capex_key], signed=True) if row[capex_key] else "0",
        )
    console.print(table)
    out = content["output"]
    verdict = "meets" if out["meets"] else "does NOT meet"
    console.print(
        f"output {format_number(out['mean'])} {out['unit']} (95 % CI "
        f"[{format_number(out['ci95_low'])}, {format_number(out['ci95_high'])}], "
        f"{plural(content['settings']['replications'], 'replication')}): {verdict} the target "
        f"{format_number(target['value'])} {target['unit']} by its lower bound; "
        + (
            f"capex change {number(content[capex_key], signed=True)} {currency}"
            if content["costed"]
            else "no capex change (the line has no costs:)"
        )
        + "  (* changed; use = active share, a store's fill)",
        highlight=False,
    )
    minimal = content["minimal"]
    if minimal:
        check = Table(
            title=f"minimality: one machine fewer (output in {out['unit']})",
            title_justify="left",
        )
        for column in ("station", "machines", "output mean", "upper bound", "shown by"):
            check.add_column(column, justify="left" if column == "station" else "right")
        for row in minimal:
            simulated = row["basis"] == "simulation"
            check.add_row(
                row["station"],
                str(row["count"]),
                format_number(row["output_mean"]) if simulated else "-",
                format_number(row["output_ci95_high"]),
                ("run: needed" if row["shown"] else "not shown: the CI reaches the target")
                if simulated
                else "capacity: needed",
            )
        console.print(check)
    if content["single_machine"]:
        console.print(
            f"one machine, the fewest there can be: {', '.join(content['single_machine'])}",
            highlight=False,
            soft_wrap=True,
        )
    console.print(f"stores: {content['rule']['stores']} (docs/sizing.md)", highlight=False)
