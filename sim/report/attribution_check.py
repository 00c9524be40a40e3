"""The attribution window's check against the full comparison, in words: one sentence per
KPI that says the conclusion (agree / disagree) and what it rests on (the window's CI and
its replications, the full comparison's CI, what the shares add up to and how noisy one
replication is). Used by the console, ``report.html`` and the waterfall titles alike.

A ``comparison.json`` written before the check had replications has ``inside`` and no
``agrees``: it is read as not checked, never as agreeing or disagreeing.
"""

from __future__ import annotations

from typing import Any

__all__ = ["check_conclusion", "check_sentence", "signed_interval"]

CONCLUSIONS = {
    True: "agree (no bias from the cut)",
    False: "DISAGREE (the cut window biases the total: lengthen its warm-up or horizon)",
    None: "not checked (no CI of the window's total)",
}
"""What ``agrees`` says, in words."""

SHORT = {True: "agree", False: "DISAGREE", None: "not checked (no window CI)"}
"""The same for a plot title."""


def signed_interval(ci: list[float] | None, digits: int = 1) -> str:
    """`` [+12.7, +19.2]`` (a 95 % CI in percent, signed), or ``""`` without one."""
    if not ci:
        return ""
    return f" [{ci[0]:+.{digits}f}, {ci[1]:+.{digits}f}]"


def _replications(count: int | None) -> str:
    if count is None:
        return "? replications"
    return f"{count} replication" + ("" if count == 1 else "s")


def check_conclusion(check: dict[str, Any]) -> str:
    """The conclusion alone: ``agree (...)``, ``DISAGREE (...)`` or ``not checked (...)``."""
    return CONCLUSIONS[check.get("agrees")]


def check_sentence(check: dict[str, Any], short: bool = False) -> str:
    """One KPI's check in words, all changes in [%], e.g. ``all levers vs none: window
    +15.9 % [+12.7, +19.2] over 4 replications, full comparison +16.25 % [+15.87, +16.63]:
    agree (no bias from the cut); the shares add up to +11.8 % (1 replication; one
    sd of one replication's total 3.0 points)``. ``short`` gives the conclusion without its
    reason (for plot titles)."""
    window = f"window {check['window_percent']:+.1f} %{signed_interval(check.get('window_ci95'))}"
    if check.get("window_replications") is not None:
        window += f" over {_replications(check['window_replications'])}"
    full = (
        f"full comparison {check['full_percent']:+.2f} %"
        f"{signed_interval(check.get('full_ci95'), 2)}"
    )
    conclusion = (SHORT if short else CONCLUSIONS)[check.get("agrees")]
    text = f"all levers vs none: {window}, {full}: {conclusion}"
    attributed = check.get("attributed_percent")
    if attributed is not None:
        noise = check.get("replication_sd_percent")
        basis = _replications(check.get("attributed_replications"))
        if noise is not None:
            basis += f"; sd of one replication's total {noise:.1f} points"
        text += f"; the shares add up to {attributed:+.1f} % ({basis})"
    return text
