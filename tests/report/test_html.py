"""report.html: one self-contained, well-formed page with the KPIs, stations and plots."""

from __future__ import annotations

import base64
import json
from html.parser import HTMLParser
from pathlib import Path

from sim.report.html import write_report
from sim.report.plot_style import format_number
from sim.report.plots import RUN_PLOTS, write_run_plots

_VOID = {"meta", "img", "br", "hr", "link", "input"}


class _Page(HTMLParser):
    """Collect img sources, links and text, and check that tags are properly nested."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.images: list[str] = []
        self.urls: list[str] = []
        self.tags: list[str] = []
        self.text: list[str] = []
        self.errors: list[str] = []
        self._open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        values = dict(attrs)
        if tag == "img":
            self.images.append(values.get("src") or "")
        self.urls += [v or "" for k, v in attrs if k in ("href", "src") and tag != "img"]
        if tag not in _VOID:
            self._open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self._open or self._open[-1] != tag:
            self.errors.append(f"</{tag}> closes {self._open[-1:] or 'nothing'}")
        else:
            self._open.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    page.close()
    assert not page.errors, page.errors[:5]
    assert not page._open, f"unclosed: {page._open}"
    return page


def test_report_is_self_contained_and_embeds_every_plot(results: Path) -> None:
    """One data-URI image per run plot, identical to the PNG file; scripts only inline (the
    replay's), nothing from the network."""
    plots = write_run_plots(results)
    path = write_report(results)
    assert path == results / "report.html"
    page = _parse(path)
    assert len(page.images) == len(RUN_PLOTS)
    prefix = "data:image/png;base64,"
    for src, png in zip(page.images, plots, strict=True):
        assert src.startswith(prefix)
        assert base64.b64decode(src[len(prefix) :]) == png.read_bytes()
    assert "link" not in page.tags
    assert not page.urls  # no src or href: every script is inline
    assert "http" not in " ".join(page.images)


def test_report_shows_parameters_kpis_and_stations(results: Path) -> None:
    """The page holds the scenario, its settings, every KPI mean as the console shows it,
    and each station's shares in percent."""
    summary = json.loads((results / "summary.json").read_text())
    text = " ".join(_parse(write_report(results)).text)
    assert summary["scenario"] in text
    for shown in (
        "seed",
        "replications",
        "horizon",
        "warm-up",
        "time unit",
        "overrides",
        "release.wip = 8",
        "500 h (20.83 d)",
        "50 h (2.083 d)",
    ):
        assert shown in text
    for name, estimate in summary["kpis"].items():
        assert name in text
        assert format_number(estimate["mean"]) in text
        low, high = estimate["ci95"]
        assert f"[{format_number(low)}, {format_number(high)}]" in text
    assert "OEE [%]" in text and "busy [%]" in text
    for name, values in summary["stations"].items():
        assert name in text
        assert f"{100 * values['oee']['mean']:.1f}" in text
    assert "Partial run" not in text


def test_report_draws_missing_plots(results: Path) -> None:
    """Without PNGs in the folder the report draws them first."""
    assert not list(results.glob("*.png"))
    page = _parse(write_report(results))
    assert sorted(p.name for p in results.glob("*.png")) == sorted(RUN_PLOTS)
    assert len(page.images) == len(RUN_PLOTS)


def test_one_replication_report(results_one: Path) -> None:
    """With one replication the CI columns show '-' and the page is complete."""
    page = _parse(write_report(results_one))
    text = " ".join(page.text)
    assert len(page.images) == len(RUN_PLOTS)
    summary = json.loads((results_one / "summary.json").read_text())
    assert format_number(summary["kpis"]["throughput"]["mean"]) in text
    assert summary["kpis"]["throughput"]["ci95"] is None


def test_partial_notice_warnings_and_escaping(results: Path) -> None:
    """Partial runs are flagged, warnings listed, and all text from the summary is escaped."""
    summary = json.loads((results / "summary.json").read_text())
    summary.update(
        partial=True,
        replications_requested=10,
        scenario='fab <b>&</b> "x"',
        warnings=["queue <script>alert(1)</script>"],
    )
    summary["overrides"] = {"stations.<i>.machines": 2}
    (results / "summary.json").write_text(json.dumps(summary))
    path = write_report(results)
    raw = path.read_text(encoding="utf-8")
    assert "<script>" not in raw and "<b>" not in raw and "<i>" not in raw
    assert "fab &lt;b&gt;&amp;&lt;/b&gt; &#34;x&#34;" in raw  # MarkupSafe's spelling of "
    page = _parse(path)
    text = " ".join(page.text)
    assert "Partial run" in text and "2 of 10 replications" in text
    assert "queue <script>alert(1)</script>" in text
    assert "stations.<i>.machines = 2" in text
    assert "PARTIAL" not in text  # the plots carry their own notice, in the images
