"""The line diagram as SVG: stations as boxes, buffers and delays as tanks, material flows.

Without run results it shows what the YAML says (machines, ideal rate per machine, buffer
capacities, raw materials, merges and splits); with them (:class:`Overlay`) each station gets
a bar of its state shares, each tank its mean fill, and the bottleneck a red outline. The
SVG is self-contained and carries ids and classes the report's replay script animates:
``g.station[data-station]`` with ``rect.box``, ``g.buffer[data-material]`` and
``g.station[data-kind=delay]`` with ``rect.level``.
"""

from __future__ import annotations

import html
import math
import os
from dataclasses import dataclass, field
from pathlib import Path

from sim.analysis.capacity import output_rate_per_hour
from sim.atomic import write_text
from sim.model.line import Line
from sim.model.units import SECONDS_PER
from sim.out_folder import writable_folder
from sim.report.colors import BOTTLENECK_COLOR, DELAY_COLOR, STATE_COLORS
from sim.report.layout import Layout, Placed, layered_layout
from sim.report.line_graph import LineGraph, Node, line_graph

__all__ = ["Overlay", "diagram_svg", "write_diagram"]

_SIZES = {"machine": (160.0, 78.0), "delay": (128.0, 78.0), "buffer": (96.0, 66.0)}
_FINISHED = (120.0, 50.0)
_TANK = (44.0, 30.0)  # the tank inside a buffer node [px]
_TITLE = 46.0  # room for the title above the drawing [px]
_LEGEND = 40.0  # room for the legend below [px]
_FONT = "font-family:system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif"


@dataclass
class Overlay:
    """Run results drawn on the diagram.

    ``states`` per station: share of machine time per state [-]; ``fill`` per material buffer
    or delay station: mean level / capacity [-] (or the mean level [unit] in ``level`` when
    the buffer is unlimited); ``bottleneck`` the station's name.
    """

    states: dict[str, dict[str, float]] = field(default_factory=dict)
    fill: dict[str, float] = field(default_factory=dict)
    level: dict[str, float] = field(default_factory=dict)
    bottleneck: str | None = None
    output: str = ""
    """Text under the finished material, e.g. the good output rate with its unit."""


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _number(value: float) -> str:
    """A compact number: 12,000; 2,400; 12.8; 0.35."""
    if not math.isfinite(value):
        return "-"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.3g}"


def _fit(text: str, width: float, size: float) -> str:
    """Cut ``text`` to about ``width`` px at font ``size`` [px] (average glyph 0.56 em)."""
    most = max(3, int(width / (size * 0.56)))
    return text if len(text) <= most else text[: most - 1] + "…"


def _duration(value: float, time_unit: str) -> str:
    """A duration in the line's unit, in days when it is two days or more."""
    days = value * SECONDS_PER[time_unit] / SECONDS_PER["d"]
    if days >= 2:
        return f"{_number(days)} d"
    return f"{_number(value)} {time_unit}"


def _slug(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in name)


def _station(
    node: Node, place: Placed, time_unit: str, overlay: Overlay | None, prefix: str
) -> str:
    station = node.station
    assert station is not None
    x0, y0 = place.x - place.width / 2, place.y - place.height / 2
    w, h = place.width, place.height
    bottleneck = overlay is not None and overlay.bottleneck == node.name
    stroke = BOTTLENECK_COLOR if bottleneck else "#3a3a3a"
    width = 3.0 if bottleneck else 1.2
    rate = output_rate_per_hour(station, time_unit)
    parts = [
        f'<g class="station" id="{prefix}st-{_slug(node.name)}" data-station="{_e(node.name)}" '
        f'data-kind="{node.kind}">',
        f"<title>{_e(node.name)}</title>",
    ]
    if node.kind == "delay":
        fill = overlay.fill.get(node.name, math.nan) if overlay else math.nan
        parts += [
            f'<rect class="box" x="{x0:.1f}" y="{y0:.1f}" width="{w:.1f}" height="{h:.1f}" '
            f'rx="14" fill="#f3f7fb" stroke="{stroke}" stroke-width="{width}"/>',
            _level(x0 + 4, y0 + 4, w - 8, h - 8, fill, DELAY_COLOR, 11),
            _text(place.x, y0 + 17, _fit(node.name, w - 8, 12), 12, bold=True),
            _text(place.x, y0 + 33, f"soak {_duration(station.cycle_time.mean, time_unit)}", 10.5),
            _text(
                place.x,
                y0 + 48,
                "unlimited" if node.capacity is None else f"≤ {_number(node.capacity)} {node.unit}",
                10.5,
            ),
        ]
        if math.isfinite(fill):
            parts.append(_text(place.x, y0 + 66, f"mean fill {fill:.0%}", 10.5, bold=True))
        elif node.capacity is not None:  # room for the replay's fill
            parts.append(_text(place.x, y0 + 66, "", 10.5, bold=True, cls="pct"))
    else:
        parts += [
            f'<rect class="box" x="{x0:.1f}" y="{y0:.1f}" width="{w:.1f}" height="{h:.1f}" '
            f'rx="5" fill="#ffffff" stroke="{stroke}" stroke-width="{width}"/>',
            _text(place.x, y0 + 16, _fit(node.name, w - 8, 12), 12, bold=True),
            _text(
                place.x,
                y0 + 31,
                f"{station.machines} × {_number(rate)} {node.unit}/h",
                10.5,
            ),
        ]
        extra = []
        if station.batch is not None:
            extra.append(f"batch {station.batch.size:,}")
        if node.raw:
            extra.append("+ " + ", ".join(node.raw))
        if extra:
            parts.append(_text(place.x, y0 + 45, _fit("; ".join(extra), w - 8, 9.5), 9.5, "#555"))
        shares = overlay.states.get(node.name) if overlay else None
        if shares:
            parts.append(_state_bar(x0 + 6, y0 + h - 22, w - 12, 12, shares))
    if bottleneck:
        parts.append(
            _text(place.x, y0 - 5, "bottleneck", 11, BOTTLENECK_COLOR, bold=True, cls="tag")
        )
    parts.append("</g>")
    return "\n".join(parts)


def _state_bar(x: float, y: float, width: float, height: float, shares: dict[str, float]) -> str:
    """A stacked bar of the state shares, busy first."""
    parts = [
        f'<g class="states"><rect x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" '
        f'height="{height:.1f}" fill="#f4f4f4"/>'
    ]
    left = x
    for state, color in STATE_COLORS.items():
        share = shares.get(state, 0.0)
        if not math.isfinite(share) or share <= 0:
            continue
        part = width * min(share, 1.0)
        parts.append(
            f'<rect x="{left:.1f}" y="{y:.1f}" width="{part:.2f}" height="{height:.1f}" '
            f'fill="{color}"><title>{_e(state)} {share:.1%}</title></rect>'
        )
        left += part
    parts.append("</g>")
    return "".join(parts)


def _level(x: float, y: float, w: float, h: float, fill: float, color: str, rx: float) -> str:
    """The liquid in a tank: a rectangle from the bottom, ``fill`` of the height."""
    share = min(max(fill, 0.0), 1.0) if math.isfinite(fill) else 0.0
    top = y + h * (1 - share)
    return (
        f'<rect class="level" data-x="{x:.1f}" data-y="{y:.1f}" data-h="{h:.1f}" '
        f'x="{x:.1f}" y="{top:.1f}" width="{w:.1f}" height="{h * share:.1f}" rx="{rx}" '
        f'fill="{color}" opacity="0.8"/>'
    )


def _buffer(node: Node, place: Placed, overlay: Overlay | None, prefix: str) -> str:
    tw, th = _TANK
    x0, y0 = place.x - tw / 2, place.y - place.height / 2 + 2
    fill = overlay.fill.get(node.name, math.nan) if overlay else math.nan
    level = overlay.level.get(node.name, math.nan) if overlay else math.nan
    capacity = "unlimited" if node.capacity is None else f"≤ {_number(node.capacity)} {node.unit}"
    parts = [
        f'<g class="buffer" id="{prefix}bf-{_slug(node.name)}" data-material="{_e(node.name)}">',
        f"<title>{_e(node.name)}: {_e(capacity)}</title>",
        f'<rect x="{x0:.1f}" y="{y0:.1f}" width="{tw}" height="{th}" rx="4" fill="#fbfbfb" '
        'stroke="#5b7fa6" stroke-width="1.2"/>',
        _level(x0 + 2, y0 + 2, tw - 4, th - 4, fill, "#5b9bd5", 2),
        _text(place.x, y0 + th + 12, _fit(node.name, place.width, 9.5), 9.5),
        _text(place.x, y0 + th + 24, capacity, 9, "#555"),
    ]
    if math.isfinite(fill):
        parts.append(_text(place.x, y0 + th / 2 + 4, f"{fill:.0%}", 10, bold=True, cls="pct"))
    elif math.isfinite(level):
        parts.append(_text(place.x, y0 + th / 2 + 4, _number(level), 9, bold=True, cls="pct"))
    elif node.capacity is not None:  # room for the replay's percentage
        parts.append(_text(place.x, y0 + th / 2 + 4, "", 10, bold=True, cls="pct"))
    parts.append("</g>")
    return "\n".join(parts)


def _finished(node: Node, place: Placed, overlay: Overlay | None) -> str:
    x0, y0 = place.x - place.width / 2, place.y - place.height / 2
    parts = [
        f'<g class="finished" data-material="{_e(node.name)}">',
        f'<rect x="{x0:.1f}" y="{y0:.1f}" width="{place.width}" height="{place.height}" '
        'rx="25" fill="#eef7ee" stroke="#2e7d32" stroke-width="1.4"/>',
        _text(place.x, y0 + 20, _fit(node.name, place.width - 10, 12), 12, bold=True),
        _text(place.x, y0 + 36, overlay.output if overlay and overlay.output else "finished", 10),
        "</g>",
    ]
    return "\n".join(parts)


def _text(
    x: float,
    y: float,
    text: str,
    size: float,
    color: str = "#1a1a1a",
    bold: bool = False,
    cls: str = "",
) -> str:
    weight = ' font-weight="bold"' if bold else ""
    css = f' class="{cls}"' if cls else ""
    return (
        f'<text{css} x="{x:.1f}" y="{y:.1f}" font-size="{size}" fill="{color}" '
        f'text-anchor="middle"{weight}>{_e(text)}</text>'
    )


def _edges(graph: LineGraph, layout: Layout, prefix: str) -> str:
    parts = ['<g class="flows" fill="none" stroke="#6b6b6b" stroke-width="1.4">']
    for edge in graph.edges:
        points = layout.edges[(edge.source, edge.target)]
        d = "M" + " L".join(f"{x:.1f},{y:.1f}" for x, y in points)
        parts.append(
            f'<path d="{d}" marker-end="url(#{prefix}arrow)">'
            f"<title>{_e(edge.material)}</title></path>"
        )
        if edge.label:
            (x1, y1), (x2, y2) = points[-2], points[-1]
            x, y = (x1 + x2) / 2, (y1 + y2) / 2 - 4
            parts.append(
                f'<text x="{x:.1f}" y="{y:.1f}" font-size="9.5" fill="#7a3b00" stroke="none" '
                f'text-anchor="middle">{_e(edge.label)}</text>'
            )
    parts.append("</g>")
    return "\n".join(parts)


def _legend(y: float, states: bool) -> str:
    """The key of what a run adds: the buffer fill, and the state colours when the
    stations carry state bars (``states``)."""
    items = [(c, s.replace("_", " ")) for s, c in STATE_COLORS.items()] if states else []
    items.append(("#5b9bd5", "buffer fill (share of capacity)"))
    x = 20.0
    parts = [f'<g class="legend" font-size="10.5" transform="translate(0,{y:.1f})">']
    for color, label in items:
        parts.append(
            f'<rect x="{x:.1f}" y="0" width="12" height="12" fill="{color}"/>'
            f'<text x="{x + 16:.1f}" y="10" fill="#333">{_e(label)}</text>'
        )
        x += 24 + len(label) * 6.0
    parts.append("</g>")
    return "".join(parts)


def diagram_svg(
    line: Line,
    overlay: Overlay | None = None,
    max_width: float = 1560.0,
    prefix: str = "",
    title: str | None = None,
    run_legend: bool | None = None,
) -> str:
    """Return the SVG text of ``line``'s diagram, with run results when ``overlay`` is given.

    ``max_width`` is the widest row [px]; ``prefix`` starts every id, so that two diagrams
    can share a page; ``title`` replaces the default title. ``run_legend`` draws the key of
    the run's colours (buffer fill, and the states with an ``overlay``); by default only
    with an ``overlay``, so a drawing of the YAML alone shows nothing that needs a run. The
    replay, whose script fills the tanks from run data, asks for it.
    """
    graph = line_graph(line)
    sizes = {node_id: _SIZES.get(node.kind, _FINISHED) for node_id, node in graph.nodes.items()}
    layout = layered_layout(
        list(graph.nodes),
        [(e.source, e.target) for e in graph.edges],
        sizes,
        max_width=max_width,
    )
    width = max(layout.width, 600.0)
    legend = overlay is not None if run_legend is None else run_legend
    height = layout.height + _TITLE + (_LEGEND if legend else 12.0)
    machines = sum(1 for n in graph.nodes.values() if n.kind in ("machine", "delay"))
    if title is None:
        title = f"{line.name}: {machines} stations"
        if overlay is None:
            title += " (as written; ideal rate per machine)"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="line-diagram" width="{width:.0f}" '
        f'height="{height:.0f}" viewBox="0 0 {width:.0f} {height:.0f}" style="{_FONT}" '
        f'role="img" aria-label="{_e(title)}">',
        f'<defs><marker id="{prefix}arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
        'fill="#6b6b6b"/></marker></defs>',
        f'<rect width="{width:.0f}" height="{height:.0f}" fill="#ffffff"/>',
        _text(20, 28, title, 16, bold=True).replace('text-anchor="middle"', 'text-anchor="start"'),
        f'<g transform="translate(0,{_TITLE})">',
        _edges(graph, layout, prefix),
    ]
    for node_id, node in graph.nodes.items():
        place = layout.nodes[node_id]
        if node.kind in ("machine", "delay"):
            parts.append(_station(node, place, line.time_unit, overlay, prefix))
        elif node.kind == "buffer":
            parts.append(_buffer(node, place, overlay, prefix))
        else:
            parts.append(_finished(node, place, overlay))
    key = _legend(height - _LEGEND + 12, overlay is not None) if legend else ""
    parts += ["</g>", key, "</svg>"]
    return "\n".join(parts) + "\n"


def write_diagram(
    line: Line, folder: str | os.PathLike[str] = ".", overlay: Overlay | None = None
) -> Path:
    """Write ``<line name>.svg`` into ``folder`` and return its path."""
    path = writable_folder(folder, before="drawing") / f"{_slug(line.name)}.svg"
    write_text(path, diagram_svg(line, overlay))
    return path
