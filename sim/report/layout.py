"""A layered (Sugiyama-style) layout of a directed acyclic graph, wrapped into rows.

Steps: layers by longest path from the sources; a dummy node on every layer an edge
crosses; the order inside each layer by alternating barycentre sweeps (fewer crossings);
then coordinates. A long line (the reference line has 34 layers of stations and buffers)
does not fit one row, so the layers are laid left to right and wrapped into rows of at most
``max_width`` like text; an edge into the next row runs down the gap between the rows.
Pure Python, no Graphviz: it runs wherever linesim installs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise

__all__ = ["Layout", "Placed", "layered_layout"]


@dataclass(frozen=True)
class Placed:
    """A node's box: centre (``x``, ``y``), ``width`` and ``height`` [px]; ``layer``, ``row``."""

    x: float
    y: float
    width: float
    height: float
    layer: int
    row: int


@dataclass
class Layout:
    """Positions of the nodes and the polyline of each edge (a list of points) [px]."""

    nodes: dict[str, Placed]
    edges: dict[tuple[str, str], list[tuple[float, float]]] = field(default_factory=dict)
    width: float = 0.0
    height: float = 0.0


def _layers(nodes: Sequence[str], edges: Sequence[tuple[str, str]]) -> dict[str, int]:
    """Longest path from a source, in topological order (Kahn); the graph must be acyclic."""
    incoming: dict[str, list[str]] = {n: [] for n in nodes}
    outgoing: dict[str, list[str]] = {n: [] for n in nodes}
    for source, target in edges:
        incoming[target].append(source)
        outgoing[source].append(target)
    waiting = {n: len(incoming[n]) for n in nodes}
    ready = [n for n in nodes if waiting[n] == 0]
    layer: dict[str, int] = {}
    while ready:
        node = ready.pop(0)
        layer[node] = max((layer[p] + 1 for p in incoming[node]), default=0)
        for nxt in outgoing[node]:
            waiting[nxt] -= 1
            if waiting[nxt] == 0:
                ready.append(nxt)
    if len(layer) != len(nodes):
        raise ValueError("the graph has a cycle; a layered layout needs an acyclic graph")
    return layer


def _order(
    layers: list[list[str]], edges: Sequence[tuple[str, str]], sweeps: int = 6
) -> list[list[str]]:
    """Reorder each layer by the barycentre of its neighbours, sweeping down and up."""
    up: dict[str, list[str]] = {}
    down: dict[str, list[str]] = {}
    for source, target in edges:
        down.setdefault(source, []).append(target)
        up.setdefault(target, []).append(source)
    order = [list(layer) for layer in layers]
    for sweep in range(sweeps):
        forward = sweep % 2 == 0
        indices = range(1, len(order)) if forward else range(len(order) - 2, -1, -1)
        for index in indices:
            fixed = order[index - 1] if forward else order[index + 1]
            position = {n: i for i, n in enumerate(fixed)}
            neighbours = up if forward else down
            current = order[index]

            def key(
                node: str,
                current: list[str] = current,
                position: dict[str, int] = position,
                neighbours: dict[str, list[str]] = neighbours,
            ) -> float:
                near = [position[n] for n in neighbours.get(node, []) if n in position]
                return sum(near) / len(near) if near else float(current.index(node))

            order[index] = sorted(current, key=key)  # stable: ties keep file order
    return order


def layered_layout(
    nodes: Sequence[str],
    edges: Sequence[tuple[str, str]],
    sizes: Mapping[str, tuple[float, float]],
    max_width: float = 1500.0,
    layer_gap: float = 34.0,
    node_gap: float = 26.0,
    row_gap: float = 70.0,
    margin: float = 28.0,
) -> Layout:
    """Lay out a directed acyclic graph left to right in layers, wrapped into rows.

    ``sizes`` gives each node's (width, height) [px]; gaps and ``max_width`` are in px. An
    edge is a polyline from the right side of its source to the left side of its target.
    """
    layer_of = _layers(nodes, edges)
    count = max(layer_of.values(), default=-1) + 1
    layers: list[list[str]] = [[] for _ in range(count)]
    for node in nodes:
        layers[layer_of[node]].append(node)
    # Dummy nodes on the layers a long edge crosses, so the ordering keeps it straight.
    chains: dict[tuple[str, str], list[str]] = {}
    proper: list[tuple[str, str]] = []
    for source, target in edges:
        chain = [source]
        for layer in range(layer_of[source] + 1, layer_of[target]):
            dummy = f"\0{source}\0{target}\0{layer}"
            layers[layer].append(dummy)
            chain.append(dummy)
        chain.append(target)
        chains[(source, target)] = chain
        proper += list(pairwise(chain))
    order = _order(layers, proper)

    def size(node: str) -> tuple[float, float]:
        return sizes.get(node, (0.0, 0.0)) if not node.startswith("\0") else (0.0, 0.0)

    widths = [max((size(n)[0] for n in layer), default=0.0) for layer in order]
    # Wrap the layers into rows like words into lines.
    rows: list[list[int]] = [[]]
    used = 0.0
    for index, width in enumerate(widths):
        need = width + (layer_gap if rows[-1] else 0.0)
        if rows[-1] and used + need > max_width - 2 * margin:
            rows.append([])
            used, need = 0.0, width
        rows[-1].append(index)
        used += need
    placed: dict[str, Placed] = {}
    top = margin
    total_width = 0.0
    for row_index, row in enumerate(rows):
        heights = {
            index: sum(size(n)[1] + node_gap for n in order[index]) - node_gap for index in row
        }
        band = max(heights.values(), default=0.0)
        x = margin
        for index in row:
            y = top + (band - heights[index]) / 2
            for node in order[index]:
                width, height = size(node)
                placed[node] = Placed(
                    x + widths[index] / 2, y + height / 2, width, height, index, row_index
                )
                y += height + node_gap
            x += widths[index] + layer_gap
        total_width = max(total_width, x - layer_gap + margin)
        top += band + row_gap
    layout = Layout(
        {n: p for n, p in placed.items() if not n.startswith("\0")},
        width=total_width,
        height=top - row_gap + margin,
    )
    row_tops: dict[int, float] = {}
    for p in placed.values():
        row_tops[p.row] = min(row_tops.get(p.row, p.y - p.height / 2), p.y - p.height / 2)
    # Edges into the same row share its gap: nest them so that they never cross (the
    # upper one turns down furthest right, runs lowest in the gap and turns in furthest right).
    wraps: dict[int, list[tuple[float, str]]] = {}
    for chain in chains.values():
        for previous, node in pairwise(chain):
            if placed[node].row != placed[previous].row:
                wraps.setdefault(placed[node].row, []).append((placed[previous].y, previous))
    lanes = {}
    for items in wraps.values():
        items.sort()
        for index, (_, node) in enumerate(items):
            lanes[node] = (index, len(items))
    for key, chain in chains.items():
        layout.edges[key] = _route(chain, placed, row_tops, row_gap, layer_gap, lanes)
    return layout


def _route(
    chain: list[str],
    placed: Mapping[str, Placed],
    row_tops: Mapping[int, float],
    row_gap: float,
    layer_gap: float,
    lanes: Mapping[str, tuple[int, int]],
) -> list[tuple[float, float]]:
    """The polyline of an edge through its dummy nodes; a step into the next row goes right,
    down into the gap above that row, back left and into the node from the left."""
    first = placed[chain[0]]
    points = [(first.x + first.width / 2, first.y)]
    for previous, node in pairwise(chain):
        before, after = placed[previous], placed[node]
        if after.row != before.row:
            lane, lanes_in_gap = lanes[previous]
            step = min(8.0, row_gap / (lanes_in_gap + 1), layer_gap / (lanes_in_gap + 1))
            out_x = points[-1][0] + layer_gap / 2 + (lanes_in_gap - 1 - lane) * step / 2
            gap_y = row_tops[after.row] - row_gap / 2 + ((lanes_in_gap - 1) / 2 - lane) * step
            in_x = after.x - after.width / 2 - layer_gap / 2 - lane * step / 2
            points += [(out_x, points[-1][1]), (out_x, gap_y), (in_x, gap_y), (in_x, after.y)]
        if node.startswith("\0"):
            points.append((after.x, after.y))
        else:
            points.append((after.x - after.width / 2, after.y))
    return points
