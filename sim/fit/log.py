"""Read an MES event log (CSV or Parquet) into clean, sorted columns, counting every problem.

One row per state start of one machine: ``timestamp``, ``station``, ``machine``, ``state``
and optionally ``units`` (good units finished at the end of a busy period) and ``scrap``.
A state lasts until the next row of the same machine; the last is right-censored at the
log's end. Everything is vectorised with pyarrow and numpy: no Python loop per row.

Messy data is repaired where the repair is unambiguous and always counted in
:class:`Problems` (``fit.json`` lists them): rows that cannot be read or parsed, unknown
states or stations, rows out of time order (sorted), exact duplicates (dropped), two states
of one machine at the same instant (the later row in the file wins), negative or
non-numeric quantities, and gaps (a state longer than ``max_gap`` becomes unknown time).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np

from sim.engine.monitor import STATES
from sim.errors import ConfigError
from sim.fit.aliases import IGNORE, AliasFile, alias_table
from sim.model.units import MAX_DURATION_S

__all__ = ["GAP", "UNKNOWN", "MachineLog", "Problems", "TimeFormat", "read_log"]

UNKNOWN = len(STATES)
"""State code of rows whose word is not in the alias table: they end the previous state
and their time counts in no state."""
GAP = UNKNOWN + 1
"""State code of a state longer than ``max_gap``: time the log does not account for."""

TimeFormat = Literal["auto", "iso", "seconds"]
REQUIRED = ("timestamp", "station", "machine", "state")
OPTIONAL = ("units", "scrap")
EXAMPLES = 5
"""Rows named per problem in warnings and ``fit.json`` [-]."""


@dataclass
class Problems:
    """What was wrong with the log, how often, where (first rows) and what was done."""

    items: dict[str, dict[str, Any]] = field(default_factory=dict)

    def add(self, name: str, count: int, action: str, rows: Any = (), detail: Any = None) -> None:
        """Record ``count`` occurrences of problem ``name``; ``rows`` are file rows."""
        if count <= 0:
            return
        entry = self.items.setdefault(name, {"count": 0, "action": action, "rows": []})
        entry["count"] += int(count)
        entry["rows"] = (entry["rows"] + [int(r) for r in list(rows)[:EXAMPLES]])[:EXAMPLES]
        if detail is not None:
            entry["detail"] = detail

    def lines(self, file: str) -> list[str]:
        """One warning per problem: the file, the count, the first rows and the action."""
        out = []
        for name, entry in self.items.items():
            rows = entry["rows"]
            more = ", ..." if entry["count"] > len(rows) else ""
            listed = "rows" if len(rows) > 1 or more else "row"
            where = f" ({listed} {', '.join(map(str, rows))}{more})"
            detail = f": {entry['detail']}" if entry.get("detail") else ""
            if entry["count"] == 1:  # '1 duplicate row', '1 row with ...'
                name = re.sub(r"\brows\b", "row", name, count=1)
            out.append(
                f"{file}: {entry['count']:,} {name}{detail}{where if rows else ''}; "
                f"{entry['action']}"
            )
        return out


@dataclass(frozen=True)
class MachineLog:
    """A cleaned log, sorted by machine then time.

    ``time`` is seconds since the log's start [s]; ``machine`` indexes ``machines`` (pairs
    of station name and machine id) and ``machine_station`` maps a machine to its index in
    ``stations``; ``state`` indexes :data:`STATES` (or is :data:`UNKNOWN` / :data:`GAP`);
    ``duration`` is how long each row's state lasted [s]; ``last`` marks each machine's last
    row (right-censored at ``end``) and ``first`` its first (left-censored at its start);
    ``row`` is the row's number in the file (1 = first data row).
    """

    file: str
    time: np.ndarray
    machine: np.ndarray
    state: np.ndarray
    units: np.ndarray
    scrap: np.ndarray
    row: np.ndarray
    duration: np.ndarray
    first: np.ndarray
    last: np.ndarray
    machines: list[tuple[str, str]]
    machine_station: np.ndarray
    stations: list[str]
    end: float
    origin: float
    """The first timestamp, where ``time`` is 0 [s since 1970 for ISO times, else the log's
    own seconds]."""
    iso: bool
    rows_read: int
    has_units: bool
    has_scrap: bool
    problems: Problems


def _numbers(column: Any, name: str, problems: Problems, rows: np.ndarray) -> np.ndarray:
    """A column as float64; unparsable text becomes NaN and is counted."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if pa.types.is_dictionary(column.type):
        column = column.cast(column.type.value_type)
    if pa.types.is_integer(column.type) or pa.types.is_floating(column.type):
        return np.asarray(column.to_numpy(zero_copy_only=False), dtype=np.float64)
    text = pc.utf8_trim_whitespace(column.cast(pa.string()))
    good = pc.match_substring_regex(text, r"^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$")
    blank = pc.or_kleene(pc.is_null(text), pc.equal(text, ""))
    bad = np.asarray(pc.and_(pc.invert(good.fill_null(False)), pc.invert(blank)).fill_null(False))
    values = pc.if_else(good.fill_null(False), text, None).cast(pa.float64())
    array = np.asarray(values.to_numpy(zero_copy_only=False), dtype=np.float64)
    problems.add(
        f"non-numeric {name} values",
        int(bad.sum()),
        f"counted as 0 {name}",
        rows[bad],
    )
    return array


def _iso_seconds(text: Any) -> tuple[np.ndarray, np.ndarray]:
    """Parse ISO 8601 strings to seconds since 1970 [s] (NaN where unparsable) and say
    which carried a UTC offset. Without an offset a time is read as UTC."""
    import pyarrow as pa
    import pyarrow.compute as pc

    text = pc.utf8_trim_whitespace(text.cast(pa.string()))
    text = pc.replace_substring_regex(text, r"^(\d{4}-\d\d-\d\d)[ T]", r"\1T")
    offset = pc.extract_regex(text, r"(?P<sign>[+-])(?P<hh>\d\d):?(?P<mm>\d\d)$|(?P<z>[Zz])$")
    text = pc.replace_substring_regex(text, r"([+-]\d\d:?\d\d|[Zz])$", "")
    fraction = pc.extract_regex(text, r"(?P<f>\.\d+)$")
    text = pc.replace_substring_regex(text, r"\.\d+$", "")
    stamp = pc.strptime(text, format="%Y-%m-%dT%H:%M:%S", unit="s", error_is_null=True)
    seconds = stamp.cast(pa.int64()).to_numpy(zero_copy_only=False).astype(np.float64)

    def number(parts: Any, name: str) -> np.ndarray:
        """A captured group as float64, 0 where it did not match."""
        text = pc.struct_field(parts, name)
        text = pc.if_else(pc.equal(text, ""), pa.scalar(None, pa.string()), text)
        floats = text.cast(pa.float64()).fill_null(0.0)
        return np.asarray(floats.to_numpy(zero_copy_only=False), dtype=np.float64)

    frac = number(fraction, "f")
    sign = pc.struct_field(offset, "sign").to_numpy(zero_copy_only=False)
    shift = number(offset, "hh") * 3600.0 + number(offset, "mm") * 60.0
    shift = np.where(sign == "-", -shift, shift)
    has_offset = np.asarray(pc.is_valid(offset))
    return seconds + frac - shift, has_offset


def _refuse_repeated_columns(path: Path, encoding: str) -> None:
    """Refuse a header that names a column twice (as the log is read, case and spaces
    aside), before pyarrow reads the file: which of the two would be the log's?"""
    import csv

    with path.open(encoding=encoding, newline="") as handle:
        header = next(csv.reader(handle), [])
    seen: dict[str, int] = {}
    for name in header:
        key = name.strip().lower()
        seen[key] = seen.get(key, 0) + 1
    repeated = [f"{name} ({count} times)" for name, count in seen.items() if count > 1]
    if repeated:
        raise ConfigError(
            f"the header names a column more than once: {', '.join(repeated)}; keep one "
            "column of each name",
            file=str(path),
        )


def _read_table(path: Path, problems: Problems) -> tuple[Any, np.ndarray, dict[bytes, bytes]]:
    """Read the file with pyarrow; return the table, the file row of each table row (1 =
    first data row) and the Parquet metadata."""
    try:
        import pyarrow as pa
        import pyarrow.csv as pa_csv
        import pyarrow.parquet as pq
    except ImportError:
        raise ConfigError(
            "reading MES logs needs pyarrow; install it with pip install 'linesim[fit]'",
            file=str(path),
        ) from None
    file = str(path)
    if not path.is_file():
        raise ConfigError("file not found; check the path", file=file)
    if path.suffix.lower() in (".parquet", ".pq"):
        try:
            table = pq.read_table(path)
        except (pa.ArrowInvalid, OSError) as exc:
            raise ConfigError(f"not a readable Parquet file ({exc})", file=file) from None
        return table, np.arange(1, table.num_rows + 1), dict(table.schema.metadata or {})
    broken: list[tuple[int, str]] = []

    def skip(row: Any) -> str:
        broken.append((row.number or 0, row.text))
        return "skip"

    from sim.fit.text_encoding import log_encoding

    encoding = log_encoding(path)  # a binary or non-UTF-8 file is refused here
    _refuse_repeated_columns(path, encoding)
    text_columns = {name: pa.string() for name in (*REQUIRED, *OPTIONAL)}
    try:
        table = pa_csv.read_csv(
            path,
            read_options=pa_csv.ReadOptions(use_threads=False, encoding=encoding),
            parse_options=pa_csv.ParseOptions(invalid_row_handler=skip),
            convert_options=pa_csv.ConvertOptions(
                column_types=text_columns, strings_can_be_null=True
            ),
        )
    except (pa.ArrowInvalid, OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"not a readable CSV file ({exc})", file=file) from None
    # CSV line numbers count the header as line 1; data row = line - 1.
    skipped = np.array(sorted(number - 1 for number, _ in broken), dtype=np.int64)
    index = np.arange(1, table.num_rows + 1)
    rows = index + np.searchsorted(skipped - np.arange(len(skipped)), index, side="right")
    problems.add(
        "rows with the wrong number of fields",
        len(broken),
        "skipped",
        skipped,
        detail=f"first: {broken[0][1][:80]!r}" if broken else None,
    )
    return table, rows, {}


def _why_no_rows(problems: Problems, file: str, rows: int, stations: set[str] | None) -> str:
    """Why no row of the log is left, and what to do."""
    if rows == 0:
        return "the log has no rows, only a header; export the machines' state changes"
    foreign = problems.items.get("rows of stations not in the line")
    if foreign is not None and foreign["count"] >= rows and stations:
        return (
            f"no station of the log is a station of the line (the log has {foreign['detail']}; "
            f"the line has {', '.join(sorted(stations))}); rename them in the log or the "
            "line, or give the line the log was taken from"
        )
    return "no usable rows in the log (see the warnings above: " + (
        "; ".join(problems.lines(file))[:300] + ")"
    )


def _check_end(end: float, last: float, max_gap: float | None, iso: bool) -> None:
    """Refuse an ``end`` [s after the first row] that leaves no period, or that lies
    further after the last row than a state may last (that time would all be a gap)."""
    given = "--end (the log's end)"
    if not end > 0:
        raise ConfigError(
            f"{given} lies at or before the log's first row; give a later end"
            + (" (an ISO 8601 time, as the log's timestamps are)" if iso else "")
        )
    if max_gap is not None and end - last > max_gap:
        raise ConfigError(
            f"{given} lies {(end - last) / 86400:,.4g} d after the log's last row, longer "
            f"than --max-gap ({max_gap / 86400:,.4g} d): that time would be a gap, not the "
            "line's; give the log's end, or a larger --max-gap"
        )
    if end > MAX_DURATION_S:
        raise ConfigError(
            f"{given} makes the log's period {end / 86400:,.4g} d, longer than a run may "
            "be (1,000,000 y); give the log's end"
        )


def read_log(
    path: str | os.PathLike[str],
    time: TimeFormat = "auto",
    aliases: AliasFile | None = None,
    stations: set[str] | None = None,
    end: float | None = None,
    max_gap: float | None = 7 * 86400.0,
) -> MachineLog:
    """Read and clean an MES log.

    ``time`` says how ``timestamp`` is written (``iso``: ISO 8601 with or without offset;
    ``seconds``: seconds since a start; ``auto``: seconds if numeric, else ISO).
    ``stations`` are the line's stations (rows of others are dropped and counted; ``None``
    keeps all). ``end`` is the log's end in the timestamp's scale [s] (default: the Parquet
    metadata ``linesim.end``, else the last timestamp); ``max_gap`` [s] turns longer states
    into unaccounted time (``None``: never).
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    if max_gap is not None and not max_gap > 0:
        raise ConfigError(
            f"--max-gap must be a positive duration such as '7 d' (got {max_gap:g} s)"
        )
    source = Path(path)
    file = str(source)
    problems = Problems()
    table, rows, metadata = _read_table(source, problems)
    names = {name.strip().lower(): name for name in table.column_names}
    missing = [name for name in REQUIRED if name not in names]
    if missing:
        raise ConfigError(
            f"the log has no column {', '.join(missing)} (columns: "
            f"{', '.join(table.column_names) or 'none'}); a log needs "
            f"{', '.join(REQUIRED)} and may have {', '.join(OPTIONAL)}",
            file=file,
        )
    rows_read = table.num_rows + problems.items.get("rows with the wrong number of fields", {}).get(
        "count", 0
    )
    columns = {name: table.column(names[name]) for name in (*REQUIRED, *OPTIONAL) if name in names}
    stamp = columns["timestamp"]
    if pa.types.is_dictionary(stamp.type):
        stamp = stamp.cast(stamp.type.value_type)
    iso = False
    if pa.types.is_timestamp(stamp.type):
        if time == "seconds":
            raise ConfigError(
                "column timestamp holds date-times, not seconds; use --time iso", file=file
            )
        stamp_s = stamp.cast(pa.timestamp("us", tz=stamp.type.tz)).cast(pa.int64())
        seconds = stamp_s.to_numpy(zero_copy_only=False).astype(np.float64) / 1e6
        iso = True
    elif pa.types.is_integer(stamp.type) or pa.types.is_floating(stamp.type):
        if time == "iso":
            raise ConfigError(
                "column timestamp holds numbers, not ISO 8601 date-times; use --time seconds",
                file=file,
            )
        seconds = stamp.to_numpy(zero_copy_only=False).astype(np.float64)
    else:
        text = stamp.cast(pa.string())
        looks_iso = pc.match_substring_regex(text, r"^\s*\d{4}-\d\d-\d\d").fill_null(False)
        share_iso = pc.mean(looks_iso.cast(pa.float64())).as_py() or 0.0
        iso = time == "iso" or (time == "auto" and share_iso >= 0.5)
        if iso:
            seconds, has_offset = _iso_seconds(text)
            with_offset = int(has_offset.sum())
            if 0 < with_offset < len(has_offset):
                problems.add(
                    "timestamps without a UTC offset among ones with",
                    len(has_offset) - with_offset,
                    "read as UTC; give every timestamp an offset",
                    rows[~has_offset],
                )
        else:
            seconds = _numbers(text, "timestamp", Problems(), rows)
    bad_time = ~np.isfinite(seconds)
    problems.add(
        "unreadable timestamps",
        int(bad_time.sum()),
        f"rows dropped (expected {'ISO 8601' if iso else 'seconds'}; see --time)",
        rows[bad_time],
    )
    keep = ~bad_time

    def text_of(name: str) -> Any:
        column = columns[name]
        if pa.types.is_dictionary(column.type):
            column = column.cast(column.type.value_type)
        return pc.utf8_trim_whitespace(column.cast(pa.string()))

    station_text, machine_text = text_of("station"), text_of("machine")
    state_text = text_of("state")
    blank = np.zeros(len(seconds), dtype=bool)
    for column in (station_text, machine_text, state_text):
        blank |= np.asarray(pc.or_kleene(pc.is_null(column), pc.equal(column, "")).fill_null(True))
    problems.add(
        "rows without a station, machine or state",
        int((blank & keep).sum()),
        "rows dropped",
        rows[blank & keep],
    )
    keep &= ~blank

    # States: map the few distinct words through the alias table.
    words = pc.utf8_lower(state_text)
    words = pc.replace_substring_regex(words, r"[\s\-]+", "_")
    encoded = pc.dictionary_encode(words).combine_chunks()
    table_map = alias_table(aliases)
    vocabulary = encoded.dictionary.to_pylist()
    codes = encoded.indices.to_numpy(zero_copy_only=False)
    codes = np.where(np.isnan(codes.astype(np.float64)), 0, codes).astype(np.int64)
    lookup = np.array(
        [
            STATES.index(table_map[w]) if table_map.get(w) in STATES
            else (-1 if table_map.get(w) == IGNORE else UNKNOWN)
            for w in vocabulary
        ]
        or [UNKNOWN],
        dtype=np.int8,
    )  # fmt: skip
    state = lookup[codes]
    ignored = (state == -1) & keep
    if ignored.any():
        problems.add("rows with ignored state words", int(ignored.sum()), "dropped", rows[ignored])
    keep &= ~ignored
    unknown = (state == UNKNOWN) & keep
    if unknown.any():
        counts = np.bincount(codes[unknown], minlength=len(vocabulary))
        listed = ", ".join(
            f"{vocabulary[i]!r} x{counts[i]}" for i in np.argsort(-counts)[:8] if counts[i]
        )
        problems.add(
            "rows with unknown state words",
            int(unknown.sum()),
            "kept as unknown time (ending the state before); add the words to an --aliases file",
            rows[unknown],
            detail=listed,
        )

    station_codes = pc.dictionary_encode(station_text).combine_chunks()
    station_names = [str(s) for s in station_codes.dictionary.to_pylist()]
    station_index = np.nan_to_num(
        station_codes.indices.to_numpy(zero_copy_only=False).astype(np.float64), nan=0
    ).astype(np.int64)
    if stations is not None:
        known = np.array([name in stations for name in station_names] or [True], dtype=bool)
        foreign = ~known[station_index] & keep
        if foreign.any():
            counts = np.bincount(station_index[foreign], minlength=len(station_names))
            listed = ", ".join(
                f"{station_names[i]!r} x{counts[i]}" for i in np.argsort(-counts)[:8] if counts[i]
            )
            problems.add(
                "rows of stations not in the line",
                int(foreign.sum()),
                "dropped (rename them in the log or the line to use them)",
                rows[foreign],
                detail=listed,
            )
        keep &= ~foreign

    pairs = pc.binary_join_element_wise(station_text, machine_text, "\x1f")
    pair_codes = pc.dictionary_encode(pairs).combine_chunks()
    pair_names = [str(p) for p in pair_codes.dictionary.to_pylist()]
    pair_index = np.nan_to_num(
        pair_codes.indices.to_numpy(zero_copy_only=False).astype(np.float64), nan=0
    ).astype(np.int64)

    quantities = {}
    for name in OPTIONAL:
        if name in columns:
            values = _numbers(columns[name], name, problems, rows)
            negative = (values < 0) & keep
            problems.add(
                f"negative {name} values", int(negative.sum()), "counted as 0", rows[negative]
            )
            quantities[name] = np.where(np.isfinite(values) & (values > 0), values, 0.0)
        else:
            quantities[name] = np.zeros(len(seconds))

    # Keep what is valid; renumber machines densely.
    seconds, state, rows = seconds[keep], state[keep], rows[keep]
    pair_index = pair_index[keep]
    units, scrap = quantities["units"][keep], quantities["scrap"][keep]
    used, machine = np.unique(pair_index, return_inverse=True)
    machines = [tuple(pair_names[i].split("\x1f", 1)) for i in used.tolist()]
    if not len(seconds):
        raise ConfigError(_why_no_rows(problems, file, table.num_rows, stations), file=file)

    # Rows out of time order within a machine (in file order).
    by_machine = np.argsort(machine, kind="stable")
    backwards = (np.diff(seconds[by_machine]) < 0) & (np.diff(machine[by_machine]) == 0)
    problems.add(
        "rows earlier than the row before them of the same machine",
        int(backwards.sum()),
        "sorted by time (clock jumps backwards are sorted too)",
        rows[by_machine][1:][backwards],
    )
    order = np.lexsort((rows, seconds, machine))
    seconds, state, rows, machine = seconds[order], state[order], rows[order], machine[order]
    units, scrap = units[order], scrap[order]

    same = (np.diff(machine) == 0) & (np.diff(seconds) == 0)
    duplicate = same & (np.diff(state) == 0) & (np.diff(units) == 0) & (np.diff(scrap) == 0)
    dropped = np.concatenate([duplicate, [False]])  # the earlier of two equal rows
    problems.add("duplicate rows", int(dropped.sum()), "dropped", rows[dropped])
    keep2 = ~dropped
    seconds, state, rows, machine = seconds[keep2], state[keep2], rows[keep2], machine[keep2]
    units, scrap = units[keep2], scrap[keep2]
    same = np.concatenate([(np.diff(machine) == 0) & (np.diff(seconds) == 0), [False]])
    if same.any():
        # Two states of one machine at one instant: the later row wins; quantities carry.
        problems.add(
            "rows at the same instant as a later row of the same machine",
            int(same.sum()),
            "the later row's state kept, units and scrap added to it",
            rows[same],
        )
        group = np.concatenate([[0], np.cumsum(~same[:-1])])
        last_of_group = ~same
        units = np.bincount(group, weights=units)[group][last_of_group]
        scrap = np.bincount(group, weights=scrap)[group][last_of_group]
        seconds, state = seconds[last_of_group], state[last_of_group]
        rows, machine = rows[last_of_group], machine[last_of_group]

    origin = float(seconds.min())
    seconds = seconds - origin
    if end is not None:
        _check_end(float(end) - origin, float(seconds.max()), max_gap, iso)
    elif b"linesim.end" in metadata:
        end = float(metadata[b"linesim.end"])
    log_end = float(seconds.max()) if end is None else float(end) - origin
    after = seconds > log_end
    if after.any():
        problems.add("rows after the log's end (--end)", int(after.sum()), "dropped", rows[after])
        keep3 = ~after
        seconds, state, rows, machine = seconds[keep3], state[keep3], rows[keep3], machine[keep3]
        units, scrap = units[keep3], scrap[keep3]

    last = np.concatenate([np.diff(machine) != 0, [True]])
    first = np.concatenate([[True], np.diff(machine) != 0])
    following = np.concatenate([seconds[1:], [log_end]])
    duration = np.where(last, log_end, following) - seconds
    if max_gap is not None:
        gap = (duration > max_gap) & (state < UNKNOWN)
        if gap.any():
            problems.add(
                "states longer than the largest gap allowed (--max-gap)",
                int(gap.sum()),
                "their time counted as unaccounted, not as the state",
                rows[gap],
            )
            state = np.where(gap, GAP, state).astype(np.int8)
    station_of_machine = np.array([station_names.index(m[0]) for m in machines], dtype=np.int64)
    return MachineLog(
        file=file,
        time=seconds,
        machine=machine,
        state=state.astype(np.int8),
        units=units,
        scrap=scrap,
        row=rows,
        duration=duration,
        first=first,
        last=last,
        machines=[(str(a), str(b)) for a, b in machines],
        machine_station=station_of_machine,
        stations=station_names,
        end=log_end,
        origin=origin,
        iso=iso,
        rows_read=int(rows_read),
        has_units="units" in columns,
        has_scrap="scrap" in columns,
        problems=problems,
    )
