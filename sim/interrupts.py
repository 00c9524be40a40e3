"""One way to stop, shared by every command: Ctrl-C, SIGTERM and SIGHUP end a run alike.

Schedulers and ``timeout`` send SIGTERM, closing a terminal sends SIGHUP; with
:func:`stop_signals` both raise :class:`KeyboardInterrupt` in the main thread exactly as
Ctrl-C does, so the executors' handling applies to all three: the workers are stopped,
the finished work comes back in :class:`sim.experiment.executors.Interrupted`, and the
command writes it marked ``"partial": true`` and exits 130. :func:`shielded` holds
these signals while results are being published (the interrupt is raised after), and
:func:`ignore_further` makes a second Ctrl-C harmless once a command is finishing.

Typical use in a command::

    with stop_signals():
        try:
            result = run(scenario, executor=executor)   # Interrupted -> partial result
        finally:
            with shielded():
                publish(result)
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from types import FrameType
from typing import Any

__all__ = ["STOP_SIGNALS", "ignore_further", "shielded", "stop_signals"]

STOP_SIGNALS: tuple[signal.Signals, ...] = tuple(
    getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name)
)
"""The signals that stop a command (those this platform has)."""


def _main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def _install(handler: Any) -> dict[signal.Signals, Any]:
    previous = {}
    for number in STOP_SIGNALS:
        with suppress(OSError, ValueError):  # not settable here
            previous[number] = signal.signal(number, handler)
    return previous


def _restore(previous: dict[signal.Signals, Any]) -> None:
    for number, handler in previous.items():
        with suppress(OSError, ValueError):
            signal.signal(number, handler if handler is not None else signal.SIG_DFL)


@contextmanager
def stop_signals() -> Iterator[None]:
    """Make SIGTERM and SIGHUP raise :class:`KeyboardInterrupt` like Ctrl-C inside the
    block (main thread only; elsewhere a no-op); the previous handlers come back after."""
    if not _main_thread():
        yield
        return
    previous = _install(_interrupt)
    try:
        yield
    finally:
        _restore(previous)


@contextmanager
def shielded() -> Iterator[None]:
    """Hold stop signals while the block runs (publishing a results folder must not be
    cut in half); if one came, raise :class:`KeyboardInterrupt` when the block ends."""
    if not _main_thread():
        yield
        return
    received: list[int] = []
    previous = _install(lambda signum, _frame: received.append(signum))
    try:
        yield
    finally:
        _restore(previous)
    if received:
        raise KeyboardInterrupt(f"signal {received[0]}")


def ignore_further() -> None:
    """Ignore stop signals from now on: the command is already finishing after one."""
    if _main_thread():
        _install(signal.SIG_IGN)
