"""Invariants of log cleaning, for any log: each machine's state durations cover exactly
its span up to the log's end, and every row read is either used or counted as dropped."""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from sim.errors import ConfigError
from sim.fit import read_log
from sim.fit.aliases import alias_table, normalise

STATES = ["busy", "idle", "run", "fault", "changeover", "coffee", "blocked"]
DROPPED = (
    "duplicate rows",
    "rows at the same instant as a later row of the same machine",
    "rows of stations not in the line",
)

rows = st.lists(
    st.tuples(
        st.integers(0, 50),  # timestamp [s], small so instants collide
        st.sampled_from(["a", "b", "x"]),
        st.sampled_from(["1", "2"]),
        st.sampled_from(STATES),
        st.integers(0, 2),
    ),
    min_size=1,
    max_size=40,
)


@settings(max_examples=60, deadline=None)
@given(rows, st.booleans())
@example(  # 'run' is 'busy': the last two rows are duplicates once read
    [(0, "a", "1", "busy", 0), (0, "a", "1", "busy", 2), (0, "a", "1", "run", 2)], False
)
def test_durations_cover_each_machine_and_rows_add_up(data: list, repeat: bool) -> None:
    if repeat:
        data = data + data[:3]  # exact duplicates
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "log.csv"
        lines = ["timestamp,station,machine,state,units"]
        lines += [f"{t},{s},{m},{state},{u}" for t, s, m, state, u in data]
        path.write_text("\n".join(lines) + "\n")
        if not any(row[1] in {"a", "b"} for row in data):
            with pytest.raises(ConfigError, match="no station of the log is a station of the line"):
                read_log(path, time="seconds", stations={"a", "b"}, max_gap=None)
            return
        log = read_log(path, time="seconds", stations={"a", "b"}, max_gap=None)
        # Rows: used + dropped (counted) = read.
        dropped = sum(log.problems.items.get(name, {}).get("count", 0) for name in DROPPED)
        assert len(log.time) + dropped == log.rows_read == len(data)
        # Each machine: durations sum to its span up to the end; none negative.
        assert (log.duration >= 0).all()
        for machine in np.unique(log.machine):
            mine = log.machine == machine
            span = log.end - log.time[mine].min()
            assert np.isclose(log.duration[mine].sum(), span)
        # Units are kept when rows of one instant merge; only exact duplicates lose theirs
        # (rows equal once the state word is read: 'run' and 'busy' are one state).
        table = alias_table()
        kept = [(t, s, m, table.get(normalise(state), state), u) for t, s, m, state, u in data]
        kept = [row for row in kept if row[1] in {"a", "b"}]
        assert sum(u for *_, u in set(kept)) <= log.units.sum() <= sum(u for *_, u in kept)
