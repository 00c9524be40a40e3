"""Same input, same bytes: a run's files do not depend on the process's hash seed, on
--jobs or on the executor (sets are never iterated where order reaches a number)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA_FILES = (
    "summary.json",
    "replications.csv",
    "stations.csv",
    "timeseries.csv",
    "materials.csv",
    "station_states.csv",
)


def run_cli(out: Path, hash_seed: str, jobs: str) -> dict[str, bytes]:
    """Run the reference baseline briefly in a fresh process; return its data files."""
    env = {**os.environ, "PYTHONHASHSEED": hash_seed}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "sim",
            "run",
            str(ROOT / "scenarios" / "baseline.yaml"),
            "--horizon",
            "2 d",
            "--warmup",
            "1 d",
            "--replications",
            "2",
            "--jobs",
            jobs,
            "--quiet",
            "--no-plots",
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    return {name: (out / name).read_bytes() for name in DATA_FILES if (out / name).exists()}


def test_files_are_identical_across_hash_seeds_and_jobs(tmp_path: Path) -> None:
    """Two hash seeds (set order differs) and --jobs 1 / 2 give byte-identical files."""
    first = run_cli(tmp_path / "a", "1", "1")
    assert set(first) == set(DATA_FILES)
    for index, (seed, jobs) in enumerate((("2", "1"), ("3", "2"))):
        other = run_cli(tmp_path / f"b{index}", seed, jobs)
        for name in DATA_FILES:
            assert other[name] == first[name], f"{name} differs (hash seed {seed}, jobs {jobs})"


def test_python_and_command_line_write_the_same_folder(tmp_path: Path) -> None:
    """``sim.run(..., out=DIR)`` and ``linesim run --out DIR`` go through one pipeline: the
    same data files, byte for byte, and the same set of files (plots aside)."""
    import sim

    done = sim.run(
        ROOT / "scenarios" / "baseline.yaml",
        horizon="2 d",
        warmup="1 d",
        replications=2,
        out=tmp_path / "api",
    )
    assert done.folder == tmp_path / "api"
    cli = run_cli(tmp_path / "cli", "0", "1")
    assert set(cli) == set(DATA_FILES)
    for name in DATA_FILES:
        assert (tmp_path / "api" / name).read_bytes() == cli[name], f"{name} differs"
    listed = {path.name for path in (tmp_path / "api").iterdir()}
    assert listed == {path.name for path in (tmp_path / "cli").iterdir()}
