"""Generate scenarios/mes_example/mes_log.csv: two days of the line in line.yaml, as a plant
MES would log it.

The line is simulated and traced (``linesim run --trace`` does the same), then written the
way an MES writes: ISO 8601 times with a UTC offset, machine ids such as ``WLD-02``, the
plant's words for states (``Cycle Running``, ``fault``, ``changeover`` ...), and the
problems real logs have: rows out of order, a duplicated row, a heartbeat row, a word
nobody mapped and one broken row. The true parameters are stated in line.yaml.

    python scenarios/mes_example/make_log.py
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from sim.fit import trace_replication
from sim.model import load_line
from sim.model.scenario import Scenario

HERE = Path(__file__).parent
START = np.datetime64("2026-03-02T06:00:00")
OFFSET = "+01:00"
WORDS = {
    "busy": ["Cycle Running", "production"],
    "idle": ["starved", "waiting for parts"],
    "blocked": ["blocked"],
    "down": ["fault", "breakdown"],
    "setup": ["changeover"],
    "minor_stop": ["short stop"],
}
CODES = {"stacking": "STK", "welding": "WLD", "sealing": "SEL"}


def main() -> Path:
    """Simulate two days after a 2 h warm-up and write the log; return its path."""
    line = load_line(HERE / "line.yaml")
    scenario = Scenario("mes-example", line, horizon=2 * 24 * 60.0, warmup=120.0, seed=2026)
    trace = trace_replication(scenario)
    rng = np.random.default_rng(7)
    rows = []
    for t, station, machine, state, units, scrap in zip(
        trace.timestamp.tolist(),
        trace.station,
        trace.machine,
        trace.state,
        trace.units.tolist(),
        trace.scrap.tolist(),
        strict=True,
    ):
        stamp = START + np.timedelta64(round(t * 1000), "ms")
        word = WORDS[state][int(rng.integers(len(WORDS[state])))]
        rows.append(
            [
                f"{stamp}{OFFSET}",
                station,
                f"{CODES[station]}-{int(machine):02d}",
                word,
                f"{units:g}" if units else "",
                f"{scrap:g}" if scrap else "",
            ]
        )
    # What real logs do: a few rows arrive late, one is sent twice, heartbeats, a word
    # nobody mapped yet.
    for index in rng.choice(len(rows) - 1, 40, replace=False):
        rows[index], rows[index + 1] = rows[index + 1], rows[index]
    rows.insert(500, list(rows[499]))
    rows.insert(800, [rows[800][0], "sealing", "SEL-01", "heartbeat", "", ""])
    rows.insert(1200, [rows[1200][0], "stacking", "STK-01", "operator logged in", "", ""])
    path = HERE / "mes_log.csv"
    with open(path, "w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(["timestamp", "station", "machine", "state", "units", "scrap"])
        writer.writerows(rows[:2000])
        stream.write("2026-03-02T09:14:07+01:00,welding,WLD-01\n")  # a row cut short
        writer.writerows(rows[2000:])
    return path


if __name__ == "__main__":
    written = main()
    print(f"wrote {written} ({written.stat().st_size / 1e6:.2f} MB)")
