"""Where a tuning study lives: an Optuna RDB storage with heartbeats, safe to open from two
processes at once, and with a clear error for a URL it cannot use.

A trial whose process was killed (SIGKILL, a crashed node) stops sending heartbeats; the
next tune on the same study marks it failed after :data:`GRACE_PERIOD` and queues its
design again (Optuna's ``RetryHeartbeatStaleTrialCallback``), so no trial stays "running" forever.
"""

from __future__ import annotations

import threading
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import optuna
from optuna.storages import RDBStorage

from sim.errors import ConfigError

__all__ = ["GRACE_PERIOD", "HEARTBEAT_INTERVAL", "fail_stale", "heartbeats", "open_storage"]

HEARTBEAT_INTERVAL = 10
"""Seconds between two heartbeats of a running trial [s]."""

GRACE_PERIOD = 60
"""A running trial without a heartbeat for this long is failed and its design retried [s]."""

OPEN_ATTEMPTS = 8
"""Tries to open a storage whose tables another process is creating at the same time [-]."""

EXAMPLE = "e.g. sqlite:///results/study.db or postgresql://user@host/db"


def open_storage(url: str) -> RDBStorage:
    """Open (creating its tables if new) the RDB storage at ``url`` with heartbeats.

    Raises :class:`ConfigError` (exit 2) for a text that is not a database URL or whose
    database driver is not installed. Two processes creating the tables at once both
    succeed: the one that loses the race opens the tables the other made.
    """
    _check_url(url)
    for attempt in range(OPEN_ATTEMPTS):
        try:
            return _rdb(url)
        except ImportError as exc:
            raise ConfigError(
                f"storage {url!r}: the database driver for it is not installed ({exc}); "
                f"install it or use {EXAMPLE}",
                path="storage",
            ) from None
        except Exception as exc:
            if not _lost_race(exc) or attempt == OPEN_ATTEMPTS - 1:
                _refuse_unopenable(url, exc)
                raise
            time.sleep(0.05 * (attempt + 1))
    raise AssertionError("unreachable")  # pragma: no cover


def _refuse_unopenable(url: str, error: Exception) -> None:
    """Raise :class:`ConfigError` for a database that cannot be opened (a folder that is
    not there, no rights, a file that is not a database); other errors pass."""
    from sqlalchemy.exc import DatabaseError, OperationalError

    if isinstance(error, OperationalError | DatabaseError):
        reason = str(getattr(error, "orig", None) or error).splitlines()[0]
        raise ConfigError(
            f"storage {url!r} cannot be opened ({reason}); give a database this tune can "
            f"write, {EXAMPLE}",
            path="storage",
        ) from None


def _check_url(url: str) -> None:
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError

    try:
        make_url(url).get_dialect()
    except (ArgumentError, NoSuchModuleError, ValueError) as exc:
        raise ConfigError(
            f"storage {url!r} is not a database URL SQLAlchemy knows ({exc}); give {EXAMPLE}",
            path="storage",
        ) from None


def _rdb(url: str) -> RDBStorage:
    engine: dict[str, Any] = {}
    if url.startswith("sqlite"):
        engine["connect_args"] = {"timeout": 60}  # wait for another writer, do not fail
    with warnings.catch_warnings():  # heartbeats and their callbacks: experimental in Optuna
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        retry: dict[str, Any] = (
            {"heartbeat_stale_trial_callback": optuna.storages.RetryHeartbeatStaleTrialCallback(1)}
            if hasattr(optuna.storages, "RetryHeartbeatStaleTrialCallback")  # Optuna >= 4.9
            else {"failed_trial_callback": optuna.storages.RetryFailedTrialCallback(max_retry=1)}
        )
        return RDBStorage(
            url,
            engine_kwargs=engine,
            heartbeat_interval=HEARTBEAT_INTERVAL,
            grace_period=GRACE_PERIOD,
            **retry,
        )


def _lost_race(error: Exception) -> bool:
    """Whether opening failed because another process was creating the same tables."""
    from sqlalchemy.exc import IntegrityError, OperationalError

    text = str(error).lower()
    return isinstance(error, IntegrityError) or (
        isinstance(error, OperationalError)
        and ("already exists" in text or "locked" in text or "unique" in text)
    )


def fail_stale(study: optuna.Study) -> None:
    """Fail the trials of a killed process (no heartbeat for :data:`GRACE_PERIOD`) and
    queue their designs again; no-op for storages without heartbeats."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        optuna.storages.fail_stale_trials(study)


@contextmanager
def heartbeats(storage: Any, trial_ids: Callable[[], list[int]]) -> Iterator[None]:
    """Record a heartbeat for each of ``trial_ids()`` now and every
    :data:`HEARTBEAT_INTERVAL` while the block runs (a daemon thread)."""
    if not isinstance(storage, RDBStorage) or storage.get_heartbeat_interval() is None:
        yield
        return
    stop = threading.Event()

    def beat() -> None:
        for trial_id in trial_ids():
            storage.record_heartbeat(trial_id)

    def loop() -> None:
        while not stop.wait(HEARTBEAT_INTERVAL):
            try:
                beat()
            except Exception:  # the next beat tries again; the run must not die of it
                continue

    beat()
    thread = threading.Thread(target=loop, name="linesim-tune-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
