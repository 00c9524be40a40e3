"""A results folder is named by the scenario's ``name:`` (made a safe folder name), by
the file stem only when the file names nothing; and the folders the README and docs name
(``results/penny_fab/``, ``results/claim_20_20/``) are the ones the commands write,
because every shipped scenario keeps its name equal to its file stem."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from sim.cli import main
from sim.experiment.compare import comparison_name, scenario_names
from sim.model.loader import read_yaml

ROOT = Path(__file__).resolve().parent.parent
SHORT = ["--replications", "1", "--horizon", "50", "--quiet", "--no-plots"]


def test_the_run_folder_is_named_by_the_scenario_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """odd_stem.yaml named penny-study writes results/penny-study/<run id>/, plain.yaml
    (no name) results/plain/; linesim plot follows the named folder's LATEST."""
    line = ROOT / "configs" / "penny_fab.yaml"
    named = tmp_path / "odd_stem.yaml"
    named.write_text(f"name: penny-study\nline: {line}\nhorizon: 50\n", encoding="utf-8")
    unnamed = tmp_path / "plain.yaml"
    unnamed.write_text(f"line: {line}\nhorizon: 50\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert main(["run", str(named), *SHORT]) == 0
    assert main(["run", str(unnamed), *SHORT]) == 0
    capsys.readouterr()
    assert sorted(p.name for p in (tmp_path / "results").iterdir()) == ["penny-study", "plain"]
    latest = (tmp_path / "results" / "penny-study" / "LATEST").read_text().strip()
    assert (tmp_path / "results" / "penny-study" / latest / "summary.json").is_file()
    assert main(["plot", str(tmp_path / "results" / "penny-study")]) == 0


def _shipped() -> list[Path]:
    files = sorted((ROOT / "scenarios").rglob("*.yaml"))
    return [f for f in files if "mes_example" not in f.parts]


@pytest.mark.parametrize("path", _shipped(), ids=lambda p: str(p.relative_to(ROOT)))
def test_shipped_files_keep_their_name_equal_to_their_stem(path: Path) -> None:
    """So `results/<stem>/` in the docs is the folder a command writes."""
    data = read_yaml(path)[0]
    assert data.get("name", path.stem) == path.stem


def test_the_folders_the_docs_name_are_the_ones_written() -> None:
    """Every results/<x>/ the README and docs name is written by a command as they give
    it: a shipped file's default folder, or an --out written next to it."""
    texts = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    named = set()
    for text in texts:
        for line in text.read_text(encoding="utf-8").splitlines():
            for found in re.findall(r"results/([A-Za-z0-9_.-]+)", line):
                if "--out" not in line and not found.endswith(".svg"):
                    named.add(found.rstrip("."))
    defaults = {name for name, _stem in scenario_names([str(p) for p in _shipped()])}
    defaults.add(comparison_name(str(ROOT / "scenarios" / "claim_20_20.yaml")))
    tutorial = [str(ROOT / "scenarios" / f) for f in ("tutorial.yaml", "tutorial_smart.yaml")]
    defaults.add(comparison_name(tutorial))  # the tutorial's comparison of two scenarios
    explicit = {"penny_trace", "mes_fit", "sized", "sweep_python", "tune_python", "cluster_demo"}
    assert named <= defaults | explicit, named - defaults - explicit
    assert {"penny_fab", "claim_20_20"} <= named
    assert os.sep not in "".join(named)
