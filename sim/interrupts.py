"""One way to stop, shared by every command: Ctrl-C, SIGTERM and SIGHUP end a run alike.

Schedulers and ``timeout`` send SIGTERM, closing a terminal sends SIGHUP; with
:func:`stop_signals` both raise :class:`KeyboardInterrupt` in the main thread exactly as
Ctrl-C does, so the executors' handling applies to all three: the workers are stopped,
the finished work comes back in :class:`sim.experiment.executors.Interrupted`, and the
command writes it marked ``"partial": true`` and exits 130. :func:`shielded` holds
these signals while results are being published (the interrupt is raised after),
:func:`held` holds them while a thread-shared structure is in use and raises them where
the caller checks (a worker pool's bookkeeping must not be cut between a lock's acquire
and release), and :func:`ignore_further` makes a second Ctrl-C harmless once a command
is finishing.

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

__all__ = ["STOP_SIGNALS", "Held", "held", "ignore_further", "shielded", "stop_signals"]

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


class Held:
    """The stop signals that came while held (see :func:`held`)."""

    def __init__(self) -> None:
        self.received: list[int] = []
        self.raised = False

    def record(self, signum: int, _frame: FrameType | None) -> None:
        """Signal handler: remember the signal."""
        self.received.append(signum)

    def raise_if_received(self) -> None:
        """Raise :class:`KeyboardInterrupt` (once) if a stop signal came."""
        if self.received and not self.raised:
            self.raised = True
            raise KeyboardInterrupt(f"signal {self.received[0]}")


@contextmanager
def held() -> Iterator[Held]:
    """Hold stop signals while the block runs: a signal is recorded, and raised as
    :class:`KeyboardInterrupt` only where the block calls ``raise_if_received()`` or,
    if it never did, when the block ends (main thread only; elsewhere signals are not
    this process's to handle and nothing is recorded).

    A ``KeyboardInterrupt`` raised by Python's default handler can land between any two
    bytecodes, also between a lock's acquire and the ``try`` that releases it; in the
    thread pools of :mod:`concurrent.futures` that leaves a lock held and the pool's
    manager thread waiting on it forever.
    """
    state = Held()
    if not _main_thread():
        yield state
        return
    previous = _install(state.record)
    try:
        yield state
    finally:
        _restore(previous)
    state.raise_if_received()


@contextmanager
def shielded() -> Iterator[None]:
    """Hold stop signals while the block runs (publishing a results folder must not be
    cut in half); if one came, raise :class:`KeyboardInterrupt` when the block ends."""
    with held():
        yield


def ignore_further() -> None:
    """Ignore stop signals from now on: the command is already finishing after one."""
    if _main_thread():
        _install(signal.SIG_IGN)
