"""Hypothesis profiles: CI (``CI`` set in the environment) derandomizes every property and
fuzz test, so a run is reproducible and a failure there fails again on a developer's
machine with ``CI=true``; local runs keep exploring new examples."""

from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")
