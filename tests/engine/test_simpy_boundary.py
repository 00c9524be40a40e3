"""One boundary to SimPy's internals: ``sim/engine/_simpy.py`` alone touches SimPy's private
attributes, and it fails clearly on a SimPy that changed them.

The engine reads SimPy's clock and pushes into its event queue itself (its hot paths), with
names SimPy keeps private. A SimPy upgrade that renames them should break in one file with
a message that says so, not as a wrong result or an ``AttributeError`` deep in a run.
"""

from __future__ import annotations

import io
import subprocess
import sys
import tokenize
import tomllib
from itertools import pairwise
from pathlib import Path

import pytest
import simpy
from packaging.requirements import Requirement
from packaging.version import Version

from sim.engine import _simpy
from sim.engine._simpy import LineEnvironment, SimPyChanged, check_simpy, clock_of

ROOT = Path(__file__).resolve().parents[2]
"""The repository's root."""

BOUNDARY = ROOT / "sim" / "engine" / "_simpy.py"

PRIVATE = frozenset(
    {
        "_now",
        "_queue",
        "_eid",
        "_active_proc",
        "_ok",
        "_value",
        "_defused",
        "_callbacks",
        "_delay",
        "_generator",
        "_target",
    }
)
"""Attributes SimPy 4 keeps private on its environments, events, timeouts and processes.
No linesim class uses these names for attributes of its own (one that did would be
renamed), so any ``.name`` of these outside the boundary is a SimPy private."""


def _private_uses(source: str, name: str) -> list[str]:
    """``name:line`` of every SimPy private read or written in ``source``: an attribute
    ``x.<private>``, or the name as a string (``getattr(env, "_queue")``); comments and
    docstrings do not count."""
    tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    found = []
    for before, token in pairwise(tokens):
        attribute = (
            token.type == tokenize.NAME
            and token.string in PRIVATE
            and before.type == tokenize.OP
            and before.string == "."
        )
        named = token.type == tokenize.STRING and token.string.strip("'\"") in PRIVATE
        if attribute or named:
            found.append(f"{name}:{token.start[0]}: {token.line.strip()}")
    return found


def test_only_the_boundary_touches_simpy_privates() -> None:
    """Every module of ``sim/`` but the boundary goes through its helpers."""
    modules = sorted(path for path in (ROOT / "sim").rglob("*.py") if path != BOUNDARY)
    assert len(modules) > 50, "the package was not found"
    uses = [
        use
        for path in modules
        for use in _private_uses(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)))
    ]
    assert not uses, (
        "SimPy private attributes used outside sim/engine/_simpy.py (use or add a helper "
        "there):\n" + "\n".join(uses)
    )


def test_the_scan_finds_private_access() -> None:
    """The scan above sees an attribute and a ``getattr`` name, and not prose or names
    that only begin like a private."""
    sample = (
        '"""Mentions env._now in a docstring."""\n'
        "# and env._queue in a comment\n"
        "now = env._now\n"
        'heap = getattr(env, "_queue")\n'
        "own = self._value_of\n"
    )
    assert [use.split(":")[1] for use in _private_uses(sample, "sample.py")] == ["3", "4"]


def _simpy_pin() -> Requirement:
    """The SimPy requirement of pyproject.toml: the versions the boundary was written for."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    pins = [Requirement(text) for text in project["dependencies"]]
    return next(pin for pin in pins if pin.name.lower() == "simpy")


def test_installed_simpy_is_the_one_the_boundary_was_written_for() -> None:
    """The installed SimPy lies in pyproject.toml's pin, and has every private attribute
    the boundary relies on, with the meaning it relies on."""
    pin = _simpy_pin()
    installed = Version(simpy.__version__)
    assert pin.specifier.contains(installed), (
        f"SimPy {installed} is outside the range sim/engine/_simpy.py was written for "
        f"({pin.specifier}, pyproject.toml): check the boundary against it and move the pin"
    )
    env = simpy.Environment()
    for name in ("_now", "_queue", "_eid"):
        assert hasattr(env, name), (
            f"SimPy {installed} changed Environment.{name}; sim/engine/_simpy.py must be updated"
        )
    event = simpy.Event(env)
    event.succeed()
    for name in ("_ok", "_value"):
        assert hasattr(event, name), (
            f"SimPy {installed} changed Event.{name}; sim/engine/_simpy.py must be updated"
        )
    check_simpy()
    check_simpy(LineEnvironment)


class _RenamedQueue(simpy.Environment):
    """A SimPy whose event queue is no longer ``_queue``."""

    def __init__(self) -> None:
        super().__init__()
        self._heap = self.__dict__.pop("_queue")


class _RenamedClock(simpy.Environment):
    """A SimPy whose clock is no longer ``_now``."""

    def __init__(self) -> None:
        super().__init__()
        self._time = self.__dict__.pop("_now")


class _RenamedCounter(simpy.Environment):
    """A SimPy whose event numbers no longer come from ``_eid``."""

    def __init__(self) -> None:
        super().__init__()
        self._ids = self.__dict__.pop("_eid")


class _FlaglessEvent(simpy.Event):
    """A SimPy whose events keep success elsewhere than in ``_ok``."""

    def succeed(self, value: object = None) -> simpy.Event:
        super().succeed(value)
        self._state = self.__dict__.pop("_ok")
        return self


@pytest.mark.parametrize(
    ("environment", "event", "changed"),
    [
        (_RenamedQueue, simpy.Event, "Environment._queue"),
        (_RenamedClock, simpy.Event, "Environment._now"),
        (_RenamedCounter, simpy.Event, "Environment._eid"),
        (simpy.Environment, _FlaglessEvent, "Event._ok"),
    ],
)
def test_an_incompatible_simpy_fails_with_a_clear_message(
    environment: type[simpy.Environment], event: type[simpy.Event], changed: str
) -> None:
    """The check the boundary runs at import names what changed and where to fix it."""
    expected = f"SimPy {simpy.__version__} changed {changed}; sim/engine/_simpy.py must be updated"
    with pytest.raises(SimPyChanged) as raised:
        check_simpy(environment, event)
    assert str(raised.value) == expected


def test_the_boundary_refuses_to_import_on_an_incompatible_simpy() -> None:
    """Importing the engine on a SimPy without ``Environment._queue`` stops at once, with
    the message (a fresh interpreter: this one has the boundary imported)."""
    code = (
        "import simpy\n"
        "init = simpy.Environment.__init__\n"
        "def renamed(self, initial_time=0):\n"
        "    init(self, initial_time)\n"
        "    self._heap = self.__dict__.pop('_queue')\n"
        "simpy.Environment.__init__ = renamed\n"
        "import sim.engine\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert done.returncode != 0
    assert (
        f"SimPyChanged: SimPy {simpy.__version__} changed Environment._queue; "
        "sim/engine/_simpy.py must be updated"
    ) in done.stderr


def test_the_engine_environment_reads_simpy_time_as_now() -> None:
    """:class:`LineEnvironment` keeps SimPy's clock: ``now`` follows every step, and its
    event factories are bound as on a plain environment (no bound method per call)."""
    env = LineEnvironment()
    seen = []

    def ticks():  # type: ignore[no-untyped-def]
        for delay in (1.5, 2.0):
            yield env.timeout(delay)
            seen.append(env.now)

    env.process(ticks())
    env.run(until=10)
    assert seen == [1.5, 3.5]
    assert env.now == 10
    assert "timeout" in vars(env) and "process" in vars(env)


def test_a_stand_in_clock_reads_the_time_a_stand_in_keeps() -> None:
    """A stand-in environment with SimPy's ``_now`` alone (as a test gives a buffer) is
    read through a view; a SimPy environment is its own clock."""

    class StandIn:
        _now = 4.5

    assert clock_of(StandIn()).now == 4.5
    env = simpy.Environment()
    assert clock_of(env) is env
    assert _simpy.events_scheduled(env) == 0
