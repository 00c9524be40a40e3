"""The comparison report and the documentation site in a real browser: they open without
script errors or network requests, their tables fit a 1,400 px window, and every image
they show has loaded (a broken image link shows nothing and raises no error).

With ``LINESIM_SCREENSHOTS=DIR`` the screenshots are saved there, to be looked at.
"""

from __future__ import annotations

import functools
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from test_report_page import _ink, _keep

import sim

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def comparison_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """report.html of the tutorial's comparison on a short window (two scenarios)."""
    folder = tmp_path_factory.mktemp("comparison") / "cmp"
    scenarios = ROOT / "scenarios"
    sim.compare(
        scenarios / "tutorial.yaml",
        scenarios / "tutorial_smart.yaml",
        replications=2,
        horizon="3 d",
        warmup="1 d",
        jobs=1,
        out=folder,
        plots=True,
    )
    return folder / "report.html"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The documentation site as CI builds it (strict), served on this machine as
    ``mkdocs serve`` would (its search reads its index by HTTP, which file: pages cannot);
    yields the site's address."""
    folder = tmp_path_factory.mktemp("site")
    subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "-d", str(folder)],
        cwd=ROOT,
        check=True,
        env={"NO_MKDOCS_2_WARNING": "1", "PATH": "", "PYTHONPATH": str(ROOT)},
    )
    handler = functools.partial(QuietHandler, directory=str(folder))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


class QuietHandler(SimpleHTTPRequestHandler):
    """Serves files without a log line per request."""

    def log_message(self, format: str, *args: Any) -> None:
        """Say nothing."""


def _open(page: Any, address: str) -> list[str]:
    """Open ``address``; return the URLs it requested."""
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(address)
    page.wait_for_load_state("networkidle")
    return requests


def _images_loaded(page: Any) -> list[str]:
    """The sources of images on the page that did not load."""
    return list(
        page.eval_on_selector_all(
            "img", "imgs => imgs.filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src)"
        )
    )


def test_comparison_report_opens_whole(page: Any, comparison_report: Path) -> None:
    requests = _open(page, comparison_report.as_uri())
    assert page.problems == []
    assert all(url.startswith(("file:", "data:")) for url in requests), requests
    assert _images_loaded(page) == []
    assert page.eval_on_selector_all("img", "imgs => imgs.length") >= 2
    png = page.screenshot(full_page=True)
    assert _ink(png) > 0.02
    _keep("comparison_report", png)


def test_comparison_tables_fit_in_1400_px(browser: Any, comparison_report: Path) -> None:
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    try:
        page.goto(comparison_report.as_uri())
        right = page.eval_on_selector_all(
            "table", "ts => ts.map(t => t.getBoundingClientRect().right)"
        )
        assert right and max(right) <= 1400
        assert page.evaluate("document.documentElement.scrollWidth") <= 1400
    finally:
        context.close()


@pytest.mark.parametrize("name", ["index", "claim", "tutorial", "seeing"])
def test_docs_page_opens_offline_with_its_images(page: Any, site: str, name: str) -> None:
    """A docs page of the built site: no script error, nothing fetched from anywhere but
    the site (the theme uses system fonts), every picture shown, a title naming linesim."""
    requests = _open(page, site if name == "index" else f"{site}{name}/")
    assert page.problems == []
    assert all(url.startswith((site, "data:", "blob:")) for url in requests), requests
    assert _images_loaded(page) == []
    assert "linesim" in page.title()
    png = page.screenshot()
    assert _ink(png) > 0.02
    _keep(f"docs_{name}", png)
