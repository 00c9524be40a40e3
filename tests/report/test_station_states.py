"""``station_states.csv``: each machine station's share of machine time per state in each
bin of the measured window, and the replay that colours stations from it."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from sim import build_summary, load_scenario, run, write_results
from sim.engine.monitor import STATES
from sim.report.colors import STATE_COLORS
from sim.report.replay import replay_data, replay_html
from sim.report.results import RESULT_FILES
from sim.report.run_data import load_results

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Results of two replications of 8 days of the reference line after 2 days."""
    folder = tmp_path_factory.mktemp("reference")
    scenario = load_scenario(
        ROOT / "scenarios" / "baseline.yaml", replications=2, horizon=8 * 24.0, warmup=2 * 24.0
    )
    result = run(scenario, jobs=1)
    write_results(result, build_summary(result), folder)
    return folder


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as stream:
        return list(csv.DictReader(stream))


def test_shares_lie_in_0_1_and_add_up_to_1_per_row(reference: Path) -> None:
    rows = _rows(reference / "station_states.csv")
    summary = json.loads((reference / "summary.json").read_text(encoding="utf-8"))
    assert "station_states.csv" in summary["files"] and "station_states.csv" in RESULT_FILES
    stations = _rows(reference / "stations.csv")
    machines = {r["station"] for r in stations if r["busy"] not in ("", "nan")}
    assert len(machines) < len({r["station"] for r in stations})  # delays have no states
    assert {r["station"] for r in rows} == machines
    assert len(rows) == 2 * 200 * len(machines)
    for row in rows:
        shares = [float(row[state]) for state in STATES]
        assert all(0.0 <= share <= 1.0 for share in shares)
        assert sum(shares) == pytest.approx(1.0, abs=1e-12)
        assert float(row["start"]) < float(row["end"])


def test_bins_average_to_the_window_shares_of_stations_csv(reference: Path) -> None:
    """Bins are of equal width, so the mean of a station's bins is its window share."""
    window = {(r["replication"], r["station"]): r for r in _rows(reference / "stations.csv")}
    sums: dict[tuple[str, str], np.ndarray] = {}
    counts: dict[tuple[str, str], int] = {}
    for row in _rows(reference / "station_states.csv"):
        key = (row["replication"], row["station"])
        sums[key] = sums.get(key, 0.0) + np.array([float(row[s]) for s in STATES])
        counts[key] = counts.get(key, 0) + 1
    for key, total in sums.items():
        expected = np.array([float(window[key][s]) for s in STATES])
        assert np.abs(total / counts[key] - expected).max() <= 1e-9, key


def test_stations_with_failures_are_down_in_some_bins(reference: Path) -> None:
    """Coating fails (mtbf 150 h, mttr 3 h on several machines): over 2 x 8 days some bins
    hold down time, and the replay then shows its share."""
    data = load_results(reference)
    down = STATES.index("down")
    coating = data.station_states["cathode-coating"]
    assert (coating[:, :, down] > 0).any()
    assert not (coating[:, :, down] > 0).all()
    values = replay_data(data, data_line(reference))
    assert values["recorded"] is True
    assert str(down) in values["shares"]["cathode-coating"]


def data_line(folder: Path):  # type: ignore[no-untyped-def]
    from sim.report.line_files import load_line_file

    line = load_line_file(folder)
    assert line is not None
    return line


def test_replay_colours_each_station_by_its_dominant_recorded_state(reference: Path) -> None:
    data = load_results(reference)
    line = data_line(reference)
    values = replay_data(data, line)
    assert values["stateColors"] == [STATE_COLORS[s] for s in STATES]
    for name, dominant in values["states"].items():
        mean = np.nanmean(data.station_states[name], axis=0)
        assert dominant == [int(i) for i in np.argmax(mean, axis=1)]
        shares = values["shares"][name]
        for index, state in enumerate(dominant):
            assert shares[str(state)][index] == round(100 * mean[index, state])
    page = replay_html(data, line)
    assert "dominant state" in page and "no station_states.csv" not in page


def test_an_older_folder_without_the_file_falls_back_to_buffer_colours(
    reference: Path, tmp_path: Path
) -> None:
    folder = Path(shutil.copytree(reference, tmp_path / "older"))
    (folder / "station_states.csv").unlink()
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    summary["files"].remove("station_states.csv")
    (folder / "summary.json").write_text(json.dumps(summary), encoding="utf-8")
    data = load_results(folder)
    assert data.station_states == {}
    values = replay_data(data, data_line(folder))
    assert values["recorded"] is False and "shares" not in values
    assert values["stateNames"][0] == "working"
    assert "no station_states.csv" in replay_html(data, data_line(folder))
