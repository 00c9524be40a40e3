"""The line as a graph to draw: stations, the buffers between them, and the material flows.

A general line gives one node per station, one per material buffer (a material made by one
station and taken by another), and one per finished material; a material soaked in a delay
(wetting, aging) has no buffer node of its own: the delay holds it. Raw materials (made by no
station) are not nodes; their station lists them. A serial line is a chain of input buffers
and stations ending in the finished jobs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from sim.model.line import Line
from sim.model.serial import as_general, entry_material
from sim.model.station import Station

__all__ = ["Edge", "LineGraph", "Node", "line_graph"]


NodeKind = Literal["machine", "delay", "buffer", "finished"]


@dataclass
class Node:
    """One box or tank of the diagram.

    ``capacity`` is a buffer's or delay's most units [its unit] (``None``: unlimited);
    ``raw`` the raw materials a station takes; ``station`` the station behind a machine or
    delay node.
    """

    id: str
    kind: NodeKind
    name: str
    unit: str = ""
    capacity: float | None = None
    raw: list[str] = field(default_factory=list)
    station: Station | None = None


@dataclass(frozen=True)
class Edge:
    """A material flow from ``source`` to ``target`` (node ids); ``label`` says how much a
    cycle takes or that a lot is split."""

    source: str
    target: str
    material: str
    label: str = ""


@dataclass
class LineGraph:
    """Nodes in flow order and the edges between them."""

    name: str
    nodes: dict[str, Node]
    edges: list[Edge]


def _quantity(value: float, unit: str) -> str:
    return f"{value:g} {unit}"


def line_graph(line: Line) -> LineGraph:
    """Return the graph of ``line`` in flow order (a serial line as its general twin, whose
    materials are the jobs waiting for each station)."""
    line = as_general(line)
    materials = line.materials or {}
    produced: dict[str, list[str]] = {}
    consumed: dict[str, list[str]] = {}
    for station in line.stations:
        produced.setdefault(station.output_material or "", []).append(station.name)
        for material in station.inputs or {}:
            consumed.setdefault(material, []).append(station.name)
    soaked = {
        next(iter(s.inputs or {})): s.name for s in line.stations if s.kind == "delay" and s.inputs
    }
    nodes: dict[str, Node] = {}
    entry = entry_material(line)
    released = line.release.policy == "conwip" or line.release.interarrival is not None
    if entry is not None and released:  # released work waits in its buffer: draw it
        spec = materials[entry]
        nodes[f"m:{entry}"] = Node(
            f"m:{entry}", "buffer", entry, unit=spec.unit, capacity=spec.buffer
        )
        produced[entry] = []
    for station in line.stations:
        raw = [m for m in station.inputs or {} if m not in produced]
        nodes[f"s:{station.name}"] = Node(
            f"s:{station.name}",
            "delay" if station.kind == "delay" else "machine",
            station.name,
            unit=materials[station.output_material or ""].unit,
            capacity=station.capacity,
            raw=raw,
            station=station,
        )
        material = station.output_material or ""
        if material in soaked or f"m:{material}" in nodes:
            continue
        spec = materials[material]
        kind: NodeKind = "buffer" if material in consumed else "finished"
        nodes[f"m:{material}"] = Node(
            f"m:{material}", kind, material, unit=spec.unit, capacity=spec.buffer
        )
    edges: list[Edge] = []
    for station in line.stations:
        material = station.output_material or ""
        split = f"split {station.split}" if station.split > 1 else ""
        target = f"s:{soaked[material]}" if material in soaked else f"m:{material}"
        edges.append(Edge(f"s:{station.name}", target, material, split))
        for name, quantity in (station.inputs or {}).items():
            if name not in produced or name in soaked:
                continue
            out = (station.output or {}).get(material, 1.0)
            plain = quantity == out or quantity * station.split == out  # 1:1, or slitting
            label = "" if plain else _quantity(quantity, materials[name].unit)
            edges.append(Edge(f"m:{name}", f"s:{station.name}", name, label))
    # A material made by several stations gets one edge from each; keep edges unique.
    unique = list(dict.fromkeys(edges))
    return LineGraph(line.name, nodes, unique)
