"""Properties of random small lines with a product mix: conservation by type, shares.

Serial lines of 1-3 stations (1-2 machines, constant or exponential times, scrap, some
batches and failures) make 1-3 types from a random release station on, in campaigns of
1-5 jobs with random changeovers and per-type scrap and speed, released by CONWIP or by
Poisson arrivals.
"""

from __future__ import annotations

import contextlib
import math
import warnings
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from sim.analysis.kpis import line_kpis
from sim.engine import simulate
from sim.engine._simpy import LineEnvironment
from sim.engine.buffer import Buffer
from sim.engine.build import LineBuild
from sim.engine.mix import TypeSink
from sim.model.line import Line
from sim.model.product_checks import typed_materials
from sim.model.serial import as_general

with warnings.catch_warnings(), contextlib.suppress(ImportError):
    warnings.simplefilter("ignore", DeprecationWarning)
    import hypothesis.extra._patching  # noqa: F401

FAST = settings(max_examples=60, deadline=None)
"""Each run takes a few ms to a few tens of ms."""

HORIZON = 200.0
"""Run length [h], from time 0 (no warm-up: every count starts empty)."""


@st.composite
def mix_lines(draw: st.DrawFn) -> Line:
    count = draw(st.integers(1, 3))
    stations: list[dict[str, Any]] = []
    for index in range(count):
        mean = draw(st.floats(0.2, 1.5))
        station: dict[str, Any] = {
            "name": f"s{index}",
            "machines": draw(st.integers(1, 2)),
            "process_time": draw(st.sampled_from([mean, {"dist": "exponential", "mean": mean}])),
            "scrap": draw(st.sampled_from([0.0, 0.0, 0.1, 0.25])),
        }
        if draw(st.booleans()) and index > 0:
            station["batch"] = {"size": draw(st.integers(2, 4)), "min": 1}
        if draw(st.booleans()):
            station["failures"] = {"mtbf": 20.0, "mttr": 2.0}
        stations.append(station)
    types = [f"t{i}" for i in range(draw(st.integers(1, 3)))]
    release_index = draw(st.integers(0, count - 1))
    typed = [s["name"] for s in stations[release_index:]]
    kinds: dict[str, Any] = {}
    for name in types:
        changes: dict[str, Any] = {}
        for station_name in typed:
            if draw(st.booleans()):
                changes[station_name] = {
                    "scrap": draw(st.sampled_from([0.0, 0.05, 0.3])),
                    "speed_factor": draw(st.sampled_from([0.5, 1.0, 2.0])),
                }
        kinds[name] = {"stations": changes}
    changeovers = {
        station_name: {
            a: {b: draw(st.sampled_from([0.0, 0.5, 2.0])) for b in types if b != a} for a in types
        }
        for station_name in typed
        if draw(st.booleans())
    }
    if draw(st.booleans()):
        release: dict[str, Any] = {"policy": "conwip", "wip": draw(st.integers(5, 20))}
    else:
        release = {"policy": "push", "interarrival": {"dist": "exponential", "mean": 1.0}}
    spec = {
        "name": "mix-property",
        "release": release,
        "stations": stations,
        "products": {
            "release_at": typed[0],
            "types": kinds,
            "sequence": {"lots": {name: draw(st.integers(1, 5)) for name in types}},
            "changeovers": changeovers,
        },
    }
    return Line.model_validate(spec, context={"time_unit": "h"})


@FAST
@given(mix_lines(), st.integers(0, 1000))
def test_released_is_made_plus_scrap_plus_wip_by_type(line: Line, seed: int) -> None:
    """For each type: released at the release station = good out + scrapped at the typed
    stations + in the line, where what waits in the typed buffers (seen) is a lower bound
    of what is in the line and at most one run per machine more is in process."""
    general = as_general(line)
    env = LineEnvironment()
    build = LineBuild(env, general, 10, HORIZON / 10, 0.0, seed, 0)
    env.run(until=HORIZON)
    assert general.products is not None
    names = general.products.names
    held = typed_materials(general, general.products.release_at)
    in_process = sum(s.machines * s.batch_max for s in general.stations)
    release = build.mixes[general.products.release_at].counts
    for index, name in enumerate(names):
        released = release.released[index]
        good = sum(s.units_by_type[index] for s in build.sinks.values() if isinstance(s, TypeSink))
        scrapped = sum(mix.counts.scrapped[index] for mix in build.mixes.values())
        seen = sum(
            lot.qty
            for material, buffer in build.buffers.items()
            if material in held and isinstance(buffer, Buffer)
            for lot in [*buffer.lots, *(lot for _, lot in buffer.putters)]
            if lot.product == index
        )
        wip = released - good - scrapped
        assert seen - 1e-6 <= wip <= seen + in_process + 1e-6, (name, released, good, scrapped)


@FAST
@given(mix_lines(), st.integers(0, 1000))
def test_shares_by_type_lie_in_unit_interval(line: Line, seed: int) -> None:
    """Type shares of output sum to 1 (when anything was made); yields, shares and
    changeover shares lie in [0, 1]; changeover time is part of the setup state."""
    result = simulate(line, HORIZON, 20.0, seed)
    kpis = line_kpis(result, line)
    assert line.products is not None
    shares = [kpis[f"product.{name}.share"] for name in line.products.names]
    if not any(math.isnan(share) for share in shares):
        assert math.isclose(sum(shares), 1.0, rel_tol=1e-9)
    for name, value in kpis.items():
        if name.endswith((".share", ".yield")) and not math.isnan(value):
            assert -1e-12 <= value <= 1 + 1e-12, name
    assert result.products is not None
    for station, typed in result.products.stations.items():
        if station in line.products.changeovers:
            setup = result.stations[station].state_time["setup"]
            assert typed.changeover_time <= setup * (1 + 1e-9) + 1e-9
