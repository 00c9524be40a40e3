"""A headless system Chromium driven by Playwright, and a results folder of the reference line.

Playwright drives Debian's ``chromium`` through its executable path (no browser download);
``.ci/run`` installs it when missing. Without it these tests skip on a developer's machine
but fail in CI (``CI`` set), so CI never passes them silently.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sim import build_summary, load_scenario, run, write_results
from sim.report.html import write_report

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return None


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """A headless Chromium (Playwright ``Browser``), shared by the session."""
    executable = _chromium()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        executable = None
    if executable is None:
        message = "needs Debian's chromium and the playwright package (.ci/run installs both)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture(scope="session")
def reference_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """report.html of two short replications of the reference line (output flows: the
    warm-up is longer than wetting, formation and aging together)."""
    folder = tmp_path_factory.mktemp("reference")
    scenario = load_scenario(
        ROOT / "scenarios" / "baseline.yaml", replications=2, horizon=6 * 24.0, warmup=14 * 24.0
    )
    result = run(scenario, jobs=1)
    write_results(result, build_summary(result), folder)
    return write_report(folder)


@pytest.fixture(scope="session")
def serial_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """report.html of a short Penny Fab run (a serial line: jobs, no materials)."""
    folder = tmp_path_factory.mktemp("penny")
    scenario = load_scenario(
        ROOT / "scenarios" / "penny_fab.yaml", replications=2, horizon=2000, warmup=200
    )
    result = run(scenario, jobs=1)
    write_results(result, build_summary(result), folder)
    return write_report(folder)


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh page whose console errors and uncaught exceptions are collected in
    ``page.problems``."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    new = context.new_page()
    problems: list[str] = []
    new.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    new.on("pageerror", lambda error: problems.append(str(error)))
    new.problems = problems
    yield new
    context.close()
