"""A table of many parameter and KPI columns that stays readable in any terminal width.

Sweep and tune tables have a column per parameter and per KPI, named by dotted paths
such as ``stations.formation.utilization``; in one rich table of 80 columns those were
cut to ``station…`` and the numbers to ``0.0…``. Here a dotted name is broken after its
dots onto lines of its own (``stations.`` / ``formation.`` / ``utilization``), the unit
goes on the last line, and when the value columns do not fit beside the key columns
(point or trial, then the parameters) they are split into several tables, each repeating
the keys: nothing is cut, every header is whole.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from sim.figures import number

__all__ = ["Column", "header_lines", "parameter_cell", "print_wide_table"]

_BORDER = 3
"""Columns a table spends per column beside its content: two of padding, one rule [-]."""


@dataclass(frozen=True)
class Column:
    """One column: its name (a dotted path or a KPI), its unit (or ``None``), its cells."""

    name: str
    unit: str | None
    cells: Sequence[str]


SHORT = 12
"""Longest name kept on one header line [characters]; longer ones break after dots."""


def header_lines(name: str, unit: str | None = None) -> list[str]:
    """The header of a column: ``name`` (broken after each dot when longer than
    :data:`SHORT`), then ``[unit]``."""
    parts = name.split(".") if len(name) > SHORT else [name]
    lines = [f"{part}." for part in parts[:-1]] + [parts[-1]]
    if unit:
        lines.append(f"[{unit}]")
    return lines


def parameter_cell(value: Any) -> str:
    """A parameter value of a point or trial: a number in the measure format, anything
    else (a distribution, a name) as text."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    return number(value)


def _width(column: Column) -> int:
    """Characters the column needs: its widest cell, header line or unit word."""
    header = header_lines(column.name)
    words = (column.unit or "").split() or [""]
    unit = f"[{column.unit}]" if column.unit else ""
    widest_unit = len(unit) if len(unit) <= 14 else max(len(w) for w in words) + 1
    return max([len(c) for c in column.cells] + [len(line) for line in header] + [widest_unit])


def _room(keys: Sequence[Column], width: int) -> int:
    """Characters left for value columns beside the key columns in ``width``."""
    return width - 1 - sum(_width(c) + _BORDER for c in keys)


def _groups(keys: Sequence[Column], values: Sequence[Column], width: int) -> list[list[Column]]:
    """The value columns in consecutive groups that fit ``width`` beside the keys."""
    room = _room(keys, width)
    groups: list[list[Column]] = []
    used = 0
    for column in values:
        need = _width(column) + _BORDER
        if groups and used + need <= room:
            groups[-1].append(column)
            used += need
        else:
            groups.append([column])
            used = need
    return groups or [[]]


def print_wide_table(
    console: Console,
    title: str,
    keys: Sequence[Column],
    values: Sequence[Column],
    what: str = "KPIs",
) -> None:
    """Print ``keys`` (the first names each row: point, trial) and ``values`` as one
    table, or as several that each repeat the keys when the values do not fit the
    console's width; ``what`` names the value columns in the titles of a split table
    (``KPIs 1-3 of 8``). Where the keys alone leave no room for a value column (a tune
    of many parameters), each row becomes a column instead: one line per parameter and
    KPI."""
    fits = [_width(c) + _BORDER for c in values]
    if keys and fits and _room(keys, console.width) < min(fits):
        _print_transposed(console, title, keys, values)
        return
    groups = _groups(keys, values, console.width)
    first = 1
    for group in groups:
        part = title
        if len(groups) > 1:
            last = first + len(group) - 1
            span = f"{first}-{last}" if last > first else f"{first}"
            part = f"{title} ({what} {span} of {len(values)})"
        table = Table(title=escape(part))
        for column in [*keys, *group]:
            # escaped: a unit such as [jobs / h] would be read as a rich style tag
            table.add_column(
                escape("\n".join(header_lines(column.name, column.unit))),
                justify="right",
                overflow="fold",
            )
        rows = len(keys[0].cells) if keys else (len(group[0].cells) if group else 0)
        for row in range(rows):
            table.add_row(*(column.cells[row] for column in [*keys, *group]))
        console.print(table)
        first += len(group)


def _print_transposed(
    console: Console, title: str, keys: Sequence[Column], values: Sequence[Column]
) -> None:
    """One column per row (headed by the first key, ``trial 12``), one line per other
    key and value column with its unit."""
    table = Table(title=escape(title))
    table.add_column("", overflow="fold")
    table.add_column("unit", overflow="fold")
    label = keys[0]
    for cell in label.cells:
        table.add_column(escape(f"{label.name} {cell}"), justify="right", overflow="fold")
    for column in [*keys[1:], *values]:
        table.add_row(escape(column.name), escape(column.unit or ""), *column.cells)
    console.print(table)
