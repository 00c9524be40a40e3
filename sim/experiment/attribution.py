"""Which lever explains how much of a change: Shapley values over a scenario's levers.

The value of a set of levers S is a KPI of the scenario with only S applied. A lever's
Shapley value is its marginal effect averaged over every order in which the levers could
be added, so interactions are shared out, never double counted, and the values add up to
the change from no lever to all levers. Exact (all 2^n subsets) up to :data:`EXACT_UP_TO`
levers; beyond, estimated from random orders taken in antithetic pairs (an order and its
reverse, so a lever that comes early in one comes late in the other: the pair's mean
marginal change varies far less than one order's when a lever's effect grows or shrinks
with the levers already applied, and is exact when only pairs of levers interact). Every
subset runs on common random numbers, replication by replication, so each replication
gives its own Shapley values and their spread gives a confidence interval. A window
shorter than the comparison's is checked for bias (:func:`check_against_full`): all levers
and no lever run a few more replications on it, and the full comparison's change must lie
in the 95 % CI of the window's.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from sim.analysis.statistics import estimate
from sim.experiment.executors import Executor
from sim.experiment.replicate import ReplicationTask, replicate_task
from sim.figures import plural
from sim.model import load_scenario
from sim.model.comparison_file import AttributionSpec
from sim.model.line import Line
from sim.model.scenario import Scenario
from sim.model.units import parse_duration

__all__ = [
    "EXACT_UP_TO",
    "KPI_ONLY_FIELDS",
    "attribute",
    "check_against_full",
    "engine_view",
    "orders",
    "sampling_error",
    "shapley",
    "subsets_needed",
]

EXACT_UP_TO = 7
"""Most levers attributed exactly (2^7 = 128 subsets); more are sampled, unless the lever
sets need no more than 2^7 simulations (see :data:`KPI_ONLY_FIELDS`)."""

KPI_ONLY_FIELDS: dict[str, Any] = {"costs": True, "stations": {"__all__": {"operators", "power"}}}
"""Parts of a line that the KPIs read and the engine never does (costs and prices,
operators, power draw by state), as a pydantic ``exclude``: lever sets whose lines differ
only there run one simulation between them, and each set's KPIs are computed from that
run with its own line, which gives the same numbers as a run of its own (the engine is
deterministic given the seed; tests/experiment/test_compare_attribution.py checks that
changing these parts leaves a replication unchanged). A lever of costs, labour or energy
alone (labour automation, energy recovery) thus doubles the lever sets but not the runs."""


def engine_view(line: Line) -> str:
    """What the engine sees of ``line`` (it without :data:`KPI_ONLY_FIELDS`), as JSON: two
    lines with the same view simulate the same replications."""
    return line.model_dump_json(exclude=KPI_ONLY_FIELDS)


def orders(levers: Sequence[str], samples: int, seed: int) -> list[tuple[str, ...]]:
    """Random orders of the levers for the sampled estimate (seeded, reproducible), in
    antithetic pairs: ``ceil(samples / 2)`` random orders, each followed by its reverse."""
    rng = np.random.default_rng(seed)
    found: list[tuple[str, ...]] = []
    for _ in range(math.ceil(samples / 2)):
        order = tuple(levers[i] for i in rng.permutation(len(levers)))
        found += [order, order[::-1]]
    return found


def subsets_needed(
    levers: Sequence[str], samples: int = 64, seed: int = 0, exact: bool | None = None
) -> list[frozenset[str]]:
    """The lever subsets whose value the attribution needs, smallest first; ``exact``
    (default: up to :data:`EXACT_UP_TO` levers) takes all 2^n, else ``samples`` orders."""
    if exact if exact is not None else len(levers) <= EXACT_UP_TO:
        found = {
            frozenset(c) for k in range(len(levers) + 1) for c in itertools.combinations(levers, k)
        }
    else:
        found = {frozenset()}
        for order in orders(levers, samples, seed):
            for k in range(1, len(order) + 1):
                found.add(frozenset(order[:k]))
    return sorted(found, key=lambda s: (len(s), sorted(s)))


def shapley(
    levers: Sequence[str],
    value: Callable[[frozenset[str]], np.ndarray],
    samples: int = 64,
    seed: int = 0,
    exact: bool | None = None,
) -> dict[str, np.ndarray]:
    """Shapley value of each lever, one per replication.

    ``value(S)`` gives the KPI of the lever set S, one entry per replication. ``exact``
    as in :func:`subsets_needed`.
    """
    n = len(levers)
    result = {lever: np.zeros_like(value(frozenset()), dtype=float) for lever in levers}
    if exact if exact is not None else n <= EXACT_UP_TO:
        for lever in levers:
            others = [x for x in levers if x != lever]
            for k in range(n):
                weight = math.factorial(k) * math.factorial(n - k - 1) / math.factorial(n)
                for combo in itertools.combinations(others, k):
                    base = frozenset(combo)
                    result[lever] += weight * (value(base | {lever}) - value(base))
        return result
    sampled = orders(levers, samples, seed)
    for order in sampled:
        before: frozenset[str] = frozenset()
        for lever in order:
            after = before | {lever}
            result[lever] += value(after) - value(before)
            before = after
    return {lever: total / len(sampled) for lever, total in result.items()}


def sampling_error(
    levers: Sequence[str],
    value: Callable[[frozenset[str]], np.ndarray],
    samples: int,
    seed: int,
) -> dict[str, float]:
    """Standard error of the sampled Shapley estimate from its random lever orders: the
    spread over the antithetic pairs of each lever's marginal change (mean over the pair
    and the replications) divided by the square root of the number of pairs [KPI unit]."""
    sampled = orders(levers, samples, seed)
    marginal: dict[str, list[float]] = {lever: [] for lever in levers}
    for order in sampled:
        before: frozenset[str] = frozenset()
        for lever in order:
            after = before | {lever}
            marginal[lever].append(float(np.nanmean(value(after) - value(before))))
            before = after
    errors = {}
    for lever, found in marginal.items():
        pairs = np.asarray(found).reshape(-1, 2).mean(axis=1)  # an order, then its reverse
        errors[lever] = (
            float(np.std(pairs, ddof=1) / math.sqrt(len(pairs))) if len(pairs) > 1 else math.nan
        )
    return errors


def _moving(levers: Sequence[str], variant: Callable[[frozenset[str]], Scenario]) -> list[str]:
    """The levers that change what the engine sees (each applied alone against none)."""
    none = engine_view(variant(frozenset()).line)
    return [lever for lever in levers if engine_view(variant(frozenset({lever})).line) != none]


def attribute(
    path: str,
    scenario: Scenario,
    spec: AttributionSpec | None,
    overrides: dict[str, Any],
    executor: Executor,
    kpi_function: Callable[[Any, Any], dict[str, float]],
    progress: Any = None,
) -> tuple[dict[str, dict[str, np.ndarray]], dict[str, Any]]:
    """Run every lever set the Shapley values need, as independent runs on ``executor``
    (local processes or a Dask cluster), and attribute each KPI to the levers.

    Each lever set runs on the attribution window (``spec``: horizon, warm-up and
    replications, usually shorter than the comparison's): what is cut is returned in the
    settings. All levers and no lever also run ``spec.check_replications`` replications on
    the window (the first ``replications`` of them are the Shapley values' own runs, reused;
    the rest go to the executor in the same ``map``), whose total change
    :func:`check_against_full` sets beside the full comparison's. Raises
    :class:`Interrupted` on Ctrl-C.
    """

    spec = spec or AttributionSpec()
    unit = scenario.line.time_unit

    def window(value: Any, default: float) -> float:
        return default if value is None else parse_duration(value, unit)

    horizon = window(spec.horizon, scenario.horizon)
    warmup = window(spec.warmup, scenario.warmup)
    replications = spec.replications or scenario.replications
    levers = list(scenario.levers)

    def variant(subset: frozenset[str]) -> Scenario:
        return load_scenario(
            path,
            overrides,
            replications=replications,
            seed=scenario.seed,
            horizon=horizon,
            warmup=warmup,
            levers=[lever for lever in levers if lever in subset],
        )

    moving = _moving(levers, variant)
    exact = {"exact": True, "sampled": False}.get(spec.method)
    if exact is None:  # auto: exact when the simulations it needs are few enough
        exact = len(levers) <= EXACT_UP_TO or len(moving) <= EXACT_UP_TO
    subsets = subsets_needed(levers, spec.samples, scenario.seed, exact)
    variants = [variant(subset) for subset in subsets]
    runs: dict[str, int] = {}  # engine view -> index of the simulation it shares
    shared = [runs.setdefault(engine_view(v.line), len(runs)) for v in variants]
    simulated = [variants[shared.index(index)] for index in range(len(runs))]
    tasks = [
        ReplicationTask(v.line, v.horizon, v.warmup, v.seed, r)
        for v in simulated
        for r in range(replications)
    ]
    # the check: no lever and all levers over check_replications replications of the window,
    # the first `replications` of them already among the tasks above
    ends: tuple[frozenset[str], frozenset[str]] = (frozenset(), frozenset(levers))
    check_replications = max(spec.check_replications, replications)
    checked = sorted({shared[subsets.index(end)] for end in ends})
    extra = check_replications - replications
    check_tasks = [
        ReplicationTask(v.line, v.horizon, v.warmup, v.seed, r)
        for v in (simulated[i] for i in checked)
        for r in range(replications, check_replications)
    ]
    tasks += check_tasks
    if progress:
        progress.start(
            f"attribution: {len(subsets)} lever sets, {len(simulated)} simulated, "
            f"{len(check_tasks)} check runs",
            len(tasks),
        )
    results = executor.map(
        replicate_task, tasks, lambda _i: progress.advance() if progress else None
    )
    values: dict[frozenset[str], list[dict[str, float]]] = {}
    for subset, found, index in zip(subsets, variants, shared, strict=True):
        reps = results[index * replications : (index + 1) * replications]
        values[subset] = [kpi_function(rep, found.line) for rep in reps]
    check_values: dict[frozenset[str], list[dict[str, float]]] = {}
    first_check = len(simulated) * replications
    for end in ends:
        position = checked.index(shared[subsets.index(end)]) * extra + first_check
        line = variants[subsets.index(end)].line
        more = results[position : position + extra]
        check_values[end] = values[end] + [kpi_function(rep, line) for rep in more]

    attribution: dict[str, dict[str, np.ndarray]] = {}
    totals: dict[str, np.ndarray] = {}
    check_totals: dict[str, np.ndarray] = {}
    errors: dict[str, dict[str, float]] = {}
    is_exact = len(subsets) == 2 ** len(levers)
    for kpi in spec.kpis:

        def value(subset: frozenset[str], kpi: str = kpi) -> np.ndarray:
            return np.array([rep.get(kpi, np.nan) for rep in values[subset]])

        attribution[kpi] = shapley(levers, value, spec.samples, scenario.seed, is_exact)
        if not is_exact:
            errors[kpi] = sampling_error(levers, value, spec.samples, scenario.seed)
        totals[kpi] = _percent_change(value(frozenset()), value(frozenset(levers)))
        check_totals[kpi] = _percent_change(
            *(np.array([rep.get(kpi, np.nan) for rep in check_values[end]]) for end in ends)
        )
    cut = []
    if horizon < scenario.horizon or warmup < scenario.warmup:
        cut.append(
            f"window {horizon:g} + {warmup:g} {unit} warm-up per lever set instead of "
            f"{scenario.horizon:g} + {scenario.warmup:g}"
        )
    if replications < scenario.replications:
        cut.append(
            f"{plural(replications, 'replication')} per lever set instead of "
            f"{scenario.replications}"
        )
    if not is_exact:
        pairs = math.ceil(spec.samples / 2)
        cut.append(
            f"{len(subsets)} of {2 ** len(levers)} lever sets ({pairs} random lever orders "
            "and their reverses); the sampling error of each Shapley value is in "
            "sampling_error"
        )
    settings_used = {
        "scenario": scenario.name,
        "levers": levers,
        "horizon": horizon,
        "warmup": warmup,
        "replications": replications,
        "lever_sets": len(subsets),
        "simulated_lever_sets": len(simulated),
        "kpi_only_levers": [lever for lever in levers if lever not in moving],
        "runs": len(tasks),
        "check_replications": check_replications,
        "check_runs": len(check_tasks),
        "method": "exact" if is_exact else "sampled",
        "orders": None if is_exact else 2 * math.ceil(spec.samples / 2),
        "sampling_error": errors,
        "cut": cut,
        "window_total_percent": {k: estimate(v) for k, v in check_totals.items()},
        "attributed_total_percent": {k: estimate(v) for k, v in totals.items()},
    }
    return attribution, settings_used


def _percent_change(none: np.ndarray, every: np.ndarray) -> np.ndarray:
    """Per replication 100 (all levers / no lever - 1) [%], NaN where undefined."""
    with np.errstate(divide="ignore", invalid="ignore"):
        change = 100.0 * (every / none - 1.0)
    change[~np.isfinite(change)] = np.nan
    return np.asarray(change, dtype=float)


def check_against_full(content: dict[str, Any], scenario: str) -> None:
    """Check the attribution window for bias against the full comparison, per attributed
    KPI, in ``attribution_settings.check``.

    The window's total change (all levers against none, mean and 95 % t-CI over the
    ``check_replications`` of the window [%]) is set beside the full comparison's paired
    change of ``scenario`` [%]; ``agrees`` says whether the full comparison's mean lies
    inside the window's CI (no evidence that the cut window biases the total; ``None``
    without a CI). ``attributed_percent`` is the total the Shapley values add up to (mean
    over their replications [%]) and ``replication_sd_percent`` the sd of one
    replication's total on the window [%]: how far the shares can be off by noise alone.
    """
    settings = content.get("attribution_settings") or {}
    attributed = settings.get("attributed_total_percent") or {}
    check = {}
    for kpi, window in settings.get("window_total_percent", {}).items():
        full = content.get("differences", {}).get(kpi, {}).get(scenario)
        if not full or window["mean"] is None or full["percent"]["mean"] is None:
            continue
        ci = window["ci95"]
        full_mean = full["percent"]["mean"]
        shares = attributed.get(kpi) or {}
        check[kpi] = {
            "window_percent": window["mean"],
            "window_ci95": ci,
            "window_replications": window["n"],
            "full_percent": full_mean,
            "full_ci95": full["percent"]["ci95"],
            "full_replications": content.get("replications"),
            "agrees": None if not ci else bool(ci[0] <= full_mean <= ci[1]),
            "attributed_percent": shares.get("mean"),
            "attributed_replications": shares.get("n"),
            "replication_sd_percent": window["std"],
        }
    settings["check"] = check
    settings["check_note"] = (
        f"the attribution window's total change (all levers against none, over its check "
        f"replications) against the full comparison of {scenario} with "
        f"{content.get('reference')}: agrees when the full comparison's change lies inside "
        "the window's 95 % CI (no evidence of bias from the cut); this holds only when the "
        "reference is the same line without levers"
    )
