"""Executors: chunking, callbacks, interrupts, and identical results on every executor,
a real Dask ``LocalCluster`` of two worker processes included."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim import build_summary, load_scenario
from sim.errors import LinesimError
from sim.experiment.executors import (
    DaskExecutor,
    Interrupted,
    LocalExecutor,
    chunk_sizes,
    make_executor,
)
from sim.experiment.replicate import replicate_task
from sim.experiment.sweep import read_sweep, run_sweep

from .conftest import PENNY_FAB


def _tasks(count: int) -> list[tuple]:
    scenario = load_scenario(PENNY_FAB, horizon=300, warmup=30, replications=1)
    return [
        (scenario.line, scenario.horizon, scenario.warmup, scenario.seed, r) for r in range(count)
    ]


@pytest.mark.parametrize(("tasks", "workers"), [(0, 2), (1, 4), (10, 2), (500, 2), (37, 3)])
def test_chunk_sizes_cover_every_task_and_shrink(tasks: int, workers: int) -> None:
    """Chunks add up to the tasks, never grow, end with single tasks; few tasks stay single."""
    sizes = chunk_sizes(tasks, workers)
    assert sum(sizes) == tasks
    assert sizes == sorted(sizes, reverse=True)
    assert not sizes or sizes[-1] == 1
    if tasks <= 4 * workers:
        assert set(sizes) <= {1}


def test_local_processes_match_this_process_with_callbacks() -> None:
    """Two processes (one pool kept for two maps) give the in-process results; on_result
    and on_done see every task once."""
    tasks = _tasks(12)
    expected = LocalExecutor(1).map(replicate_task, tasks)
    seen: list[int] = []
    results: dict[int, object] = {}
    with LocalExecutor(2) as executor:
        first = executor.map(
            replicate_task,
            tasks,
            seen.append,
            lambda index, result: results.__setitem__(index, result),
        )
        second = executor.map(replicate_task, tasks[:3])
    assert first == expected and second == expected[:3]
    assert sorted(seen) == list(range(12))
    assert [results[i] for i in range(12)] == expected


def test_interrupt_keeps_finished_tasks() -> None:
    """Ctrl-C (KeyboardInterrupt in a callback) raises Interrupted holding what finished."""
    tasks = _tasks(6)

    def stop_at_three(index: int) -> None:
        if index == 2:
            raise KeyboardInterrupt

    with pytest.raises(Interrupted) as caught:
        LocalExecutor(1).map(replicate_task, tasks, stop_at_three)
    assert sorted(caught.value.finished) == [0, 1, 2]


def test_make_executor_picks_one() -> None:
    """Local processes by default, Dask with an address; --jobs 0 is refused."""
    assert isinstance(make_executor(2), LocalExecutor)
    assert make_executor(None).jobs >= 1
    with pytest.raises(LinesimError, match="--jobs"):
        make_executor(0)


def test_dask_without_a_scheduler_is_a_clear_error() -> None:
    """A wrong --cluster address names the address instead of hanging."""
    pytest.importorskip("distributed")
    executor = DaskExecutor("tcp://127.0.0.1:9", timeout=0.5)
    with pytest.raises(LinesimError, match=r"tcp://127\.0\.0\.1:9"):
        executor.map(replicate_task, _tasks(1))


def test_dask_local_cluster_gives_the_numbers_of_local_processes(
    penny_sweep, tmp_path: Path
) -> None:
    """Replications and a whole sweep on a real LocalCluster (two worker processes) equal
    those on local processes: each task carries its seed."""
    distributed = pytest.importorskip("distributed")
    tasks = _tasks(8)
    expected = LocalExecutor(2).map(replicate_task, tasks)
    spec = read_sweep(penny_sweep("  release.wip: [2, 6]"))
    local = run_sweep(spec, tmp_path / "local", build_summary, LocalExecutor(2))
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        DaskExecutor(cluster.scheduler_address) as executor,
    ):
        assert executor.workers == 2
        assert executor.map(replicate_task, tasks) == expected
        remote = run_sweep(spec, tmp_path / "dask", build_summary, executor)
    for mine, theirs in zip(local.summaries, remote.summaries, strict=True):
        assert mine is not None and theirs is not None
        assert mine["kpis"] == theirs["kpis"]
        assert mine["stations"] == theirs["stations"]
