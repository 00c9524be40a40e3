"""report.html in a real browser: no console errors, nothing fetched from the network, one
diagram element per station, the replay's play button advances the clock, and the views
render to non-blank screenshots.

With ``LINESIM_SCREENSHOTS=DIR`` set, the screenshots are also saved as
``DIR/{diagram,capacity,balance,replay}.png``: the README's pictures come from here.
"""

from __future__ import annotations

import io
import json
import os
from pathlib import Path
from typing import Any

from sim.model import load_line

ROOT = Path(__file__).resolve().parents[2]
VIEWS = {
    "diagram": "#line-diagram",
    "capacity": "table.capacity",
    "balance": "table.balance",
    "replay": "#replay",
}


def _seek(page: Any, index: int) -> None:
    """Move the replay's slider to bin ``index`` as a person dragging it would."""
    page.eval_on_selector(
        "#replay input.slider",
        "(el, i) => { el.value = String(i); el.dispatchEvent(new Event('input')); }",
        index,
    )


def _ink(png: bytes) -> float:
    """Share of pixels that are not (near) white [-]."""
    from PIL import Image

    counts = Image.open(io.BytesIO(png)).convert("L").histogram()  # pixels per grey level
    return sum(counts[:235]) / sum(counts)


def _keep(name: str, png: bytes) -> None:
    """Save a screenshot for the README when LINESIM_SCREENSHOTS names a folder."""
    folder = os.environ.get("LINESIM_SCREENSHOTS")
    if not folder:
        return
    from PIL import Image

    Path(folder).mkdir(parents=True, exist_ok=True)
    Image.open(io.BytesIO(png)).convert("RGB").save(Path(folder) / f"{name}.png", optimize=True)


def test_report_opens_without_errors_or_network(page: Any, reference_report: Path) -> None:
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(reference_report.as_uri())
    page.wait_for_load_state("load")
    assert page.problems == []
    assert all(url.startswith(("file:", "data:")) for url in requests), requests
    assert page.title().startswith("linesim report")


def test_diagram_has_one_element_per_station(page: Any, reference_report: Path) -> None:
    line = load_line(ROOT / "configs" / "prismatic_lfp_300mah.yaml")
    page.goto(reference_report.as_uri())
    names = page.eval_on_selector_all(
        "#line-diagram g.station", "groups => groups.map(g => g.dataset.station)"
    )
    assert names == [station.name for station in line.stations]
    assert page.locator("#line-diagram g.station[data-station=formation] .tag").count() == 1
    replay = page.locator("#replay g.station").count()
    assert replay == len(line.stations)
    assert page.problems == []


def test_play_advances_the_clock_and_the_output(page: Any, reference_report: Path) -> None:
    page.goto(reference_report.as_uri())
    clock = page.locator("#replay .clock")
    before = clock.text_content()
    assert before.startswith("day 0.0")
    page.locator("#replay button.play").click()
    page.wait_for_function(
        "() => parseInt(document.querySelector('#replay input.slider').value, 10) >= 20"
    )
    page.locator("#replay button.play").click()  # pause
    after = clock.text_content()
    assert after != before
    index = int(page.locator("#replay input.slider").input_value())
    data = json.loads(page.locator("#replay-data").text_content())
    assert f"{(data['edges'][index + 1] - data['edges'][0]) / 24:.1f}" in after
    output = page.locator("#replay .output").text_content()
    assert output.startswith("good output: ") and "module" in output
    # the slider moves the replay by hand
    _seek(page, 0)
    assert clock.text_content() == before
    assert page.problems == []


def test_views_render_non_blank(page: Any, reference_report: Path) -> None:
    page.goto(reference_report.as_uri())
    _seek(page, 150)  # tanks part full, stations in several states
    for name, selector in VIEWS.items():
        # the view's top at the window's top: scrolled further, the replay's sticky controls
        # would lie over the top of its diagram (as they should when a person scrolls)
        page.locator(selector).evaluate("view => view.scrollIntoView({block: 'start'})")
        png = page.locator(selector).screenshot()
        assert _ink(png) > 0.02, name
        _keep(name, png)
    assert page.problems == []


def test_replay_shows_the_recorded_state_shares(page: Any, reference_report: Path) -> None:
    """Each machine station gets a bar of its recorded state shares in the bin, and its
    colour and hover text name its dominant state with its share."""
    page.goto(reference_report.as_uri())
    _seek(page, 150)
    data = json.loads(page.locator("#replay-data").text_content())
    assert data["recorded"] is True
    bars = page.locator("#replay g.station g.replay-states")
    assert bars.count() == len(data["states"])
    for name, states in data["states"].items():
        g = page.locator(f'#replay g.station[data-station="{name}"]')
        label = g.get_attribute("data-state")
        share = data["shares"][name][str(states[150])][150]
        assert label == f"{data['stateNames'][states[150]]} {share} %"
    assert page.problems == []


def test_serial_line_report_plays_without_errors(page: Any, serial_report: Path) -> None:
    """A serial line (jobs, no materials): its diagram, queues and replay work too."""
    page.goto(serial_report.as_uri())
    assert page.locator("#line-diagram g.station").count() == 4
    assert page.locator("#line-diagram g.buffer").count() == 4  # a queue before each
    page.locator("#replay button.play").click()
    page.wait_for_function(
        "() => parseInt(document.querySelector('#replay input.slider').value, 10) >= 10"
    )
    assert page.locator("#replay .output").text_content().endswith(" jobs")
    assert page.problems == []


def test_tables_fit_in_1400_px(browser: Any, reference_report: Path, serial_report: Path) -> None:
    """At a 1,400 px wide window no table of either report is wider than the page: none
    needs its scroll box and the page never scrolls sideways."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    try:
        for report in (reference_report, serial_report):
            page.goto(report.as_uri())
            tables = page.eval_on_selector_all(
                "table",
                "ts => ts.map(t => ({right: t.getBoundingClientRect().right,"
                " box: t.parentElement.scrollWidth - t.parentElement.clientWidth,"
                " wide: t.parentElement.classList.contains('wide')}))",
            )
            assert len(tables) >= 5
            assert all(table["wide"] for table in tables)  # each could scroll on its own
            assert max(table["right"] for table in tables) <= 1400
            assert all(table["box"] <= 0 for table in tables), tables
            assert page.evaluate("document.documentElement.scrollWidth") <= 1400
    finally:
        context.close()
