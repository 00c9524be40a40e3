"""The product mix in a line or scenario file: located errors, the fewest-changeover
cycle, the levers that act on it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from sim.errors import ConfigError, ConfigErrors, LinesimError
from sim.model import load_line, load_scenario
from sim.model.products import cycle_order

ROOT = Path(__file__).resolve().parents[2]

LINE = """\
name: mix
release: {policy: conwip, wip: 20}
materials:
  raw: {unit: pcs}
  half: {unit: pcs}
  other: {unit: pcs}
  done: {unit: pcs}
stations:
  - name: cut
    inputs: {raw: 1}
    output: {half: 1}
    process_time: 1
  - name: press
    inputs: {half: 2}
    output: {done: 1}
    process_time: 1
products:
  release_at: press
  types:
    a: {}
    b:
      stations:
        press: {scrap: 0.1}
  sequence: {lots: {a: 4, b: 2}}
  changeovers:
    press:
      a: {b: 2 h}
      b: {a: 1 h}
"""

LineErrors = Callable[[str], list[ConfigError]]
"""The ``line_errors`` fixture (tests/model/conftest.py)."""


def only(found: list[ConfigError]) -> ConfigError:
    assert len(found) == 1, [str(e) for e in found]
    return found[0]


def test_the_template_loads(tmp_path: Path) -> None:
    path = tmp_path / "line.yaml"
    path.write_text(LINE)
    line = load_line(path)
    assert line.products is not None
    assert line.products.changeover("press", "a", "b") == 2.0


Edit = Callable[[str], str]


@pytest.mark.parametrize(
    ("edit", "path", "words", "file_line"),
    [
        (
            lambda t: t.replace("press: {scrap: 0.1}", "pres: {scrap: 0.1}"),
            "products.types.b.stations.pres",
            "did you mean 'press'",
            22,
        ),
        (
            lambda t: t.replace("press: {scrap: 0.1}", "press: {scrapp: 0.1}"),
            "products.types.b.stations.press.scrapp",
            "scrap",
            22,
        ),
        (
            lambda t: t.replace("      b: {a: 1 h}\n", ""),
            "products.changeovers.press",
            "b -> a",
            26,
        ),
        (
            lambda t: t.replace("a: {b: 2 h}", "a: {b: 2 h, a: 1 h}"),
            "products.changeovers.press.a.a",
            "type stays",
            27,
        ),
        (
            lambda t: t.replace("{lots: {a: 4, b: 2}}", "{lots: {a: 4}}"),
            "products.sequence.lots",
            "type 'b' has no campaign",
            23,
        ),
        (
            lambda t: t.replace("press: {scrap: 0.1}", "cut: {scrap: 0.1}"),
            "products.types.b.stations.cut",
            "upstream of release_at",
            22,
        ),
        (
            lambda t: t.replace("press: {scrap: 0.1}", "press: {inputs: {other: 1}}"),
            "products.types.b.stations.press.inputs.other",
            "unknown input 'other'",
            22,
        ),
        (
            lambda t: t.replace("release_at: press", "release_at: presss"),
            "products.release_at",
            "did you mean 'press'",
            17,
        ),
    ],
    ids=[
        "unknown-station",
        "unknown-field",
        "missing-changeover",
        "diagonal",
        "no-campaign",
        "upstream",
        "unknown-input",
        "unknown-release",
    ],
)
def test_errors_are_located(
    edit: Edit, path: str, words: str, file_line: int, line_errors: LineErrors
) -> None:
    """Each error names the YAML path under products, the fix and a line of the file."""
    error = only(line_errors(edit(LINE)))
    assert error.path == path, str(error)
    assert words in error.message, str(error)
    assert error.line is not None and abs(error.line - file_line) <= 2, str(error)


def test_a_merge_of_two_typed_materials_is_refused(line_errors: LineErrors) -> None:
    """Types released before a merge of two typed materials would need matching by type:
    cut's output feeds side and press, and press also takes side's output."""
    text = LINE.replace("    inputs: {half: 2}\n", "    inputs: {half: 1, other: 1}\n")
    text = text.replace(
        "  - name: press\n",
        "  - name: side\n    inputs: {half: 1}\n    output: {other: 1}\n"
        "    process_time: 1\n  - name: press\n",
    )
    text = text.replace("release: {policy: conwip, wip: 20}", "release: {policy: push}")
    text = text.replace("release_at: press", "release_at: cut")
    error = only(line_errors(text))
    assert error.path == "products.release_at"
    assert "takes 2 materials that carry a type" in error.message


def test_fewest_changeover_cycle() -> None:
    """Of the two cycles of three types, the one of 1 + 3 + 2 = 6 beats 9 + 9 + 9."""
    cost = {("a", "b"): 1, ("b", "c"): 3, ("c", "a"): 2, ("a", "c"): 9, ("c", "b"): 9}
    cost[("b", "a")] = 9
    assert cycle_order(["a", "c", "b"], lambda x, y: float(cost[(x, y)])) == ["a", "b", "c"]


def test_levers_act_on_the_scenario_mix() -> None:
    """quick-changeover halves every changeover time and mes-sequencing doubles the
    campaigns and takes the fewest-changeover order, on the example scenario's mix."""
    path = ROOT / "scenarios" / "product_mix_smart.yaml"
    plain = load_scenario(ROOT / "scenarios" / "product_mix.yaml").line.products
    smart = load_scenario(path).line.products
    assert plain is not None and smart is not None
    assert smart.changeover("winding", "lfp-100", "lfp-50") == pytest.approx(
        0.5 * plain.changeover("winding", "lfp-100", "lfp-50")
    )
    assert smart.sequence.lots["lfp-72"] == 2 * plain.sequence.lots["lfp-72"]
    assert smart.sequence.order == "fewest_changeovers"
    written = [
        yaml.safe_load(p.read_text())["products"]
        for p in (path, ROOT / "scenarios" / "product_mix.yaml")
    ]
    assert written[0] == written[1], "the smart scenario's mix must be product_mix.yaml's"
    assert plain.cycle() == ["lfp-50", "lfp-100", "lfp-72"]
    assert smart.cycle() == ["lfp-50", "lfp-72", "lfp-100"]


def test_scenario_mix_errors_point_at_the_scenario(tmp_path: Path) -> None:
    """A mix written in a scenario is checked against its line, located in the scenario."""
    text = (ROOT / "scenarios" / "product_mix.yaml").read_text()
    text = text.replace("../configs/", str(ROOT / "configs") + "/")
    text = text.replace("hot-press-xray:\n      lfp-50", "hot-pres-xray:\n      lfp-50")
    path = tmp_path / "mix.yaml"
    path.write_text(text)
    with pytest.raises(LinesimError) as caught:
        load_scenario(path)
    error = caught.value
    found = error.errors if isinstance(error, ConfigErrors) else [error]
    assert len(found) == 1
    assert found[0].file == str(path)
    assert found[0].path == "products.changeovers.hot-pres-xray"
    assert found[0].line == text.splitlines().index("    hot-pres-xray:") + 1


def test_a_mix_with_rework_is_refused(tmp_path: Path) -> None:
    """Rework lots do not keep their type yet, so a mix with a rework loop is refused."""
    text = LINE.replace(
        "    output: {done: 1}\n    process_time: 1\n",
        "    output: {done: 1}\n    process_time: 1\n"
        "    scrap: 0.1\n    rework: {to: cut, share: 0.5, max_passes: 2}\n",
    )
    path = tmp_path / "line.yaml"
    path.write_text(text)
    with pytest.raises(LinesimError) as caught:
        load_line(path)
    assert "with rework is not built yet" in str(caught.value)
