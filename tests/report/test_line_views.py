"""The line views: layered layout, SVG diagram, ``linesim draw``, capacity table, material
balance (it adds up, and agrees with the line monitor), saved line and replay data."""

from __future__ import annotations

import json
import math
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from sim.cli import main
from sim.engine.replication import simulate
from sim.model import load_line
from sim.model.line import Line, Target
from sim.report.balance import material_balance
from sim.report.capacity import capacity_table, finished_target_rate, target_rate
from sim.report.colors import STATE_COLORS
from sim.report.diagram import diagram_svg
from sim.report.layout import layered_layout
from sim.report.line_files import load_line_file, station_counts, write_line_files
from sim.report.line_graph import line_graph

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT / "configs" / "prismatic_lfp_300mah.yaml"
CONFIGS = sorted(p for p in (ROOT / "configs").glob("*.yaml") if not p.name.startswith("levers"))
SVG = "{http://www.w3.org/2000/svg}"


def test_state_colours_match_the_plots() -> None:
    """The diagram's state colours are the plots' (kept apart to avoid matplotlib)."""
    from sim.report.plot_style import STATE_COLORS as PLOT_COLORS

    assert STATE_COLORS == PLOT_COLORS


@pytest.mark.parametrize("path", CONFIGS, ids=lambda p: p.stem)
def test_layout_keeps_layers_in_flow_order_and_boxes_apart(path: Path) -> None:
    """Every edge runs to a later layer; no two boxes overlap; rows stay within the width."""
    graph = line_graph(load_line(path))
    sizes = {n: (120.0, 60.0) for n in graph.nodes}
    edges = [(e.source, e.target) for e in graph.edges]
    layout = layered_layout(list(graph.nodes), edges, sizes, max_width=900)
    placed = layout.nodes
    assert set(placed) == set(graph.nodes)
    for source, target in edges:
        assert placed[target].layer > placed[source].layer
        points = layout.edges[(source, target)]
        assert points[0][0] == pytest.approx(placed[source].x + 60)
        assert points[-1] == pytest.approx((placed[target].x - 60, placed[target].y))
    boxes = list(placed.values())
    for i, a in enumerate(boxes):
        assert a.x + a.width / 2 <= 900 + 1e-9
        for b in boxes[i + 1 :]:
            apart_x = abs(a.x - b.x) >= (a.width + b.width) / 2
            apart_y = abs(a.y - b.y) >= (a.height + b.height) / 2
            assert apart_x or apart_y


def test_layout_refuses_a_cycle() -> None:
    with pytest.raises(ValueError, match="cycle"):
        layered_layout(["a", "b"], [("a", "b"), ("b", "a")], {})


def test_reference_diagram_has_one_element_per_station_and_buffer() -> None:
    """The SVG is well-formed XML: one station group per station, one tank per buffer."""
    line = load_line(REFERENCE)
    root = ET.fromstring(diagram_svg(line))
    groups = root.iter(f"{SVG}g")
    stations = [g.get("data-station") for g in groups if g.get("class") == "station"]
    assert stations == [s.name for s in line.stations]
    buffers = {g.get("data-material") for g in root.iter(f"{SVG}g") if g.get("class") == "buffer"}
    materials = line.materials or {}
    soaked = {next(iter(s.inputs or {})) for s in line.stations if s.kind == "delay"}
    made = {s.output_material for s in line.stations}
    taken = {m for s in line.stations for m in s.inputs or {}}
    assert buffers == {m for m in materials if m in made and m in taken and m not in soaked}
    # merge: winding takes both electrodes; split: slitting cuts into lanes
    svg = diagram_svg(line)
    assert "split 4" in svg and "3 m" in svg and "12 pcs" in svg


def test_draw_writes_the_svg_and_refuses_a_bad_file(tmp_path: Path) -> None:
    assert main(["draw", str(REFERENCE), "--out", str(tmp_path)]) == 0
    path = tmp_path / "prismatic-lfp-300mah.svg"
    ET.fromstring(path.read_text(encoding="utf-8"))
    # a scenario draws its line (with its levers and overrides applied)
    assert main(["draw", str(ROOT / "scenarios" / "baseline.yaml"), "--out", str(tmp_path)]) == 0
    assert (tmp_path / "prismatic-lfp-300mah.svg").read_text(encoding="utf-8") == path.read_text(
        encoding="utf-8"
    )
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nstations: []\n", encoding="utf-8")
    assert main(["draw", str(bad), "--out", str(tmp_path)]) == 2


def test_target_takes_exactly_one_figure() -> None:
    with pytest.raises(ValidationError, match="exactly one"):
        Target(ah_per_year=1.0, throughput=1.0)
    with pytest.raises(ValidationError, match="exactly one"):
        Target()
    penny = load_line(ROOT / "configs" / "penny_fab.yaml").model_dump(by_alias=True)
    penny["target"] = {"ah_per_year": 1e6}
    with pytest.raises(ValidationError, match="needs product"):
        Line.model_validate(penny)


def test_capacity_carries_the_target_back_to_each_station() -> None:
    """The target counts good cells of every grade: grading must give target / Ah per cell
    / hours a year of them, of which sorting (no losses) gets the A share that goes on;
    module assembly makes 1 of 12 of those, less its scrap; load = needed / capacity."""
    line = load_line(REFERENCE)
    assert line.target is not None and line.product is not None
    cells_per_hour = 3.0e8 / 50 / (330 * 24)
    assert target_rate(line) == ("cell-sorted", pytest.approx(cells_per_hour))
    rows = {row.station: row for row in capacity_table(line)}
    coating, sorting_in = line.station("cathode-coating"), line.station("grading")
    assert sorting_in.grades is not None and sorting_in.grades.on == (True, False, False)
    shares = sorting_in.grades.shares()  # A, B, C, rejected
    a_cells = cells_per_hour * shares[0] / sum(shares[:3])
    assert rows["sorting"].needed == pytest.approx(a_cells)
    assert rows["module-assembly"].needed == pytest.approx(a_cells / 12)
    assert finished_target_rate(line) == pytest.approx(a_cells / 12 * (1 - 0.001))
    # grading finds the cathode coating's hidden defects, scraps its own share and
    # rejects cells below the lowest grade
    assert coating.defects is not None and coating.defects.found_at == "grading"
    kept = (1 - coating.defects.rate) * (1 - sorting_in.scrap) * sum(shares[:3])
    grading = cells_per_hour / kept
    assert rows["grading"].needed == pytest.approx(grading)
    formation = rows["formation"]
    spec = line.station("formation")
    assert spec.batch is not None
    ideal = spec.machines * spec.batch.size / 20  # racks x cells per rack / 20 h [cells / h]
    assert formation.rate_per_machine * formation.machines == pytest.approx(ideal)
    assert formation.load == pytest.approx(formation.needed / formation.capacity)
    assert max(rows.values(), key=lambda r: r.load).station == "formation"


def test_serial_capacity_with_a_throughput_target() -> None:
    data = load_line(ROOT / "configs" / "penny_fab.yaml").model_dump(by_alias=True)
    data["target"] = {"throughput": 0.4}
    line = Line.model_validate(data)
    for row in capacity_table(line):
        assert row.needed == pytest.approx(0.4)  # no scrap: every station gives the target
        assert row.capacity == pytest.approx(0.5)  # 2 machines x 1 / 4 h (Penny Fab)


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize(
    "config", ["penny_fab.yaml", "cell_assembly_serial.yaml"], ids=lambda c: c[:-5]
)
def test_serial_balance_agrees_with_the_line_monitor(config: str, seed: int) -> None:
    """The WIP changes of all queues add up to the monitor's own WIP at end - at start."""
    line = load_line(ROOT / "configs" / config)
    result = simulate(line, 400.0, 50.0, seed=seed)
    rows = material_balance(line, station_counts(result), result.released)
    assert sum(r.wip_change for r in rows) == pytest.approx(result.wip_end - result.wip_start)
    assert rows[-1].taken == pytest.approx(result.good)
    assert sum(r.scrapped + r.found_late for r in rows) == pytest.approx(result.scrapped)
    for row in rows:
        assert row.residual == pytest.approx(0.0, abs=1e-9)


@pytest.fixture(scope="module")
def reference_from_empty() -> tuple[Line, object]:
    """Twenty days of the reference line from an empty line (no warm-up)."""
    line = load_line(REFERENCE)
    return line, simulate(line, 20 * 24.0, 0.0, seed=11)


def test_general_balance_adds_up_within_what_the_line_can_hold(
    reference_from_empty: tuple[Line, object],
) -> None:
    """From an empty line, each material's WIP change is what it holds at the end: at least
    zero and at most its buffer (or delay) + what its consumers hold in process + the lots
    its makers hold while blocked (a whole batch at most). Finished material has none; the
    columns add up."""
    line, result = reference_from_empty
    counts = station_counts(result)  # type: ignore[arg-type]
    rows = {row.material: row for row in material_balance(line, counts)}
    materials = line.materials or {}
    assert set(rows) == {s.output_material for s in line.stations}
    for name, row in rows.items():
        assert row.residual == pytest.approx(0.0, abs=1e-6 * max(row.made, 1.0))
        consumers = [s for s in line.stations if name in (s.inputs or {})]
        makers = [s for s in line.stations if s.output_material == name]
        if not consumers:
            assert row.wip_change == pytest.approx(0.0)
            continue
        hold = sum(
            s.capacity or 0.0 if s.kind == "delay" else s.machines * s.batch_max * s.inputs[name]  # type: ignore[index]
            for s in consumers
        )
        blocked = sum(m.machines * m.batch_max * (m.output or {})[name] for m in makers)
        room = (materials[name].buffer or 0.0) + hold + blocked
        assert -1e-6 <= row.wip_change <= room + 1e-6, name
        assert row.made > 0, name


def test_balance_finds_late_defects_where_the_inspection_is(
    reference_from_empty: tuple[Line, object],
) -> None:
    line, result = reference_from_empty
    rows = {r.material: r for r in material_balance(line, station_counts(result))}  # type: ignore[arg-type]
    assert rows["cell-core"].found_late > 0  # X-ray finds the anode coating's defects
    assert rows["cell-sealed"].found_late > 0  # the leak test finds weak welds
    assert rows["jelly-roll"].found_late == 0


@pytest.mark.parametrize("path", CONFIGS, ids=lambda p: p.stem)
def test_saved_line_reads_back_equal(path: Path, tmp_path: Path) -> None:
    line = load_line(path)
    result = simulate(line, 10.0 if line.materials and not line.written_serial else 100.0)
    written = write_line_files(line, [result], tmp_path)
    assert [p.name for p in written] == ["line.json", "flows.csv"]
    read = load_line_file(tmp_path)
    assert read is not None and read.model_dump() == line.model_dump()
    assert json.loads((tmp_path / "line.json").read_text())["name"] == line.name
    assert load_line_file(tmp_path / "missing") is None
    assert not math.isnan(station_counts(result)[line.stations[0].name]["cycles"])


def test_report_of_a_folder_without_line_json_has_no_line_views(results: Path) -> None:
    """An older results folder (no line.json) still gives a report, without the line views."""
    from sim.report.html import write_report

    (results / "line.json").unlink()
    (results / "flows.csv").unlink()
    summary = json.loads((results / "summary.json").read_text(encoding="utf-8"))
    summary.pop("files", None)  # older runs did not list their files
    (results / "summary.json").write_text(json.dumps(summary), encoding="utf-8")
    text = write_report(results).read_text(encoding="utf-8")
    assert "<h2>Stations</h2>" in text and "<h2>The line</h2>" not in text


def test_report_shows_the_line_views_and_the_target(results: Path) -> None:
    """Penny Fab's report holds the diagram, tables and replay; without a target the
    capacity section says nothing of one, and a target: on the saved line reaches its
    heading, its load columns and the throughput plot's target line."""
    from sim.report.html import write_report
    from sim.report.line_view import target_throughput
    from sim.report.run_data import load_results

    text = write_report(results).read_text(encoding="utf-8")
    for heading in ("The line", "Capacity", "Material balance", "Replay"):
        assert f"<h2>{heading}</h2>" in text
    assert "against the target" not in text and "needed for the target" not in text
    assert "The line sets no target" in text
    assert text.count('class="station"') == 2 * 4  # diagram and replay, 4 stations each
    assert target_throughput(load_results(results)) is None
    saved = json.loads((results / "line.json").read_text(encoding="utf-8"))
    saved["target"] = {"throughput": 0.4}
    (results / "line.json").write_text(json.dumps(saved), encoding="utf-8")
    assert target_throughput(load_results(results)) == pytest.approx(0.4)
    text = write_report(results).read_text(encoding="utf-8")
    assert "<h2>Capacity against the target: 0.4 good jobs / h</h2>" in text
    assert "<th>needed for the target</th><th>load [%]</th><th>slack</th>" in text


def test_diagram_legend_only_with_run_data() -> None:
    """A drawing of the YAML alone has no key of run colours; with run results the key
    names the states and the buffer fill; the replay keeps the buffer fill it animates."""
    from sim.report.diagram import Overlay

    line = load_line(REFERENCE)
    assert 'class="legend"' not in diagram_svg(line)
    assert "buffer fill" not in diagram_svg(line)
    with_run = diagram_svg(line, Overlay(states={"winding": {"busy": 0.5}}))
    assert 'class="legend"' in with_run and "buffer fill" in with_run and ">minor stop<" in with_run
    replay = diagram_svg(line, run_legend=True)
    assert "buffer fill" in replay and ">minor stop<" not in replay


@st.composite
def _dags(
    draw: st.DrawFn,
) -> tuple[list[str], list[tuple[str, str]], dict[str, tuple[float, float]]]:
    """Random acyclic graphs: edges only from a lower to a higher node number."""
    count = draw(st.integers(1, 14))
    nodes = [f"n{i}" for i in range(count)]
    pairs = [(i, j) for i in range(count) for j in range(i + 1, count)]
    chosen = draw(st.lists(st.sampled_from(pairs), unique=True, max_size=20)) if pairs else []
    sizes = {n: (draw(st.floats(10, 200)), draw(st.floats(10, 90))) for n in nodes}
    return nodes, [(nodes[i], nodes[j]) for i, j in chosen], sizes


@settings(max_examples=60, deadline=None)
@given(_dags(), st.floats(300, 1600))
def test_layout_of_any_dag_keeps_boxes_apart_and_edges_forward(
    graph: tuple[list[str], list[tuple[str, str]], dict[str, tuple[float, float]]],
    max_width: float,
) -> None:
    """Whatever the graph: every node placed once, no two boxes overlap, every edge goes to
    a later layer and ends on its target's left side, coordinates are finite."""
    nodes, edges, sizes = graph
    layout = layered_layout(nodes, edges, sizes, max_width=max_width)
    assert set(layout.nodes) == set(nodes)
    boxes = list(layout.nodes.values())
    for i, a in enumerate(boxes):
        assert math.isfinite(a.x) and math.isfinite(a.y)
        for b in boxes[i + 1 :]:
            apart_x = abs(a.x - b.x) >= (a.width + b.width) / 2 - 1e-9
            apart_y = abs(a.y - b.y) >= (a.height + b.height) / 2 - 1e-9
            assert apart_x or apart_y
    for source, target in edges:
        assert layout.nodes[target].layer > layout.nodes[source].layer
        end = layout.edges[(source, target)][-1]
        placed = layout.nodes[target]
        assert end == pytest.approx((placed.x - placed.width / 2, placed.y))
    assert layout.width > 0 and layout.height > 0


def test_a_station_in_one_shift_of_two_has_half_the_capacity() -> None:
    """A station that runs only in the day shift (12 h of a 24 h cycle) is staffed half the
    time, so its capacity is half what its machines give around the clock."""
    data = load_line(ROOT / "configs" / "penny_fab.yaml").model_dump(by_alias=True)
    data["target"] = {"throughput": 0.2}
    data["shifts"] = [
        {"name": "day", "start": 6, "length": 12},
        {"name": "night", "start": 18, "length": 12},
    ]
    data["shift_cycle"] = 24
    data["stations"][0]["shifts"] = ["day"]
    rows = capacity_table(Line.model_validate(data))
    assert rows[0].capacity == pytest.approx(0.25)  # 2 machines x 1 / 4 h x 12 / 24
    assert [row.capacity for row in rows[1:]] == pytest.approx([0.5] * (len(rows) - 1))
