"""Smart levers: each changes exactly the parameters it names, and bad targets are clear errors.

The first part loads the reference line with each lever of ``configs/levers_prismatic.yaml``
alone (``load_scenario(scenarios/smart.yaml, levers=[name])``) and compares the validated
line's ``model_dump`` with the baseline's. The expected changes are worked out
independently from the raw lever and line YAML: ``*`` expands over the items that have the
key, ``scale`` multiplies, ``add`` adds, ``set`` replaces and ``set: null`` removes (the
key falls back to its default, ``None`` for optional blocks).

The second part writes small line, lever and scenario files into ``tmp_path`` and checks
that every bad lever target is a :class:`ConfigError` naming the file and YAML path to fix,
through the API and through ``linesim run`` (exit 2, no traceback).
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest
import yaml

import sim.cli
from sim.errors import ConfigError, ConfigErrors, LinesimError
from sim.model import load_scenario

ROOT = Path(__file__).resolve().parents[2]
BASELINE = ROOT / "scenarios" / "baseline.yaml"
SMART = ROOT / "scenarios" / "smart.yaml"
LEVER_FILE = ROOT / "configs" / "levers_prismatic.yaml"
LINE_FILE = ROOT / "configs" / "prismatic_lfp_300mah.yaml"

MISSING = object()
"""A dotted path absent from a dump."""


def lever_changes() -> dict[str, list[dict[str, Any]]]:
    """Lever name -> its raw changes, read straight from the lever YAML: the levers of the
    reference line, not those that act on a product mix (``products.`` paths, which match
    nothing in the reference line; tested on the mix in tests/model/test_products.py)."""
    raw = yaml.safe_load(LEVER_FILE.read_text(encoding="utf-8"))
    return {
        name: list(lever.get("changes") or [])
        for name, lever in raw["levers"].items()
        if not any(str(c["path"]).startswith("products.") for c in lever.get("changes") or [])
    }


LEVERS = lever_changes()


def flatten(node: Any, prefix: str = "", out: dict[str, Any] | None = None) -> dict[str, Any]:
    """Dotted path -> leaf value; lists of named items are keyed by name."""
    out = {} if out is None else out
    if isinstance(node, dict):
        for key, value in node.items():
            flatten(value, f"{prefix}.{key}" if prefix else str(key), out)
    elif (
        isinstance(node, list)
        and node
        and all(isinstance(item, dict) and "name" in item for item in node)
    ):
        for item in node:
            flatten(item, f"{prefix}.{item['name']}", out)
    else:
        out[prefix] = node
    return out


def expand(raw: Any, path: str, creating: bool) -> list[str]:
    """Dotted paths (items by name) that ``path`` names in raw line data; ``*`` matches
    every item or key that has the rest of the path. ``creating``: the last key may be new."""
    parts = path.split(".")
    found: list[str] = []

    def walk(node: Any, depth: int, prefix: str) -> None:
        key = parts[depth]
        last = depth == len(parts) - 1
        children: list[tuple[str, Any]] = []
        if isinstance(node, list):
            children = [
                (str(item["name"]), item)
                for item in node
                if isinstance(item, dict) and (key == "*" or str(item.get("name")) == key)
            ]
        elif isinstance(node, dict):
            if key == "*":
                children = [(str(k), v) for k, v in node.items()]
            elif key in node or (last and creating):
                children = [(key, node.get(key))]
        for name, child in children:
            dotted = f"{prefix}.{name}" if prefix else name
            if last:
                found.append(dotted)
            else:
                walk(child, depth + 1, dotted)

    walk(raw, 0, "")
    return found


def dump(scenario_line: Any) -> dict[str, Any]:
    """The validated line as a nested dict (YAML key names)."""
    return scenario_line.model_dump(by_alias=True)


def leaf_path(data: dict[str, Any], path: str) -> str:
    """The dump path holding the number a raw path names: a bare number for a distribution
    is a constant, whose number is ``value``."""
    node: Any = data
    for part in path.split("."):
        if isinstance(node, list):
            node = next((item for item in node if item.get("name") == part), None)
        elif isinstance(node, dict):
            node = node.get(part)
        else:
            return path
    if isinstance(node, dict) and node.get("dist") == "constant":
        return f"{path}.value"
    return path


def expected_changes(names: list[str], base: dict[str, Any]) -> tuple[dict[str, Any], set[str]]:
    """Apply the named levers' changes, in order, to the baseline's flattened dump.

    Returns (target dump path -> expected value, or ``None`` for a removed block) and the
    set of raw target paths (for changes that remove a whole block).
    """
    raw_line = yaml.safe_load(LINE_FILE.read_text(encoding="utf-8"))
    flat = flatten(base)
    expected: dict[str, Any] = {}
    removed: set[str] = set()
    for name in names:
        for change in LEVERS[name]:
            creating = "set" in change
            targets = expand(raw_line, change["path"], creating)
            assert targets, f"{name}: {change['path']} names nothing in the line"
            for target in targets:
                if "set" in change and change["set"] is None:
                    removed.add(target)
                    expected[target] = None
                    continue
                path = leaf_path(base, target)
                old = expected.get(path, flat.get(path, MISSING))
                if "set" in change:
                    expected[path] = change["set"]
                elif "scale" in change:
                    expected[path] = old * float(change["scale"])
                else:
                    expected[path] = old + float(change["add"])
    return expected, removed


def assert_exact_changes(names: list[str]) -> None:
    """Load the reference line with ``names`` levers and check the diff against baseline."""
    base_scenario = load_scenario(BASELINE)
    smart = load_scenario(SMART, levers=names)
    assert smart.levers == tuple(names)
    assert set(smart.lever_info) == set(names)
    for info in smart.lever_info.values():
        assert info["description"] and info["source"]
    base = dump(base_scenario.line)
    new = dump(smart.line)
    flat_base, flat_new = flatten(base), flatten(new)
    changed = {
        path
        for path in set(flat_base) | set(flat_new)
        if flat_base.get(path, MISSING) != flat_new.get(path, MISSING)
    }
    expected, removed = expected_changes(names, base)
    should_change = {
        path
        for path, value in expected.items()
        if path in removed or flat_base.get(path, MISSING) != value
    }

    def under(path: str, target: str) -> bool:
        return path == target or path.startswith(target + ".")

    stray = {p for p in changed if not any(under(p, t) for t in should_change)}
    assert not stray, f"{names}: changed but not named by the lever: {sorted(stray)}"
    missed = {t for t in should_change if not any(under(p, t) for p in changed)}
    assert not missed, f"{names}: named but unchanged: {sorted(missed)}"
    for path, value in expected.items():
        if path in removed:
            assert flat_new.get(path, MISSING) is None, path
            assert not any(p.startswith(path + ".") for p in flat_new), path
        elif isinstance(value, float):
            assert flat_new[path] == pytest.approx(value, rel=1e-12, abs=1e-15), path
        elif isinstance(value, dict):  # a set of a whole block: each key given
            for key, item in value.items():
                assert flat_new[f"{path}.{key}"] == item, f"{path}.{key}"
        else:
            assert flat_new[path] == value, path


@pytest.mark.parametrize("name", sorted(LEVERS))
def test_each_lever_changes_exactly_what_it_names(name: str) -> None:
    """Known answer: the changed dotted paths of the validated line are exactly the lever's
    targets (``*`` expanded over stations that have the key, a number that stays the same,
    such as 0 operators x 0.6, is not a change), each with value old x scale, old + add,
    the set value, or removed (``None``) for ``set: null``."""
    assert_exact_changes([name])


def test_all_levers_together_compose_in_order() -> None:
    """Known answer: the smart line (all ten levers) differs from the baseline by the
    union of the levers' changes, applied in order: indirect staff 120 + 4 - 10 - 3 + 2 =
    113, the building untouched (15 M), and each lever's equipment a plant investment next
    to the before line's manual logistics: 0.3 + 0.8 + 0.6 + 1.0 + 4.0 + 2.0 + 1.5 + 3.0
    + 1.5 + 0.4 + 0.5 = 15.6 M EUR."""
    assert_exact_changes(list(LEVERS))
    smart = load_scenario(SMART)
    assert smart.line.costs is not None
    assert smart.line.costs.indirect_staff == pytest.approx(113.0)
    assert smart.line.costs.building.capex == pytest.approx(15e6)
    investments = smart.line.costs.investments
    assert sum(item.capex for item in investments.values()) == pytest.approx(15.6e6)


def test_levers_none_is_the_scenario_file_list_and_empty_is_none() -> None:
    """Known answer: ``levers=None`` keeps the file's ten levers; ``levers=[]`` gives the
    baseline line exactly."""
    assert load_scenario(SMART).levers == tuple(LEVERS)
    assert load_scenario(SMART, levers=[]).line == load_scenario(BASELINE).line


# ------------------------------------------------------------------- bad lever targets

LINE = """\
name: two-step
time_unit: h
release:
  policy: conwip
  wip: 4
stations:
  - name: press
    process_time: {dist: exponential, mean: 2}
    failures: {mtbf: "20 h", mttr: 1}
    operators: 1
  - name: oven
    process_time: 1.5
"""

LEVER_TEXT = """\
levers:
  good:
    description: a valid lever
    source: E
    changes:
      - {path: stations.press.failures.mtbf, scale: 1.5}
  nostation:
    description: unknown station
    source: E
    changes:
      - {path: stations.nope.scrap, scale: 0.5}
  noparam:
    description: unknown parameter, second change
    source: E
    changes:
      - {path: stations.press.failures.mttr, scale: 0.5}
      - {path: stations.press.nope, scale: 0.5}
  nonumber:
    description: scale of a distribution
    source: E
    changes:
      - {path: stations.press.process_time, scale: 2}
  noname:
    description: scale of a text
    source: E
    changes:
      - {path: stations.oven.name, add: 1}
  setnoparam:
    description: set an unknown parameter
    source: E
    changes:
      - {path: stations.press.nope, set: 3}
  setbadvalue:
    description: set a value out of range
    source: E
    changes:
      - {path: stations.press.scrap, set: 2}
  wildnothing:
    description: a wildcard that matches nothing (typo)
    source: E
    changes:
      - {path: stations.*.scarp, scale: 0.5}
"""


def write_files(
    tmp_path: Path, levers: list[str], lever_file: bool = True, lever_text: str = LEVER_TEXT
) -> tuple[Path, Path]:
    """Write line.yaml, levers.yaml and scenario.yaml; return (scenario, lever file)."""
    (tmp_path / "line.yaml").write_text(LINE, encoding="utf-8")
    lever_path = tmp_path / "levers.yaml"
    lever_path.write_text(lever_text, encoding="utf-8")
    text = "line: line.yaml\nhorizon: 50\nreplications: 2\n"
    if lever_file:
        text += "lever_file: levers.yaml\n"
    text += "levers:\n" + "".join(f"  - {name}\n" for name in levers)
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text(text, encoding="utf-8")
    return scenario, lever_path


def line_of(path: Path, needle: str) -> int:
    """1-based line of the first line holding ``needle``."""
    for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if needle in text:
            return number
    raise AssertionError(f"{needle!r} not in {path}")


def errors_of(exc: LinesimError) -> list[ConfigError]:
    """The located errors inside a ConfigError or ConfigErrors."""
    if isinstance(exc, ConfigErrors):
        return exc.errors
    assert isinstance(exc, ConfigError)
    return [exc]


def load_error(scenario: Path) -> ConfigError:
    """Load ``scenario`` and return its only located error."""
    with pytest.raises(LinesimError) as info:
        load_scenario(scenario)
    errors = errors_of(info.value)
    assert len(errors) == 1, [str(e) for e in errors]
    return errors[0]


CASES = [
    # id, scenario levers, lever_file given, blamed file, path, needle for the line
    (
        "unknown-station",
        ["nostation"],
        True,
        "levers",
        "levers.nostation.changes[0].path",
        "stations.nope.scrap",
    ),
    (
        "unknown-parameter",
        ["good", "noparam"],
        True,
        "levers",
        "levers.noparam.changes[1].path",
        "stations.press.nope, scale",
    ),
    (
        "scale-of-distribution",
        ["nonumber"],
        True,
        "levers",
        "levers.nonumber.changes[0].path",
        "stations.press.process_time, scale",
    ),
    (
        "add-to-text",
        ["noname"],
        True,
        "levers",
        "levers.noname.changes[0].path",
        "stations.oven.name",
    ),
    ("lever-not-in-file", ["good", "missing"], True, "scenario", "levers[1]", "- missing"),
    ("levers-without-lever-file", ["good"], False, "scenario", "levers", "levers:"),
]


@pytest.mark.parametrize(
    ("levers", "lever_file", "blamed", "path", "needle"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_bad_lever_target_is_located(
    tmp_path: Path, levers: list[str], lever_file: bool, blamed: str, path: str, needle: str
) -> None:
    """Known answer: one ConfigError naming the lever file (bad change) or the scenario
    file (bad lever list), the YAML path given, and the file line of the offending entry."""
    scenario, lever_path = write_files(tmp_path, levers, lever_file)
    error = load_error(scenario)
    file = lever_path if blamed == "levers" else scenario
    assert error.file is not None and Path(error.file).resolve() == file.resolve(), str(error)
    assert error.path == path, str(error)
    assert error.line == line_of(file, needle), str(error)
    assert path in str(error) and str(file.name) in str(error)


def test_change_with_two_operations_is_located(tmp_path: Path) -> None:
    """Known answer: a change giving both ``scale`` and ``add`` is refused when the lever
    file is read, naming the lever file, ``levers.twoops.changes`` item 0 and its line."""
    text = (
        LEVER_TEXT
        + "\n".join(
            "  " + row
            for row in textwrap.dedent("""\
        twoops:
          description: two operations
          source: E
          changes:
            - {path: stations.press.scrap, scale: 2, add: 0.1}
        """).splitlines()
        )
        + "\n"
    )
    scenario, lever_path = write_files(tmp_path, ["twoops"], lever_text=text)
    error = load_error(scenario)
    assert error.file is not None and Path(error.file).resolve() == lever_path.resolve()
    assert error.path.replace("[", ".").replace("]", "") == "levers.twoops.changes.0", error.path
    assert "exactly one of set, scale and add" in error.message
    assert error.line == line_of(lever_path, "scale: 2, add: 0.1")


def test_set_of_unknown_parameter_names_the_lever(tmp_path: Path) -> None:
    """Known answer: ``set`` on ``stations.press.nope`` (no such parameter) is an error in
    the lever file at ``levers.setnoparam.changes[0]``."""
    scenario, lever_path = write_files(tmp_path, ["setnoparam"])
    error = load_error(scenario)
    assert error.file is not None and Path(error.file).resolve() == lever_path.resolve()
    assert error.path.startswith("levers.setnoparam.changes"), error.path


def test_set_of_invalid_value_names_the_lever(tmp_path: Path) -> None:
    """Known answer: ``set: 2`` on a share in [0, 1] is an error in the lever file at
    ``levers.setbadvalue.changes[0]`` (as a bad ``set:`` override in a scenario is blamed
    on the scenario's ``set.<path>``)."""
    scenario, lever_path = write_files(tmp_path, ["setbadvalue"])
    error = load_error(scenario)
    assert error.file is not None and Path(error.file).resolve() == lever_path.resolve()
    assert error.path.startswith("levers.setbadvalue.changes"), error.path


def test_wildcard_matching_nothing_is_an_error(tmp_path: Path) -> None:
    """Known answer: ``stations.*.scarp`` names no parameter of any station, so the lever
    changes nothing: an error at ``levers.wildnothing.changes[0].path``."""
    scenario, lever_path = write_files(tmp_path, ["wildnothing"])
    error = load_error(scenario)
    assert error.file is not None and Path(error.file).resolve() == lever_path.resolve()
    assert error.path == "levers.wildnothing.changes[0].path"


@pytest.mark.parametrize(
    ("levers", "lever_file", "blamed", "path", "needle"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_bad_lever_via_cli_exits_2_without_traceback(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    levers: list[str],
    lever_file: bool,
    blamed: str,
    path: str,
    needle: str,
) -> None:
    """Known answer: ``linesim run`` on each bad scenario exits 2, prints ``error:`` lines
    naming the blamed file and the YAML path, no traceback, and writes no results."""
    scenario, lever_path = write_files(tmp_path, levers, lever_file)
    out = tmp_path / "out"
    status = sim.cli.main(
        ["run", str(scenario), "--no-plots", "--quiet", "--jobs", "1", "--out", str(out)]
    )
    captured = capsys.readouterr()
    assert status == 2
    assert "Traceback" not in captured.err + captured.out
    assert "error:" in captured.err
    file = lever_path if blamed == "levers" else scenario
    assert file.name in captured.err and path in captured.err, captured.err
    assert not out.exists()
