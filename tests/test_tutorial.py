"""docs/tutorial.md is a test: its YAML blocks are the files it names, its commands parse
and their files validate, and (slow) the commands run in order print what the page shows."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from sim.cli import _parser, main

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "tutorial.md"
FILES = [
    "configs/tutorial_line.yaml",
    "configs/levers_tutorial.yaml",
    "scenarios/tutorial.yaml",
    "scenarios/tutorial_smart.yaml",
    "scenarios/tutorial_sweep.yaml",
    "scenarios/tutorial_tune.yaml",
]
"""The tutorial's files, relative to the project root."""

_BLOCK = re.compile(r"^```(\w+)\n(.*?)^```", re.DOTALL | re.MULTILINE)


def blocks() -> list[tuple[str, str]]:
    """The page's fenced blocks in order: (language, text)."""
    return [(match[1], match[2]) for match in _BLOCK.finditer(PAGE.read_text(encoding="utf-8"))]


def commands() -> list[list[str]]:
    """Every command of the page's bash blocks, in order, as words."""
    found = []
    for language, text in blocks():
        if language == "bash":
            found += [shlex.split(line, comments=True) for line in text.splitlines()]
    return [words for words in found if words]


def test_yaml_blocks_are_the_files() -> None:
    """Each YAML block on the page holds the same data as one of the tutorial's files."""
    files = {name: yaml.safe_load((ROOT / name).read_text(encoding="utf-8")) for name in FILES}
    shown = [yaml.safe_load(text) for language, text in blocks() if language == "yaml"]
    assert len(shown) == 5
    for data in shown:
        assert data in files.values(), data


def test_commands_parse_and_their_files_validate() -> None:
    """Every command is linesim with options its parser takes; every file it names exists
    and validates, or lies in the results folder of an earlier command of the page."""
    words = commands()
    assert [command[1] for command in words] == [
        *("validate", "run", "run", "compare", "sweep", "tune", "run"),
    ]
    made: list[str] = []
    for command in words:
        assert command[0] == "linesim"
        _parser(command[1:]).parse_args(command[1:])
        files = [word for word in command[2:] if word.endswith(".yaml")]
        for name in files:
            if name.startswith("results/"):
                assert any(name.startswith(folder) for folder in made), name
            else:
                assert (ROOT / name).is_file(), name
                assert main(["validate", str(ROOT / name)]) == 0
        made += [f"results/{Path(name).stem}/" for name in files if command[1] in ("tune", "sweep")]


def _words(line: str) -> list[str]:
    return line.split()


@pytest.mark.slow
def test_tutorial_prints_what_the_page_shows(tmp_path: Path) -> None:
    """The page's commands, run in order in one folder with the project's configs and
    scenarios, print every line of the output blocks shown after them (about a minute)."""
    for folder in ("configs", "scenarios"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    shutil.copy(ROOT / "pyproject.toml", tmp_path)  # marks the project folder, as at the root
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    printed: list[list[str]] = []
    for language, text in blocks():
        if language == "bash":
            printed = []
            for words in [shlex.split(line, comments=True) for line in text.splitlines()]:
                if words:
                    done = subprocess.run(
                        [sys.executable, "-m", "sim", *words[1:]],
                        cwd=tmp_path,
                        env=env,
                        capture_output=True,
                        text=True,
                        timeout=300,
                        check=False,
                    )
                    assert done.returncode == 0, done.stderr
                    printed += [_words(line) for line in done.stdout.splitlines()]
        elif language == "text":
            for line in text.splitlines():
                assert _words(line) in printed, line
