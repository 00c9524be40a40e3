"""From a cleaned log to what each station did: state times, cycles, up-times, repairs,
setups, minor stops and maintenance windows, with their censoring.

All in seconds and vectorised over the whole log (numpy cumulative sums and bincounts over
rows sorted by machine and time). Conventions, as the engine counts them:

- A *cycle* ends at a row with units or scrap; its process time is the busy time of its
  machine since the previous such row, so a cycle split by a failure or minor stop counts
  only its processing. A machine's first cycle is dropped when the log opens in the middle
  of it (first state busy, down or a minor stop), and a cycle whose span holds unknown or
  unaccounted time is dropped too (both counted).
- Consecutive rows of one state are one *episode* (one repair, one setup).
- A *failure* is a down episode; with ``minor_stop`` > 0, down episodes shorter than that
  are minor stops instead (the log's own ``minor_stop`` rows always are).
- *Up-time on the operating basis* is busy time between the end of one repair and the
  start of the next failure (the engine's failure clock runs only while processing); on
  the *calendar basis* it is all accounted time between them. The stretch before a
  machine's first failure is left-truncated: it counts in the exposure of the MTBF but not
  among the up-times fitted for the shape; the stretch after its last repair is a
  right-censored up-time.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from sim.engine.monitor import BUSY, DOWN, MAINTENANCE, MINOR_STOP, SETUP, STATES
from sim.errors import ConfigError
from sim.fit.log import GAP, UNKNOWN, MachineLog

__all__ = ["Episodes", "StationData", "check_minor_stop", "station_data"]


@dataclass(frozen=True)
class Episodes:
    """Durations of the episodes of one state [s], complete ones and right-censored ones;
    ``left`` counts episodes the log opens in (dropped)."""

    complete: np.ndarray
    censored: np.ndarray
    left: int

    @property
    def count(self) -> int:
        """Episodes that started inside the log [-]."""
        return len(self.complete) + len(self.censored)


@dataclass
class StationData:
    """What one station's machines did in the log (times in [s], quantities in the
    station's output unit)."""

    name: str
    machines: int
    state_time: np.ndarray
    """Machine time per state [s], :data:`STATES` order, then unknown and unaccounted."""
    units: float
    scrap: float
    completions: int
    cycle_time: np.ndarray
    """Busy time per completion [s] (complete cycles only)."""
    cycle_quantity: np.ndarray
    """Units and scrap finished at each of those completions."""
    cycles_dropped: dict[str, int]
    failures: int
    busy_exposure: float
    calendar_exposure: float
    up_operating: Episodes
    up_calendar: Episodes
    repairs: Episodes
    minor_stops: Episodes
    setups: Episodes
    maintenance: Episodes
    units_on_idle_rows: int = 0
    notes: list[str] = field(default_factory=list)


def _episodes(
    log: MachineLog, mask: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Episodes of consecutive rows in ``mask`` (per machine): first row, last row,
    duration [s] and whether the episode runs to the log's end."""
    previous = np.concatenate([[False], mask[:-1]]) & ~log.first
    starts = np.flatnonzero(mask & ~previous)
    following = np.concatenate([mask[1:], [False]]) & ~log.last
    ends = np.flatnonzero(mask & ~following)
    cumulative = np.concatenate([[0.0], np.cumsum(np.where(mask, log.duration, 0.0))])
    duration = cumulative[ends + 1] - cumulative[starts]
    return starts, ends, duration, log.last[ends]


def check_minor_stop(minor_stop: float) -> None:
    """Refuse a negative or non-finite minor-stop threshold [s]."""
    if not 0 <= minor_stop < math.inf:
        raise ConfigError(
            f"--minor-stop must be a duration of 0 or more such as '5 min' (got {minor_stop:g} s)"
        )


def station_data(log: MachineLog, station: str, minor_stop: float = 0.0) -> StationData:
    """Collect the observations of ``station`` [s]; ``minor_stop`` [s] is the threshold
    below which a down episode counts as a minor stop."""
    index = log.stations.index(station)
    on_station = log.machine_station[log.machine] == index
    machines = int(np.count_nonzero(log.machine_station == index))
    state = np.where(on_station, log.state, -1)
    duration = log.duration
    state_time = np.bincount(
        state[on_station].astype(np.int64), weights=duration[on_station], minlength=GAP + 1
    )[: GAP + 1]
    dropped: dict[str, int] = {}

    # Failures and minor stops.
    down_mask = state == DOWN
    d_start, d_end, d_duration, d_open = _episodes(log, down_mask)
    short = d_duration < minor_stop
    m_start, _, m_duration, m_open = _episodes(log, state == MINOR_STOP)
    minor_complete = np.concatenate(
        [
            m_duration[~m_open & ~log.first[m_start]],
            d_duration[short & ~d_open & ~log.first[d_start]],
        ]
    )
    minor_censored = np.concatenate([m_duration[m_open], d_duration[short & d_open]])
    minor_left = int(log.first[m_start].sum() + (log.first[d_start] & short).sum())
    if short.any():
        # A short down is a minor stop: not a failure, its time not down time.
        state_time[MINOR_STOP] += d_duration[short].sum()
        state_time[DOWN] -= d_duration[short].sum()
    d_start, d_end, d_duration, d_open = (
        d_start[~short],
        d_end[~short],
        d_duration[~short],
        d_open[~short],
    )
    repair_left = log.first[d_start]
    repairs = Episodes(
        d_duration[~d_open & ~repair_left], d_duration[d_open & ~repair_left],
        int(repair_left.sum()),
    )  # fmt: skip

    busy_cum = np.concatenate([[0.0], np.cumsum(np.where(state == BUSY, duration, 0.0))])
    accounted = (state >= 0) & (state != DOWN) & (state < UNKNOWN)
    calendar_cum = np.concatenate([[0.0], np.cumsum(np.where(accounted, duration, 0.0))])
    machine_of = log.machine
    # Each machine's rows are contiguous: find its first and last row.
    first_rows = np.flatnonzero(log.first & on_station)
    last_rows = np.flatnonzero(log.last & on_station)
    up_op_complete: list[np.ndarray] = []
    up_cal_complete: list[np.ndarray] = []
    left_up = 0
    if len(d_start):
        same_machine = np.concatenate([[False], machine_of[d_start[1:]] == machine_of[d_end[:-1]]])
        # Up-time before failure k (k > first of its machine): from the end of repair k-1.
        after_prev = np.concatenate([[0], d_end[:-1] + 1])
        op = busy_cum[d_start] - busy_cum[after_prev]
        cal = calendar_cum[d_start] - calendar_cum[after_prev]
        up_op_complete.append(op[same_machine])
        up_cal_complete.append(cal[same_machine])
        left_up = int((~same_machine).sum())
    # After each machine's last finished repair (or its whole log without failures, which
    # is left-truncated and so only exposure): right-censored up-times.
    if len(d_start):
        # Each machine's last failure episode: the one followed by no other of its machine.
        last_episode = np.concatenate([~same_machine[1:], [True]])
        closed = last_episode & ~d_open
        after = d_end[closed] + 1
        machine_end = np.zeros(len(log.machines), dtype=np.int64)
        machine_end[machine_of[last_rows]] = last_rows + 1
        stop = machine_end[machine_of[d_end[closed]]]
        up_op_censored = busy_cum[stop] - busy_cum[after]
        up_cal_censored = calendar_cum[stop] - calendar_cum[after]
    else:
        up_op_censored = up_cal_censored = np.zeros(0)
    busy_exposure = float(state_time[BUSY])
    calendar_exposure = float(state_time[: len(STATES)].sum() - state_time[DOWN])

    # Cycles.
    quantity = np.where(on_station, log.units + log.scrap, 0.0)
    if log.has_units or log.has_scrap:
        done = quantity > 0
    else:
        done = on_station & (state == BUSY)  # each busy period is one observation
        quantity = done.astype(np.float64)
    done_rows = np.flatnonzero(done)
    units = float(log.units[on_station].sum())
    scrap = float(log.scrap[on_station].sum())
    not_busy = int(np.count_nonzero(done & (state != BUSY)))
    bad_cum = np.concatenate([[0], np.cumsum((state == UNKNOWN) | (state == GAP))])
    cycle_time = np.zeros(0)
    cycle_quantity = np.zeros(0)
    if len(done_rows):
        machine_done = machine_of[done_rows]
        first_of_machine = np.concatenate([[True], machine_done[1:] != machine_done[:-1]])
        machine_first_row = np.zeros(len(log.machines), dtype=np.int64)
        machine_first_row[machine_of[first_rows]] = first_rows
        previous_end = np.where(
            first_of_machine,
            machine_first_row[machine_done],
            np.concatenate([[0], done_rows[:-1] + 1]),
        )
        span = busy_cum[done_rows + 1] - busy_cum[previous_end]
        opens_inside = np.isin(
            log.state[machine_first_row[machine_done]], (BUSY, DOWN, MINOR_STOP, UNKNOWN, GAP)
        )
        left = first_of_machine & opens_inside
        holes = (bad_cum[done_rows + 1] - bad_cum[previous_end]) > 0
        right = log.last[done_rows]
        valid = ~left & ~holes & ~right & (span > 0)
        dropped = {
            "open at the log's start": int(left.sum()),
            "spanning unknown or unaccounted time": int((holes & ~left).sum()),
            "running at the log's end": int((right & ~left & ~holes).sum()),
            "without busy time": int(((span <= 0) & ~left & ~holes & ~right).sum()),
        }
        cycle_time = span[valid]
        cycle_quantity = quantity[done_rows][valid]
    setups = _state_episodes(log, state == SETUP)
    maintenance = _state_episodes(log, state == MAINTENANCE)
    return StationData(
        name=station,
        machines=machines,
        state_time=state_time,
        units=units,
        scrap=scrap,
        completions=len(done_rows),
        cycle_time=cycle_time,
        cycle_quantity=cycle_quantity,
        cycles_dropped={k: v for k, v in dropped.items() if v},
        failures=len(d_start),
        busy_exposure=busy_exposure,
        calendar_exposure=calendar_exposure,
        up_operating=Episodes(
            np.concatenate(up_op_complete) if up_op_complete else np.zeros(0),
            up_op_censored,
            left_up,
        ),
        up_calendar=Episodes(
            np.concatenate(up_cal_complete) if up_cal_complete else np.zeros(0),
            up_cal_censored,
            left_up,
        ),
        repairs=repairs,
        minor_stops=Episodes(minor_complete, minor_censored, minor_left),
        setups=setups,
        maintenance=maintenance,
        units_on_idle_rows=not_busy,
    )


def _state_episodes(log: MachineLog, mask: np.ndarray) -> Episodes:
    start, _, duration, is_open = _episodes(log, mask)
    left = log.first[start]
    return Episodes(duration[~is_open & ~left], duration[is_open & ~left], int(left.sum()))
