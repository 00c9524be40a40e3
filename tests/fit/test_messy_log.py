"""A synthetic MES log with plant words, ISO times, shuffled rows and broken rows fits
with warnings that count each problem; nothing is dropped silently."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from sim.errors import ConfigError, ConfigErrors
from sim.fit import fit_log, load_aliases, read_log

LINE = """name: two-step
time_unit: min
release: {policy: push}
stations:
  - {name: press, process_time: {dist: exponential, mean: 2}, failures: {mtbf: 60, mttr: 5}}
  - {name: pack, process_time: 1}
"""


def _clean_rows(rng: np.random.Generator, cycles: int) -> list[list[str]]:
    """A press log in plant words: run (one row per cycle), fault, starved."""
    rows = []
    t = 0.0
    start = np.datetime64("2026-03-02T06:00:00")
    for index in range(cycles):
        rows.append([t, "press", "P1", "Run" if index % 2 else "production", "1"])
        t += rng.exponential(120.0)
        if index % 10 == 9:
            rows.append([t, "press", "P1", "breakdown", ""])
            t += rng.exponential(300.0)
        if index % 7 == 3:
            rows.append([t, "press", "P1", "starved", ""])
            t += 30.0
    return [[str(start + np.timedelta64(int(r[0] * 1000), "ms")) + "+01:00", *r[1:]] for r in rows]


def test_messy_log_counts_every_problem(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    rows = _clean_rows(rng, 2000)
    good = len(rows)
    rows += [rows[10], rows[20]]  # exact duplicates
    rows.append(["2026-03-02T06:00:10+01:00", "press", "P1", "coffee", ""])  # unknown word
    rows.append(["not a time", "press", "P1", "run", "1"])
    rows.append(["2026-03-02T07:00:00+01:00", "paint", "X", "run", "1"])  # not in the line
    rows.append(["2026-03-02T07:00:00+01:00", "press", "P1", "run", "many"])
    order = rng.permutation(len(rows))
    lines = ["timestamp,station,machine,state,units"]
    lines += [",".join(rows[i]) for i in order]
    lines.insert(50, "2026-03-02T08:00:00,press,P1,run,1,extra,fields")
    log = tmp_path / "mes.csv"
    log.write_text("\n".join(lines) + "\n")
    line = tmp_path / "line.yaml"
    line.write_text(LINE)

    result = fit_log(log, line, tmp_path / "out")
    problems = json.loads((tmp_path / "out" / "fit.json").read_text())["problems"]
    counts = {name: entry["count"] for name, entry in problems.items()}
    assert counts["rows with the wrong number of fields"] == 1
    assert counts["duplicate rows"] == 2
    assert counts["rows with unknown state words"] == 1
    assert counts["unreadable timestamps"] == 1
    assert counts["rows of stations not in the line"] == 1
    assert counts["non-numeric units values"] == 1
    assert counts["rows earlier than the row before them of the same machine"] > 100
    assert "'coffee' x1" in problems["rows with unknown state words"]["detail"]
    # The file row named for the broken timestamp holds it.
    bad_row = problems["unreadable timestamps"]["rows"][0]
    assert log.read_text().splitlines()[bad_row].startswith("not a time")
    assert any("duplicate rows" in w for w in result.warnings)
    # Read, dropped and kept add up.
    used = result.record["rows_used"]
    dropped = 2 + 1 + 1 + 1  # duplicates, bad time, foreign station, wrong fields
    assert used == good + 2  # the unknown word and the 'many' units rows are kept
    assert result.record["rows_read"] == used + dropped
    fitted = result.setting("stations.press.process_time").value
    assert fitted["mean"] == pytest.approx(2.0, rel=0.1)  # 120 s = 2 min
    assert result.setting("stations.press.failures.mttr").value == pytest.approx(5, rel=0.25)


def test_alias_file_adds_words_and_locates_errors(tmp_path: Path) -> None:
    aliases = tmp_path / "aliases.yaml"
    aliases.write_text("busy: [cycling]\nignore: [heartbeat]\n")
    log = tmp_path / "log.csv"
    log.write_text(
        "timestamp,station,machine,state\n0,press,1,cycling\n10,press,1,heartbeat\n"
        "20,press,1,idle\n30,press,1,cycling\n40,press,1,idle\n"
    )
    read = read_log(log, aliases=load_aliases(aliases))
    assert read.problems.items["rows with ignored state words"]["count"] == 1
    assert list(read.state) == [0, 1, 0, 1]
    bad = tmp_path / "bad.yaml"
    bad.write_text("busy: [run]\nbroken: [fault]\n")
    with pytest.raises(ConfigErrors) as error:
        load_aliases(bad)
    assert "bad.yaml:2:1" in str(error.value) and "unknown state 'broken'" in str(error.value)


def test_missing_column_is_a_located_error(tmp_path: Path) -> None:
    log = tmp_path / "log.csv"
    log.write_text("time,station,machine,state\n0,a,1,busy\n")
    with pytest.raises(ConfigError, match="no column timestamp"):
        read_log(log)


def test_seconds_and_iso_give_the_same_durations(tmp_path: Path) -> None:
    seconds = tmp_path / "s.csv"
    seconds.write_text("timestamp,station,machine,state\n0,a,1,busy\n90,a,1,idle\n150,a,1,busy\n")
    iso = tmp_path / "iso.csv"
    iso.write_text(
        "timestamp,station,machine,state\n2026-01-01T00:00:00Z,a,1,busy\n"
        "2026-01-01 01:01:30+01:00,a,1,idle\n2026-01-01T00:02:30.000Z,a,1,busy\n"
    )
    a, b = read_log(seconds, time="seconds"), read_log(iso, time="iso")
    assert list(a.duration) == list(b.duration) == [90.0, 60.0, 0.0]


def test_log_rows_match_the_published_schema() -> None:
    """The shipped example's rows validate against the JSON Schema of a log row."""
    import csv

    import jsonschema

    from sim.fit.schema import alias_schema, log_row_schema

    example = Path(__file__).resolve().parents[2] / "scenarios" / "mes_example"
    validator = jsonschema.Draft202012Validator(log_row_schema())
    with open(example / "mes_log.csv", newline="") as stream:
        for number, row in enumerate(csv.DictReader(stream)):
            if number >= 300:
                break
            if None in row.values():  # the row cut short on purpose
                continue
            record = {k: v for k, v in row.items() if v != ""}
            for key in ("units", "scrap"):
                if key in record:
                    record[key] = float(record[key])
            validator.validate(record)
    jsonschema.Draft202012Validator.check_schema(alias_schema())


LOG_TEXT = "timestamp,station,machine,state\n0,a,1,busy\n90,a,1,idle\n150,a,1,busy\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-32"])
def test_a_log_reads_the_same_in_every_marked_encoding(tmp_path: Path, encoding: str) -> None:
    """UTF-8 with or without a byte-order mark and UTF-16/32 with one (Windows exports)
    give the same log."""
    plain, other = tmp_path / "plain.csv", tmp_path / "other.csv"
    plain.write_text(LOG_TEXT, encoding="utf-8")
    other.write_text(LOG_TEXT, encoding=encoding)
    a, b = read_log(plain, time="seconds"), read_log(other, time="seconds")
    assert list(a.duration) == list(b.duration) == [90.0, 60.0, 0.0]
    assert a.machines == b.machines


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"PK\x03\x04\x14\x00\x06\x00" + bytes(range(256)) * 4, "a binary file"),
        ("timestamp,station,machine,state\n0,pr\u00e9s,1,busy\n".encode("latin-1"), "not UTF-8"),
        (b"timestamp,station,Timestamp ,state\n0,a,1,busy\n", r"timestamp \(2 times\)"),
    ],
    ids=["binary", "latin-1", "repeated-column"],
)
def test_an_unreadable_log_is_refused_with_the_fix(
    tmp_path: Path, content: bytes, message: str
) -> None:
    """A spreadsheet or archive, another code page, or a header naming a column twice is
    a ConfigError naming the file and what to do, never a traceback or the file's bytes."""
    log = tmp_path / "log.csv"
    log.write_bytes(content)
    with pytest.raises(ConfigError, match=message) as caught:
        read_log(log, time="seconds")
    assert str(log) in str(caught.value) and "\\x" not in str(caught.value)
