"""The HTML reports escape every name they show: scenario names such as ``<b>x</b>`` and
``a&b`` appear as text, never as markup (Jinja2's autoescape), and a template that names a
value it was not given fails instead of printing nothing (StrictUndefined)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sim.cli import main
from sim.report.compare_html import render_comparison_report
from sim.report.html import render_report
from sim.report.run_data import load_results

ROOT = Path(__file__).resolve().parents[2]
NAMES = {"low": "<b>x</b>", "high": "a&b"}
"""The comparison's scenarios, renamed to names that are markup."""


@pytest.fixture(scope="module")
def compared(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A saved comparison of the Penny Fab at w = 4 and w = 8 (2 short replications)."""
    folder = tmp_path_factory.mktemp("escaping")
    for name, wip in (("low", 4), ("high", 8)):
        (folder / f"{name}.yaml").write_text(
            f"line: {ROOT / 'configs' / 'penny_fab.yaml'}\nhorizon: 500\nwarmup: 50\n"
            f"set: {{release.wip: {wip}}}\n",
            encoding="utf-8",
        )
    arguments = ["compare", str(folder / "low.yaml"), str(folder / "high.yaml")]
    arguments += ["--replications", "2", "--quiet", "--jobs", "1", "--no-plots"]
    assert main([*arguments, "--out", str(folder / "out")]) == 0
    return folder / "out"


def test_scenario_names_are_escaped_in_the_comparison_report(compared: Path) -> None:
    text = (compared / "comparison.json").read_text(encoding="utf-8")
    for old, new in NAMES.items():  # every key and value that is the scenario's name
        text = text.replace(json.dumps(old), json.dumps(new))
    content = json.loads(text)
    assert content["scenarios"] == ["<b>x</b>", "a&b"]
    del content["name"]  # the title is then the scenarios' names
    page = render_comparison_report(compared, content)
    assert "<b>x</b>" not in page and "a&b" not in page
    assert "<title>&lt;b&gt;x&lt;/b&gt; vs a&amp;b</title>" in page
    assert "<th>change a&amp;b [%]</th>" in page
    assert "a&amp;b against &lt;b&gt;x&lt;/b&gt;" in page


def test_scenario_names_are_escaped_in_the_run_report(compared: Path) -> None:
    data = load_results(compared / "low")
    for name in NAMES.values():
        data.summary["scenario"] = name
        page = render_report(data)
        assert name not in page
    assert "<h1>a&amp;b</h1>" in page and "<title>linesim report: a&amp;b</title>" in page


def test_a_template_given_too_little_fails() -> None:
    from jinja2 import UndefinedError

    from sim.report.templating import environment, render

    assert environment().autoescape is not False
    with pytest.raises(UndefinedError, match="scenario"):
        render("run_report.html.j2", css="")
