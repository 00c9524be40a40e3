"""The claim's verdict under input uncertainty (``linesim compare --uncertainty N``).

Known answers: the Latin hypercube stays inside every range (property test); the effect
multiple k maps scale, add and set as documented; a path in ``uncertain:`` that names
nothing is a located error; and a toy line whose claim probability is known by
construction: a single saturated station scraps half its output, a lever cuts the scrap
share by 0.1 x k with k uniform on [0.5, 1.5], so the good output rises by 20 k % (uniform
on [+10 %, +30 %]) and P(change >= +20 %) = 0.5. The tolerance is three binomial standard
errors of N input sets, sqrt(0.25 / N).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stop_after import StopAfter

import sim.api.setup as api_setup
import sim.cli
from sim.analysis.uncertainty import sensitivity
from sim.errors import ConfigError, ConfigErrors
from sim.experiment.compare import compare
from sim.experiment.uncertainty import UncertainInput, sample_inputs
from sim.model import load_line, load_scenario
from sim.model.levers import Lever, apply_lever

TOY_LINE = """\
name: toy
time_unit: h
release: {policy: push}
stations:
  - name: cell
    process_time: 1
    scrap: 0.5
"""
"""One saturated station (unlimited raw material), 1 unit/h, half of it scrapped."""

TOY_LEVERS = """\
levers:
  less-scrap:
    description: inline inspection cuts the scrap share by 0.1 (as written)
    source: E (test)
    effect: {low: 0.5, high: 1.5}
    changes:
      - {path: stations.cell.scrap, add: -0.1}
      - {path: stations.cell.capex, set: 1000, cost: true}
"""

SETS = 64
"""Input sets of the toy study."""


def write_toy(folder: Path, uncertainty: str = "") -> Path:
    """Write the toy line, lever file, two scenarios and a comparison file."""
    (folder / "line.yaml").write_text(TOY_LINE, encoding="utf-8")
    (folder / "levers.yaml").write_text(TOY_LEVERS, encoding="utf-8")
    head = "line: line.yaml\nhorizon: 20000\nreplications: 1\nseed: 3\n"
    (folder / "base.yaml").write_text("name: base\n" + head, encoding="utf-8")
    (folder / "smart.yaml").write_text(
        "name: smart\n" + head + "lever_file: levers.yaml\nlevers: [less-scrap]\n",
        encoding="utf-8",
    )
    path = folder / "claim.yaml"
    path.write_text(
        "name: toy_claim\ncompare: [base.yaml, smart.yaml]\nclaim: {efficiency: 20, cost: -20}\n"
        + uncertainty,
        encoding="utf-8",
    )
    return path


@settings(max_examples=60, deadline=None)
@given(
    bounds=st.lists(
        st.tuples(
            st.floats(-1e6, 1e6, allow_nan=False),
            st.floats(0, 1e6, allow_nan=False),
            st.one_of(st.none(), st.floats(0, 1)),
        ),
        min_size=1,
        max_size=6,
    ),
    samples=st.integers(2, 80),
    seed=st.integers(0, 2**32),
)
def test_latin_hypercube_stays_inside_every_range(
    bounds: list[tuple[float, float, float | None]], samples: int, seed: int
) -> None:
    """Every sampled value lies in [low, high] of its input, and each input's values fall
    one per stratum of its range (the Latin hypercube property) when the range is uniform."""
    inputs = [
        UncertainInput(
            f"x{i}",
            "line",
            f"x{i}",
            low,
            low + width,
            None if share is None else low + share * width,
            "",
        )
        for i, (low, width, share) in enumerate(bounds)
    ]
    values = sample_inputs(inputs, samples, seed)
    assert values.shape == (samples, len(inputs))
    for column, item in enumerate(inputs):
        assert np.all(values[:, column] >= item.low)
        assert np.all(values[:, column] <= item.high)
        if item.mode is None and item.high - item.low > 1e-6 * max(1.0, abs(item.low)):
            strata = np.floor((values[:, column] - item.low) / (item.high - item.low) * samples)
            assert sorted(np.minimum(strata, samples - 1).astype(int)) == list(range(samples))


def test_same_seed_gives_the_same_sample_and_another_seed_another() -> None:
    item = UncertainInput("x", "line", "x", 0.0, 1.0, None, "")
    assert np.array_equal(sample_inputs([item], 10, 5), sample_inputs([item], 10, 5))
    assert not np.array_equal(sample_inputs([item], 10, 5), sample_inputs([item], 10, 6))


@pytest.mark.parametrize(
    ("change", "k", "expected"),
    [
        ({"path": "a", "scale": 0.8}, 0.5, 10 * 0.9),  # scale s -> 1 + k (s - 1)
        ({"path": "a", "scale": 0.8}, 0.0, 10.0),
        ({"path": "a", "scale": 0.5}, 3.0, 0.0),  # never below 0
        ({"path": "a", "add": 4}, 0.25, 11.0),  # add a -> k a
        ({"path": "a", "set": 20}, 0.5, 15.0),  # set v -> base + k (v - base)
        ({"path": "a", "set": "20 h"}, 2.0, 30.0),  # durations in the line's unit
        ({"path": "a", "add": 4, "cost": True}, 0.0, 14.0),  # a cost is never scaled
    ],
)
def test_effect_multiple_maps_each_operation(change: dict, k: float, expected: float) -> None:
    lever = Lever(description="d", source="E", changes=[change])
    data, _ = apply_lever({"a": 10.0, "b": "x"}, "l", lever, None, "h", effect=k)
    assert data["a"] == pytest.approx(expected)


def test_effect_multiple_on_a_text_set_applies_only_when_positive() -> None:
    lever = Lever(description="d", source="E", changes=[{"path": "b", "set": "y"}])
    assert apply_lever({"b": "x"}, "l", lever, None, "h", effect=0.0)[0]["b"] == "x"
    assert apply_lever({"b": "x"}, "l", lever, None, "h", effect=0.3)[0]["b"] == "y"


def test_an_uncertain_path_that_names_nothing_is_a_located_error(tmp_path: Path) -> None:
    line = tmp_path / "line.yaml"
    line.write_text(
        TOY_LINE + "uncertain:\n  stations.oven.scrap: {low: 0.1, high: 0.2}\n", encoding="utf-8"
    )
    with pytest.raises((ConfigError, ConfigErrors)) as caught:
        load_line(line)
    text = str(caught.value)
    assert f"{line}:9:3" in text and "stations.oven names nothing" in text


def test_an_uncertain_mapping_is_refused_with_the_fix(tmp_path: Path) -> None:
    line = tmp_path / "line.yaml"
    line.write_text(
        TOY_LINE.replace("process_time: 1", "process_time: {dist: constant, value: 1}")
        + "uncertain:\n  stations.cell.process_time: {low: 0.9, high: 1.1}\n",
        encoding="utf-8",
    )
    with pytest.raises((ConfigError, ConfigErrors), match="not a number"):
        load_line(line)


def test_sensitivity_ranks_a_linear_model_exactly() -> None:
    """SRC of y = 3 a - b + 0 c on a uniform sample: |SRC| ordered a, b, c; R^2 = 1."""
    rng = np.random.default_rng(1)
    x = rng.random((200, 3))
    y = 3 * x[:, 0] - x[:, 1]
    found, r2 = sensitivity(x, y, ["a", "b", "c"])
    assert list(found)[:2] == ["a", "b"]
    assert r2 == pytest.approx(1.0)
    assert found["a"] > 0 > found["b"] and abs(found["c"]) < 1e-9  # type: ignore[operator]


def test_toy_claim_probability_is_one_half(tmp_path: Path) -> None:
    """P(good output change >= +20 %) = 0.5 by construction; the change is uniform on
    [+10 %, +30 %]: mean 20, p05 11, p95 29 (within three standard errors)."""
    path = write_toy(tmp_path)
    result = compare(path, uncertainty=SETS, jobs=1, out=tmp_path / "out")
    study = result.uncertainty
    assert study is not None and study["finished"] == SETS
    reading = study["readings"]["output_per_line_hour"]
    error = math.sqrt(0.25 / SETS)
    assert abs(reading["probability_met"] - 0.5) <= 3 * error
    change = reading["change"]
    spread = 20 / math.sqrt(12)  # sd of U(10, 30) [%]
    assert change["mean"] == pytest.approx(20, abs=3 * spread / math.sqrt(SETS))
    assert change["p05"] == pytest.approx(11, abs=1.5)
    assert change["p95"] == pytest.approx(29, abs=1.5)
    assert list(study["sensitivity"]["output_per_line_hour"]) == ["effect.less-scrap"]
    assert study["sensitivity_fit"]["output_per_line_hour"]["r2"] > 0.99
    # the reference is the same in every set: it ran once
    assert study["runs"]["ran"] == SETS + 1


def test_study_resumes_without_rerunning(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    """A second run of the same command reuses every stored run and gives the same file;
    ``--uncertainty`` without N takes the file's ``uncertainty.samples``."""
    path = write_toy(tmp_path, "uncertainty: {horizon: 2000, replications: 1, samples: 8}\n")
    out = tmp_path / "out"
    args = ["compare", str(path), "--out", str(out), "--jobs", "1", "--uncertainty"]
    assert sim.cli.main([*args, "--quiet", "--no-plots"]) == 0
    first = json.loads((out / "uncertainty.json").read_text(encoding="utf-8"))
    assert first["runs"]["ran"] == 9 and first["window"]["horizon"] == 2000
    assert sim.cli.main([*args, "--quiet"]) == 0
    second = json.loads((out / "uncertainty.json").read_text(encoding="utf-8"))
    assert second["runs"] == {"ran": 0, "reused": 9, "replications_each": 1}
    assert second["readings"] == first["readings"]
    for name in ("uncertainty_changes.png", "uncertainty_tornado.png", "report.html"):
        assert (out / name).is_file()
    assert "P(met)" in capsys.readouterr().out


def test_nothing_uncertain_is_a_clear_error(tmp_path: Path) -> None:
    path = write_toy(tmp_path)
    (tmp_path / "levers.yaml").write_text(
        TOY_LEVERS.replace("    effect: {low: 0.5, high: 1.5}\n", ""), encoding="utf-8"
    )
    with pytest.raises(ConfigError, match="nothing is uncertain"):
        compare(path, uncertainty=4, jobs=1, out=tmp_path / "out")


def test_line_ranges_apply_before_the_levers(tmp_path: Path) -> None:
    """A line input sampled at v and a lever scaling the same value give v x scale."""
    write_toy(tmp_path)
    (tmp_path / "line.yaml").write_text(
        TOY_LINE + "uncertain:\n  stations.cell.process_time: {low: '1 h', high: '2 h'}\n",
        encoding="utf-8",
    )
    (tmp_path / "levers.yaml").write_text(
        "levers:\n  fast:\n    description: d\n    source: E\n    changes:\n"
        "      - {path: stations.cell.process_time, scale: 0.5}\n",
        encoding="utf-8",
    )
    (tmp_path / "smart.yaml").write_text(
        "line: line.yaml\nhorizon: 10\nlever_file: levers.yaml\nlevers: [fast]\n",
        encoding="utf-8",
    )
    scenario = load_scenario(tmp_path / "smart.yaml", values={"stations.cell.process_time": 1.6})
    assert scenario.line.station("cell").process_time.mean == pytest.approx(0.8)  # type: ignore[union-attr]


@pytest.mark.slow
def test_dask_cluster_gives_the_numbers_of_local_processes(tmp_path: Path) -> None:
    """``compare(..., cluster=ADDRESS)``: the comparison, the attribution and the study on
    a real LocalCluster equal those in this process (every task carries its seed)."""
    distributed = pytest.importorskip("distributed")
    path = write_toy(tmp_path, "uncertainty: {horizon: 2000}\n")
    options = {"uncertainty": 6, "attribution": True}
    local = compare(path, jobs=1, out=tmp_path / "local", **options)  # type: ignore[arg-type]
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        remote = compare(
            path,
            cluster=cluster.scheduler_address,
            out=tmp_path / "dask",
            **options,  # type: ignore[arg-type]
        )
    assert remote.content["differences"] == local.content["differences"]
    assert remote.content["attribution"] == local.content["attribution"]
    assert remote.uncertainty is not None and local.uncertainty is not None
    assert remote.uncertainty["readings"] == local.uncertainty["readings"]


def test_interrupted_study_keeps_finished_sets_and_resumes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Stopped after the comparison's 2 runs and 4 of the study's 9 (the reference once,
    then 3 sets): uncertainty.json holds 3 finished sets, partial, exit 130; the same
    command again runs only the 5 missing runs."""
    path = write_toy(tmp_path, "uncertainty: {horizon: 2000}\n")
    out = tmp_path / "out"
    args = ["compare", str(path), "--uncertainty", "8", "--out", str(out), "--quiet"]
    monkeypatch.setattr(api_setup, "make_executor", lambda jobs, cluster: StopAfter(6))
    assert sim.cli.main([*args, "--no-plots"]) == 130
    study = json.loads((out / "uncertainty.json").read_text(encoding="utf-8"))
    assert study["partial"] is True and study["finished"] == 3
    assert json.loads((out / "comparison.json").read_text(encoding="utf-8"))["partial"] is True
    monkeypatch.undo()
    assert sim.cli.main([*args, "--jobs", "1", "--no-plots"]) == 0
    study = json.loads((out / "uncertainty.json").read_text(encoding="utf-8"))
    assert study["finished"] == 8 and study["runs"]["ran"] == 5 and study["runs"]["reused"] == 4


def _two_plant_study(tmp_path: Path, line: str) -> Path:
    """A comparison file of two identical scenarios (20,000 h after 200 h, one replication,
    seed 3) of the line ``line`` (YAML text), written in ``tmp_path``."""
    (tmp_path / "line.yaml").write_text(line, encoding="utf-8")
    head = "line: line.yaml\nhorizon: 20000\nwarmup: 200\nreplications: 1\nseed: 3\n"
    (tmp_path / "base.yaml").write_text("name: base\n" + head, encoding="utf-8")
    (tmp_path / "other.yaml").write_text("name: other\n" + head, encoding="utf-8")
    path = tmp_path / "claim.yaml"
    path.write_text("name: c\ncompare: [base.yaml, other.yaml]\n", encoding="utf-8")
    return path


def test_each_set_is_resized_to_the_target(tmp_path: Path) -> None:
    """Known answer: 100 machines of 100 h make the target 1 an hour at load 1. A set with
    process time p [80-120 h] needs ceil(p) machines (the fewest that carry load <= 1), so
    each set's before line makes ceil(p) / p in [1, 1.0125] an hour: within 3 % of the
    target, where the line as written would make 100 / p (0.83-1.25)."""
    path = _two_plant_study(
        tmp_path,
        "name: racks\ntime_unit: h\nrelease: {policy: push}\ntarget: {throughput: 1.0}\n"
        "stations:\n  - {name: rack, machines: 100, process_time: 100}\n"
        "uncertain:\n  stations.rack.process_time: {low: 80, high: 120, source: E (test)}\n",
    )
    study = compare(path, uncertainty=8, jobs=1, out=tmp_path / "out").uncertainty
    assert study is not None and study["finished"] == 8 and study["resize"]["enabled"]
    for entry in study["sets"]:
        p = entry["inputs"]["stations.rack.process_time"]
        assert entry["resized"].get("stations.rack.machines", 100) == math.ceil(p)
        assert entry["before_output"]["mean"] == pytest.approx(math.ceil(p) / p, rel=0.01)
        assert abs(entry["before_output"]["mean"] - 1.0) <= 0.03


def test_a_set_short_after_its_run_gets_a_machine_at_its_binding_station(
    tmp_path: Path,
) -> None:
    """Known answer: two exponential machines of mean 0.8 h with one buffer place between
    them. Capacity arithmetic sees a load of 0.8 per station against the target of 1 an
    hour and changes nothing, but blocking holds the tandem to the exact CTMC throughput
    (about 0.83 an hour, more than 3 % short). The run finds every set short, so each gets
    one machine more at the station that most held its line up, which lifts it past the
    target; the two plants of the set run again on those counts."""
    from validation import theory

    exact = theory.two_station_blocking(1 / 0.8, 1 / 0.8, 1)["throughput"]
    assert exact < 0.97  # arithmetic alone would leave every set short
    path = _two_plant_study(
        tmp_path,
        "name: tandem\ntime_unit: h\nrelease: {policy: push}\ntarget: {throughput: 1.0}\n"
        "stations:\n  - {name: a, process_time: {dist: exponential, mean: 0.8}}\n"
        "  - {name: b, buffer: 1, process_time: {dist: exponential, mean: 0.8}}\n"
        "uncertain:\n  stations.a.process_time.mean: {low: 0.78, high: 0.82, source: E (test)}\n",
    )
    study = compare(path, uncertainty=4, jobs=1, out=tmp_path / "out").uncertainty
    assert study is not None and study["finished"] == 4
    assert (
        study["resize"]["tolerance"] == 0.03
        and "more units at the station" in study["resize"]["rule"]
    )
    for entry in study["sets"]:
        assert entry["resize_rounds"] >= 1
        raised = {k: v for k, v in entry["resized"].items() if v != 1}
        assert set(raised) <= {"stations.a.machines", "stations.b.machines"} and raised
        assert entry["before_output"]["mean"] >= 0.97
    # the 4 identical plant pairs ran once each before, and once each on their new counts
    assert study["runs"]["ran"] == 4 + 4


def test_a_raise_that_buys_nothing_is_taken_back() -> None:
    """The re-sizer raises a short set's top-ranked station; when that lifted the output by
    less than HELPED it goes back to the counts before and raises the next station of
    that ranking instead; after the last round such a raise is taken back too."""
    from sim.experiment.resizing import HELPED, SetResizer

    line = load_line(Path(__file__).resolve().parents[2] / "configs" / "penny_fab.yaml")
    resizer = SetResizer(line)
    ranking = ["rimming", "deburring"]
    first = resizer.next_sizes(0, {}, 0.90, ranking)
    assert first == {"stations.rimming.machines": 2}
    # the raise bought nothing: back to {} and one machine more at deburring instead
    second = resizer.next_sizes(0, first, 0.90 * (1 + HELPED / 2), ["rimming", "deburring"])
    assert second == {"stations.deburring.machines": 2}
    # deburring did not help either: it is taken back after the last round
    assert resizer.settled(0, 0.90) == {}
    # a raise that helped stays
    helped = SetResizer(line)
    raised = helped.next_sizes(1, {}, 0.90, ranking)
    assert raised is not None and helped.settled(1, 0.95) is None
    assert helped.next_sizes(1, raised, 0.95, ranking) == {"stations.rimming.machines": 3}


def test_a_raise_closes_the_shortfall_if_the_station_alone_held_the_output() -> None:
    """Arithmetic of the raise: a station of n machines short by target / output - 1 = s
    gets ceil(n x s) more (at least one); a store grows by s (at least STORE_SLACK)."""
    from sim.analysis.capacity import STORE_SLACK
    from sim.experiment.resizing import raised

    line = load_line(Path(__file__).resolve().parents[2] / "configs" / "prismatic_lfp_300mah.yaml")
    racks = "stations.formation.machines"
    assert raised({racks: 65}, line, "formation", 0.037) == {racks: 65 + 3}  # 2.4 -> 3
    assert raised({racks: 65}, line, "formation", 0.0) == {racks: 66}
    assert raised({racks: 10}, line, "formation", 0.2) == {racks: 12}  # exactly 2, not 3
    aging = "stations.aging-room.capacity"
    assert raised({aging: 1000}, line, "aging-room", 0.01) == {
        aging: math.ceil(1000 * (1 + STORE_SLACK))
    }
    assert raised({aging: 1000}, line, "aging-room", 0.5) == {aging: 1500}
