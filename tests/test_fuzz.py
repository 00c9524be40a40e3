"""Fuzzing: random lines and broken copies of the shipped files either run or are refused
with a clear error, never a traceback or a hang.

Three sources of input: random serial lines and random general lines (materials, merges,
lots, batches, delays), valid or not, and random mutations of the YAML files in
``configs/`` and ``scenarios/`` (a key deleted, renamed or written twice, a number made
negative, zero, huge or a string, the file cut short, garbage inserted). Every input is
loaded, checked by ``linesim validate``'s checker, and run for a short horizon under an
event bound; a serial line that runs must conserve jobs. Inputs that once failed are kept
in ``tests/fuzz_corpus/`` and replayed by :func:`test_corpus`.
"""

from __future__ import annotations

import contextlib
import math
import re
import shutil
import warnings
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.cli.validate import check_file
from sim.engine import simulate
from sim.errors import ConfigError, ConfigErrors, LinesimError, RunError
from sim.model import load_line, load_scenario
from sim.model.loader import read_yaml
from sim.model.units import SECONDS_PER
from sim.model.warnings import line_warnings, scenario_warnings

# Hypothesis imports libcst to print a failing example, which warns under
# filterwarnings = error; import it here with that warning silenced (as test_properties).
with warnings.catch_warnings(), contextlib.suppress(ImportError):
    warnings.simplefilter("ignore", DeprecationWarning)
    import hypothesis.extra._patching  # noqa: F401

ROOT = Path(__file__).resolve().parent.parent
CORPUS = Path(__file__).resolve().parent / "fuzz_corpus"
SHIPPED = sorted(
    str(p.relative_to(ROOT))
    for folder in ("configs", "scenarios")
    for p in (ROOT / folder).glob("*.yaml")
    if {"line", "stations"} & set(yaml.safe_load(p.read_text(encoding="utf-8")))
)
"""The line and scenario files shipped with linesim, relative to the repository root."""
MAX_EVENTS = 100_000
"""Event bound of every fuzz run [-]: a hang guard (a run of a few hours takes far fewer)."""
HORIZON_S = 6 * 3600.0
"""Simulated time of every fuzz run [s]."""
FUZZ = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
"""A few seconds per test; the whole file stays well under a minute."""


def run_briefly(path: Path) -> None:
    """Load ``path`` (scenario if it has ``line:``, else line), run it for a short horizon,
    and check the outcome: it runs (and a serial line conserves jobs) or a LinesimError
    names the file. ``linesim validate``'s checker must agree on whether it loads."""
    try:
        data: Any = read_yaml(path)[0]
    except LinesimError:
        data = None
    scenario = isinstance(data, dict) and "line" in data
    errors, _warnings = check_file(str(path))
    if (
        isinstance(data, dict)
        and not scenario
        and "stations" not in data
        and (isinstance(data.get("levers"), dict) or "compare" in data or "scenario" in data)
    ):
        return  # a lever, comparison or sweep file: validate checks what it names
    try:
        if scenario:
            loaded = load_scenario(path, horizon=f"{HORIZON_S} s", warmup=0, replications=1)
            line = loaded.line
            scenario_warnings(loaded)
        else:
            line = load_line(path)
            line_warnings(line)
    except LinesimError as exc:
        assert_clear(exc, path)
        assert errors, f"validate passed {path} but loading failed: {exc}"
        return
    assert not errors, f"validate refused {path} but it loads: {errors}"
    horizon = HORIZON_S / SECONDS_PER[line.time_unit]
    try:
        result = simulate(line, horizon, 0.0, 1, 0, max_events=MAX_EVENTS)
    except RunError as exc:
        text = str(exc)
        assert f"line {line.name!r}" in text, text
        assert "deadlocked" in text or "stopped after" in text or "CONWIP" in text, text
        return
    if line.written_serial:  # jobs in, jobs out
        assert result.released_total == pytest.approx(
            result.good_total + result.scrapped_total + result.wip_end
        )
    assert all(math.isfinite(x) and x >= 0 for x in (result.good_total, result.released_total))


def assert_clear(exc: LinesimError, path: Path) -> None:
    """A refusal names a file (and where known a line and a YAML path), in one line each."""
    found = exc.errors if isinstance(exc, ConfigErrors) else [exc]
    assert found
    for error in found:
        assert isinstance(error, ConfigError), repr(error)
        assert error.file, str(error)
        assert str(error).startswith(error.file)
        assert error.message.strip() and "\n" not in error.message
        assert "Traceback" not in error.message


def write(folder: Path, name: str, data: Any) -> Path:
    """Write ``data`` (YAML-able, or text) as ``folder/name``."""
    path = folder / name
    text = data if isinstance(data, str) else yaml.safe_dump(data, sort_keys=False)
    path.write_text(text, encoding="utf-8")
    return path


# ----------------------------------------------------------------- random lines


def rarely(
    valid: st.SearchStrategy[Any], invalid: st.SearchStrategy[Any], odds: int = 12
) -> st.SearchStrategy[Any]:
    """``valid``, or about once in ``odds`` draws ``invalid``: most inputs get to run."""
    return st.integers(1, odds).flatmap(lambda n: invalid if n == odds else valid)


times = rarely(
    st.one_of(
        st.floats(0.05, 3.0),
        st.sampled_from(["45 s", "2 min", "1.5 h"]),
        st.builds(lambda m: {"dist": "exponential", "mean": m}, st.floats(0.05, 3.0)),
        st.builds(
            lambda m, cv: {"dist": "gamma", "mean": m, "cv": cv},
            st.floats(0.05, 3.0),
            st.floats(0.1, 2.0),
        ),
        st.builds(
            lambda a, w: {"dist": "uniform", "low": a, "high": a + w},
            st.floats(0.0, 2.0),
            st.floats(0.01, 2.0),
        ),
    ),
    st.sampled_from(
        [
            0,
            -1,
            "soon",
            1e-300,
            {"dist": "uniform", "low": 1, "high": 0.5},
            {"dist": "uniform", "low": 0, "high": 1e-300},
        ]
    ),
)
"""Process times, a few of them invalid (or absurdly small)."""


@st.composite
def features(draw: st.DrawFn, station: dict[str, Any], names: list[str]) -> dict[str, Any]:
    """Add optional machine features to ``station``."""
    if draw(st.integers(0, 3)) == 0:
        station["failures"] = {
            "mtbf": draw(st.floats(0.5, 50.0)),
            "mttr": draw(st.floats(0.05, 5.0)),
            "basis": draw(st.sampled_from(["operating", "calendar"])),
        }
    if draw(st.integers(0, 4)) == 0:
        station["minor_stops"] = {
            "mtbf": draw(st.floats(0.5, 10.0)),
            "duration": draw(st.floats(0.01, 0.5)),
        }
    if draw(st.integers(0, 4)) == 0:
        station["maintenance"] = {
            "every": draw(st.floats(1.0, 30.0)),
            "duration": draw(st.floats(0.1, 3.0)),
        }
    if draw(st.integers(0, 4)) == 0:
        trigger = draw(rarely(st.sampled_from([{"every": 3}, {"interval": 5.0}]), st.just({})))
        station["setup"] = {**trigger, "time": draw(times)}
    if draw(st.integers(0, 4)) == 0:
        station["shifts"] = draw(
            rarely(st.sampled_from([["day"], ["day", "night"]]), st.sampled_from([["nope"], []]))
        )
    later = names[names.index(station["name"]) + 1 :]
    if draw(st.integers(0, 5)) == 0:
        station["defects"] = {
            "rate": draw(st.floats(0.0, 0.5)),
            "found_at": draw(
                rarely(st.sampled_from(later), st.sampled_from(names))
                if later
                else st.sampled_from(names)
            ),
        }
    if draw(st.integers(0, 2)) == 0:
        station["scrap"] = draw(rarely(st.sampled_from([0.0, 0.05, 0.3, 0.99]), st.just(1.0)))
    return station


@st.composite
def serial_lines(draw: st.DrawFn) -> dict[str, Any]:
    """Raw data of a random serial line, valid or not (batches and CONWIP levels that can
    never start, buffers smaller than batches, delays and lots where they do not belong)."""
    count = draw(st.integers(1, 5))
    names = [f"s{i}" for i in range(count)]
    items = []
    for name in names:
        station: dict[str, Any] = {
            "name": name,
            "machines": draw(st.integers(1, 3)),
            "process_time": draw(times),
        }
        if draw(st.booleans()):
            station["buffer"] = draw(st.integers(0, 6))
        if draw(st.integers(0, 2)) == 0:
            size = draw(st.integers(1, 6))
            station["batch"] = {"size": size, "min": draw(st.integers(1, size))}
        if draw(st.integers(0, 15)) == 0:
            station["lot"] = 2
        if draw(st.integers(0, 15)) == 0:
            station["kind"] = "delay"
        items.append(draw(features(station, names)))
    release = draw(
        st.sampled_from(
            [
                {"policy": "conwip", "wip": draw(st.integers(1, 12))},
                {"policy": "push"},
                {"policy": "push", "interarrival": draw(times)},
            ]
        )
    )
    return {
        "name": "fuzz-serial",
        "time_unit": draw(st.sampled_from(["h", "min"])),
        "release": release,
        "shifts": [
            {"name": "day", "start": 6, "length": 12},
            {"name": "night", "start": 18, "length": 12},
        ],
        "stations": items,
    }


@st.composite
def general_lines(draw: st.DrawFn) -> dict[str, Any]:
    """Raw data of a random line with materials: a chain with merges from two raw
    materials, lots, splits, batches and delays, valid or not."""
    count = draw(st.integers(1, 5))
    names = [f"s{i}" for i in range(count)]
    materials: dict[str, Any] = {"powder": {"unit": "kg"}, "case": {"unit": "pcs"}}
    open_: list[str] = []  # made and not yet taken
    stations = []
    for index, name in enumerate(names):
        out = f"m{index}"
        material: dict[str, Any] = {"unit": draw(st.sampled_from(["pcs", "pcs", "kg", "m"]))}
        if draw(st.booleans()):
            material["buffer"] = float(
                draw(
                    rarely(st.sampled_from([50, 100, 200, 1000]), st.sampled_from([0, 1, 5, 20]), 4)
                )
            )
        materials[out] = material
        choices = [*open_, "powder", "case"]
        picked = draw(st.lists(st.sampled_from(choices), min_size=1, max_size=2, unique=True))
        open_ = [m for m in open_ if m not in picked]
        quantity = draw(rarely(st.sampled_from([1, 1, 2]), st.just(0.5)))
        station: dict[str, Any] = {"name": name, "process_time": draw(times)}
        soaks = picked[0] not in ("powder", "case") or draw(st.integers(0, 10)) == 0
        if soaks and draw(st.integers(0, 3)) == 0:  # a delay soaks one material
            station.update(kind="delay", inputs={picked[0]: quantity}, output={out: quantity})
            if draw(st.booleans()):
                station["capacity"] = float(draw(st.sampled_from([1, 10, 100, 1000])))
            if draw(st.integers(0, 3)) == 0:
                station["scrap"] = 0.1
        else:
            station.update(
                inputs={m: draw(st.sampled_from([1, 2, 0.5])) for m in picked},
                output={out: quantity},
                machines=draw(st.integers(1, 3)),
            )
            lot = draw(st.sampled_from([1, 1, 2, 4, 10, 48]))
            station["lot"] = lot
            if draw(st.integers(0, 3)) == 0:
                station["split"] = draw(
                    rarely(st.sampled_from([d for d in (1, 2, 4, 8) if lot % d == 0]), st.just(3))
                )
            if draw(st.integers(0, 3)) == 0:
                size = draw(st.integers(1, 12))
                station["batch"] = {"size": size, "min": draw(st.integers(1, size))}
                station.pop("split", None)
            station = draw(features(station, names))
        stations.append(station)
        open_.append(out)
    line: dict[str, Any] = {
        "name": "fuzz-general",
        "time_unit": "h",
        "release": {"policy": "push"},
        "shifts": [
            {"name": "day", "start": 6, "length": 12},
            {"name": "night", "start": 18, "length": 12},
        ],
        "materials": materials,
        "stations": stations,
    }
    if draw(st.integers(0, 3)) == 0:
        line["product"] = {"cell": f"m{count - 1}", "ah_per_cell": 50}
    return line


@FUZZ
@given(data=serial_lines())
def test_random_serial_lines(
    tmp_path_factory: pytest.TempPathFactory, data: dict[str, Any]
) -> None:
    """A random serial line runs and conserves jobs, or is refused with a located error."""
    run_briefly(write(tmp_path_factory.mktemp("serial"), "line.yaml", data))


@FUZZ
@given(data=general_lines())
def test_random_general_lines(
    tmp_path_factory: pytest.TempPathFactory, data: dict[str, Any]
) -> None:
    """A random line with materials runs or is refused with a located error."""
    run_briefly(write(tmp_path_factory.mktemp("general"), "line.yaml", data))


# ----------------------------------------------------------------- mutated files

KEY = re.compile(r"^(\s*(?:-\s+)?)([A-Za-z_][\w-]*)(\s*:)")
NUMBER = re.compile(r"(?<![\w.\"'-])\d+(?:\.\d+)?(?![\w.])")
BAD_NUMBERS = [
    "-1",
    "0",
    "-0.5",
    "1e308",
    "99999999999",
    "1e-300",
    "abc",
    ".nan",
    ".inf",
    "null",
    "[]",
    "{}",
    "true",
    "1000000000",
    "-.inf",
    "'12 parsecs'",
]
garbage = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=30)


@st.composite
def mutations(draw: st.DrawFn) -> tuple[str, str]:
    """A shipped file (relative path) and a broken version of its text."""
    name = draw(st.sampled_from(SHIPPED))
    text = (ROOT / name).read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    keyed = [i for i, line in enumerate(lines) if KEY.match(line)]
    numbered = [i for i, line in enumerate(lines) if NUMBER.search(line.split("#")[0])]
    kind = draw(
        st.sampled_from(
            ["delete", "number", "rename", "duplicate", "truncate", "garbage", "retype"]
        )
    )
    if kind == "delete" and keyed:
        del lines[draw(st.sampled_from(keyed))]
    elif kind == "number" and numbered:
        index = draw(st.sampled_from(numbered))
        code, _, comment = lines[index].partition("#")
        spans = [m.span() for m in NUMBER.finditer(code)]
        start, end = draw(st.sampled_from(spans))
        lines[index] = (
            code[:start]
            + draw(st.sampled_from(BAD_NUMBERS))
            + code[end:]
            + ("#" + comment if comment else "")
        )
    elif kind == "rename" and keyed:
        index = draw(st.sampled_from(keyed))
        new = draw(st.sampled_from(["x", "name", "stations", "bufer", "machines", "line"]))
        lines[index] = KEY.sub(lambda m: m.group(1) + new + m.group(3), lines[index], count=1)
    elif kind == "duplicate" and keyed:
        index = draw(st.sampled_from(keyed))
        lines.insert(index + 1, lines[index])
    elif kind == "truncate":
        cut = draw(st.integers(0, len(text)))
        return name, text[:cut]
    elif kind == "retype" and keyed:
        index = draw(st.sampled_from(keyed))
        match = KEY.match(lines[index])
        assert match is not None
        value = draw(st.sampled_from(["[1, 2]", "{a: 1}", "''", "-5", "~", "*x", "&x 3"]))
        lines[index] = match.group(0) + " " + value + "\n"
    else:
        position = draw(st.integers(0, len(text)))
        return name, text[:position] + draw(garbage) + text[position:]
    return name, "".join(lines)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of configs/ and scenarios/ (scenarios name ../configs/...)."""
    root = tmp_path_factory.mktemp("project")
    for folder in ("configs", "scenarios"):
        shutil.copytree(ROOT / folder, root / folder)
    return root


@settings(FUZZ, max_examples=200)
@given(mutation=mutations())
def test_mutated_shipped_files(project: Path, mutation: tuple[str, str]) -> None:
    """A broken copy of a shipped line or scenario runs or is refused with a clear error."""
    name, text = mutation
    target = project / name
    original = (ROOT / name).read_text(encoding="utf-8")
    try:
        target.write_text(text, encoding="utf-8")
        run_briefly(target)
    finally:
        target.write_text(original, encoding="utf-8")


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_files_run_briefly(name: str) -> None:
    """Every shipped file passes the fuzz property unchanged (the mutations' baseline)."""
    run_briefly(ROOT / name)


# ----------------------------------------------------------------- regression corpus


@pytest.mark.parametrize("path", sorted(CORPUS.glob("*.yaml")), ids=lambda p: p.name)
def test_corpus(path: Path) -> None:
    """Inputs that once crashed, hung or passed silently: each is refused or runs."""
    run_briefly(path)
