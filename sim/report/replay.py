"""Animated replay of a run in ``report.html``: the line diagram over the measured window.

It replays the binned data every run keeps (``timeseries.csv``: good output per bin;
``materials.csv``: each buffer's and delay's mean level per bin; ``station_states.csv``:
each machine station's share of machine time per state per bin), averaged over the
replications: tanks fill and empty, a clock and the cumulative good output count up, each
machine station takes the colour of its dominant state in the bin (the colours of the rest
of the report) and a small bar in its box shows the shares of all its states (hover for the
figures). A results folder written before the engine recorded states per bin has no
``station_states.csv``; there the state is read from the station's buffers as before:
*starved* when an input buffer held less than half a run's worth on average, *blocked* when
its output buffer or delay was nearly full, *working* otherwise, and the page says so. A run
keeps 200 bins whatever its length, so the page's replay data stay the same size for a day
or a year.

The script is written here and inlined in the page (no library, no network).
"""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np

from sim.engine.monitor import STATES
from sim.figures import plural
from sim.model.line import Line
from sim.report.colors import STATE_COLORS
from sim.report.diagram import diagram_svg
from sim.report.run_data import RunData

__all__ = ["REPLAY_JS", "replay_data", "replay_html"]

WORKING, STARVED, BLOCKED = 0, 1, 2
_DERIVED_NAMES = (
    "working",
    "starved (an input buffer nearly empty)",
    "blocked (output nearly full)",
)
_DERIVED_COLORS = (STATE_COLORS["busy"], STATE_COLORS["idle"], STATE_COLORS["blocked"])
"""States read from the buffers, for a results folder without ``station_states.csv``."""

_RECORDED_NAMES = tuple(
    {"idle": "idle (starved)", "minor_stop": "minor stop", "off_shift": "off shift"}.get(s, s)
    for s in STATES
)
_RECORDED_COLORS = tuple(STATE_COLORS[state] for state in STATES)


def _round(values: np.ndarray | list[float], digits: int = 4) -> list[float | None]:
    """Numbers with ``digits`` significant digits (None for NaN), to keep the page small."""
    out: list[float | None] = []
    for value in np.asarray(values, dtype=float):
        out.append(None if not math.isfinite(value) else float(f"{value:.{digits}g}"))
    return out


def _holders(line: Line) -> dict[str, tuple[str, float]]:
    """material -> (where it is drawn: 'buffer' or the delay station's name, capacity)."""
    holders: dict[str, tuple[str, float]] = {}
    for station in line.stations:
        if station.kind == "delay" and station.inputs:
            material = next(iter(station.inputs))
            cap = math.inf if station.capacity is None else station.capacity
            holders[material] = (station.name, cap)
    for name, spec in (line.materials or {}).items():
        if name not in holders:
            holders[name] = ("", math.inf if spec.buffer is None else spec.buffer)
    return holders


def _station_states(line: Line, levels: dict[str, np.ndarray], bins: int) -> dict[str, list[int]]:
    """Each machine station's state per bin, read from its buffers' mean levels."""
    holders = _holders(line)
    made = {s.output_material for s in line.stations}
    states: dict[str, list[int]] = {}
    for station in line.stations:
        if station.kind == "delay":
            continue
        state = np.full(bins, WORKING)
        run = station.batch_min
        for material, quantity in (station.inputs or {}).items():
            if material not in made or material not in levels:
                continue  # raw materials are never short
            state[levels[material] < 0.5 * run * quantity] = STARVED
        out = station.output_material or ""
        capacity = holders.get(out, ("", math.inf))[1]
        if out in levels and math.isfinite(capacity):
            per_cycle = (station.output or {}).get(out, 1.0)
            room = capacity - station.lot * per_cycle
            full = levels[out] >= max(0.97 * capacity, room)
            state[full & (state == WORKING)] = BLOCKED
        states[station.name] = [int(s) for s in state]
    return states


def _recorded_states(
    data: RunData, line: Line, bins: int
) -> tuple[dict[str, list[int]], dict[str, dict[str, list[int]]]]:
    """Each machine station's dominant state per bin (index of :data:`STATES`) and the
    share of each state it had [%, whole numbers], means of the replications; states that
    never reach 0.5 % at a station are left out of its shares."""
    dominant: dict[str, list[int]] = {}
    shares: dict[str, dict[str, list[int]]] = {}
    for station in line.stations:
        recorded = data.station_states.get(station.name)
        if station.kind == "delay" or recorded is None:
            continue
        with np.errstate(invalid="ignore"):
            mean = np.nan_to_num(np.nanmean(recorded, axis=0)[:bins])
        dominant[station.name] = [int(i) for i in np.argmax(mean, axis=1)]
        percent = np.rint(mean * 100).astype(int)
        shares[station.name] = {
            str(index): [int(p) for p in percent[:, index]]
            for index in range(len(STATES))
            if percent[:, index].max() > 0  # a state under 0.5 % throughout is left out
        }
    return dominant, shares


def replay_data(data: RunData, line: Line) -> dict[str, Any]:
    """The replay's data: bin edges, cumulative good output, levels and station states."""
    series = data.timeseries
    if series.empty:
        return {}
    edges = np.concatenate([series.start[:1], series.end])
    counts = np.nanmean(series.throughput * series.width, axis=0)
    cumulative = np.concatenate([[0.0], np.cumsum(np.nan_to_num(counts))])
    bins = len(series.start)
    holders = _holders(line)
    levels: dict[str, np.ndarray] = {}
    materials: dict[str, Any] = {}
    for name, material in data.materials.items():
        level = np.nanmean(material.wip, axis=0)[:bins]
        levels[name] = level
        holder, capacity = holders.get(name, ("", math.inf))
        materials[name] = {
            "unit": material.unit,
            "delay": holder,
            "capacity": capacity if math.isfinite(capacity) else None,
            "level": _round(level),
        }
    consumed = {m for s in line.stations for m in s.inputs or {}}
    finished = [m for m in line.materials or {} if m not in consumed]
    output = finished[0] if finished else ""
    unit = (line.materials or {}).get(output)
    values: dict[str, Any] = {
        "timeUnit": data.time_unit,
        "hoursPerUnit": {"s": 1 / 3600, "min": 1 / 60, "h": 1.0, "d": 24.0}.get(
            data.time_unit, 1.0
        ),
        "edges": _round(edges, 7),
        "cumulative": _round(cumulative, 6),
        "output": "" if unit is None or unit.unit in ("jobs", "job") else output,
        "outputUnit": unit.unit if unit is not None else "jobs",
        "materials": materials,
        "replications": len(series.replications),
    }
    if data.station_states:
        states, shares = _recorded_states(data, line, bins)
        values.update(
            states=states,
            shares=shares,
            stateNames=list(_RECORDED_NAMES),
            stateColors=list(_RECORDED_COLORS),
            recorded=True,
        )
    else:
        values.update(
            states=_station_states(line, levels, bins),
            stateNames=list(_DERIVED_NAMES),
            stateColors=list(_DERIVED_COLORS),
            recorded=False,
        )
    return values


REPLAY_JS = r"""
(function () {
  "use strict";
  var root = document.getElementById("replay");
  var data = JSON.parse(document.getElementById("replay-data").textContent);
  var svg = root.querySelector("svg");
  var slider = root.querySelector("input.slider");
  var playButton = root.querySelector("button.play");
  var speedSelect = root.querySelector("select.speed");
  var clock = root.querySelector(".clock");
  var counter = root.querySelector(".output");
  var SVG = "http://www.w3.org/2000/svg";
  var bins = data.edges.length - 1;
  var index = 0, playing = false, last = null, carry = 0;
  var stations = {}, buffers = {};
  svg.querySelectorAll("g.station").forEach(function (g) { stations[g.dataset.station] = g; });
  svg.querySelectorAll("g.buffer").forEach(function (g) { buffers[g.dataset.material] = g; });
  slider.max = String(bins - 1);

  function number(value) {
    if (value === 0) { return "0"; }
    return value >= 100 ? Math.round(value).toLocaleString("en-US") : value.toPrecision(3);
  }
  function setLevel(g, share) {
    if (!g) { return; }
    var rect = g.querySelector("rect.level");
    if (!rect) { return; }
    var y = parseFloat(rect.dataset.y), h = parseFloat(rect.dataset.h);
    share = Math.max(0, Math.min(1, share));
    rect.setAttribute("y", String(y + h * (1 - share)));
    rect.setAttribute("height", String(h * share));
    var pct = g.querySelector("text.pct");
    if (pct) { pct.textContent = Math.round(share * 100) + " %"; }
  }
  function show(i) {
    index = Math.max(0, Math.min(bins - 1, i));
    slider.value = String(index);
    var end = data.edges[index + 1], start = data.edges[0];
    var hours = (end - start) * data.hoursPerUnit;
    clock.textContent = "day " + (hours / 24).toFixed(1) + " of the window (t = " +
      number(end) + " " + data.timeUnit + ")";
    counter.textContent = "good output: " + number(data.cumulative[index + 1]) + " " +
      data.outputUnit + (data.output ? " of " + data.output : "");
    Object.keys(data.materials).forEach(function (name) {
      var m = data.materials[name], level = m.level[index];
      if (level === null || m.capacity === null) { return; }
      var g = m.delay ? stations[m.delay] : buffers[name];
      setLevel(g, level / m.capacity);
    });
    Object.keys(data.states).forEach(function (name) {
      var g = stations[name];
      if (!g) { return; }
      var state = data.states[name][index];
      var box = g.querySelector("rect.box");
      box.setAttribute("fill", data.stateColors[state]);
      box.setAttribute("fill-opacity", "0.35");
      var label = data.stateNames[state];
      if (data.shares && data.shares[name]) {
        label += " " + data.shares[name][String(state)][index] + " %";
        drawShares(g, box, data.shares[name], index);
      }
      g.dataset.state = label;
      var title = g.querySelector("title");
      if (title) { title.textContent = name + ": " + label; }
    });
  }
  // A stacked bar of the bin's state shares at the foot of a station's box.
  function drawShares(g, box, shares, i) {
    var bar = g.querySelector("g.replay-states");
    var keys = Object.keys(shares);
    if (!bar) {
      bar = document.createElementNS(SVG, "g");
      bar.setAttribute("class", "replay-states");
      bar.dataset.x = String(parseFloat(box.getAttribute("x")) + 6);
      bar.dataset.w = String(parseFloat(box.getAttribute("width")) - 12);
      var y = parseFloat(box.getAttribute("y")) + parseFloat(box.getAttribute("height")) - 22;
      var back = document.createElementNS(SVG, "rect");
      back.setAttribute("x", bar.dataset.x); back.setAttribute("y", String(y));
      back.setAttribute("width", bar.dataset.w); back.setAttribute("height", "12");
      back.setAttribute("fill", "#f4f4f4");
      bar.appendChild(back);
      keys.forEach(function (key) {
        var rect = document.createElementNS(SVG, "rect");
        rect.setAttribute("class", "share");
        rect.dataset.state = key;
        rect.setAttribute("y", String(y)); rect.setAttribute("height", "12");
        rect.setAttribute("fill", data.stateColors[parseInt(key, 10)]);
        rect.appendChild(document.createElementNS(SVG, "title"));
        bar.appendChild(rect);
      });
      g.appendChild(bar);
    }
    var left = parseFloat(bar.dataset.x), width = parseFloat(bar.dataset.w);
    bar.querySelectorAll("rect.share").forEach(function (rect) {
      var share = shares[rect.dataset.state][i];
      var part = width * Math.max(0, Math.min(100, share)) / 100;
      rect.setAttribute("x", String(left));
      rect.setAttribute("width", String(part));
      rect.firstChild.textContent = data.stateNames[parseInt(rect.dataset.state, 10)] +
        " " + share + " %";
      left += part;
    });
  }
  function frame(now) {
    if (!playing) { return; }
    if (last !== null) {
      carry += (now - last) / 1000 * parseFloat(speedSelect.value);
      var step = Math.floor(carry);
      if (step > 0) {
        carry -= step;
        if (index + step >= bins - 1) { show(bins - 1); pause(); return; }
        show(index + step);
      }
    }
    last = now;
    window.requestAnimationFrame(frame);
  }
  function play() {
    if (index >= bins - 1) { show(0); }
    playing = true; last = null; carry = 0;
    playButton.textContent = "pause";
    window.requestAnimationFrame(frame);
  }
  function pause() { playing = false; playButton.textContent = "play"; }
  playButton.addEventListener("click", function () { if (playing) { pause(); } else { play(); } });
  slider.addEventListener("input", function () { pause(); show(parseInt(slider.value, 10)); });
  show(0);
})();
"""


def replay_html(data: RunData, line: Line) -> str:
    """The replay section: controls, the animated diagram, its data and script
    (``templates/replay.html.j2``)."""
    values = replay_data(data, line)
    if not values:
        return "<p>No time series in this results folder: nothing to replay.</p>"
    from sim.report.templating import render

    return render(
        "replay.html.j2",
        keys=list(zip(values["stateNames"], values["stateColors"], strict=True)),
        diagram=diagram_svg(line, prefix="replay-", title=f"{line.name}: replay", run_legend=True),
        data=json.dumps(values, separators=(",", ":")).replace("</", "<\\/"),
        script=REPLAY_JS,
        replications=plural(values["replications"], "replication"),
        bins=str(len(values["edges"]) - 1),
        recorded=bool(values["recorded"]),
    )
