"""Where runs go: this process, local worker processes, or a Dask cluster.

Every task carries its own seed, so results do not depend on the executor or on the
number of workers. An interrupt (Ctrl-C) stops the work and keeps what has finished.
Tasks are sent to workers in chunks that shrink towards the end (guided scheduling), so
short runs pay little transport cost and the last workers do not wait on one long chunk.
Used as a context manager, an executor keeps its pool or cluster connection open across
``map`` calls (a tuning study maps many small batches).

Worker processes ignore SIGINT and SIGTERM (a terminal's Ctrl-C and ``timeout`` signal the
whole process group; the parent alone decides what to keep) and die with their parent: a
watchdog thread in each worker exits it within :data:`PARENT_CHECK_EVERY` seconds once
the parent is gone, even after a SIGKILL that gave the parent no chance to stop them.

After an interrupt the parent stops the workers with :data:`STOP_WORK` (SIGUSR1), not
with a kill: a worker stops the task it is simulating, sends that back and exits when the
pool shuts down. A worker killed while it writes a result to the pool's pipe leaves half
a message there, and the pool's manager thread waits for the rest forever (Python 3.11's
``shutdown(wait=True)`` and the interpreter's exit then hang); the signal stops a task
only inside :func:`_run_chunk`, never in the pool's own code. A worker that has not
stopped after :data:`STOP_GRACE` seconds (one stuck in a C call), and every worker where
there is no SIGUSR1 (Windows), is killed.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from contextlib import contextmanager, suppress
from types import FrameType, TracebackType
from typing import Any, Generic, Protocol, Self, TypeVar

from sim.errors import LinesimError
from sim.interrupts import STOP_SIGNALS, held, shielded

__all__ = [
    "DaskExecutor",
    "Executor",
    "Interrupted",
    "LocalExecutor",
    "chunk_sizes",
    "default_jobs",
    "make_executor",
]

T = TypeVar("T")
R = TypeVar("R")

GUIDED_FACTOR = 4
"""A chunk holds the remaining tasks / (this x workers), at least one [-]."""

START_METHOD = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
"""How worker processes start: a fork server where the platform has one (Linux, macOS),
else spawn (Windows). Tests set ``"spawn"`` to run here what Windows and macOS do."""

PARENT_CHECK_EVERY = 1.0
"""Seconds between two checks of a worker that its parent still lives [s]."""

STOP_WORK: signal.Signals | None = getattr(signal, "SIGUSR1", None)
"""The signal that asks a worker to stop its task (``None`` where there is none)."""

STOP_GRACE = 20.0
"""Seconds the workers have to stop after :data:`STOP_WORK` before they are killed [s]."""

POLL_EVERY = 0.2
"""Seconds between two looks for an interrupt while waiting on the workers [s]."""

PRELOAD = ["sim.experiment.replicate"]
"""Modules the fork server imports once, so each worker starts without importing them."""


def default_jobs() -> int:
    """Return the number of usable cores."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def chunk_sizes(tasks: int, workers: int) -> list[int]:
    """Split ``tasks`` into chunk sizes that shrink to 1 (guided self-scheduling).

    Ten replications on two workers stay ten chunks of one; 500 short runs become about
    45 chunks, the first of 62 runs.
    """
    sizes = []
    remaining = tasks
    while remaining > 0:
        size = max(1, remaining // (GUIDED_FACTOR * max(1, workers)))
        sizes.append(size)
        remaining -= size
    return sizes


class WorkStopped(BaseException):
    """A worker's task stopped by the parent after an interrupt (a BaseException, so
    that no ``except Exception`` in a simulation takes it for a failure of the run)."""


class _WorkerState:
    """Whether this worker is simulating, and whether it was asked to stop."""

    working = False
    stopping = False


def _on_stop_work(signum: int, frame: FrameType | None) -> None:
    """Worker handler of :data:`STOP_WORK`: stop the task if one is simulating, and
    every task after it."""
    _WorkerState.stopping = True
    if _WorkerState.working:
        _WorkerState.working = False
        raise WorkStopped


def _run_chunk(function: Callable[[T], R], chunk: Sequence[T]) -> list[R]:
    """Run one chunk of tasks in a worker (:data:`STOP_WORK` stops it here only)."""
    _WorkerState.working = True
    try:
        if _WorkerState.stopping:
            raise WorkStopped
        return [function(task) for task in chunk]
    finally:
        _WorkerState.working = False


def _chunks(tasks: Sequence[T], workers: int) -> list[tuple[int, list[T]]]:
    """Return (index of the first task, tasks) per chunk."""
    out = []
    start = 0
    for size in chunk_sizes(len(tasks), workers):
        out.append((start, list(tasks[start : start + size])))
        start += size
    return out


class Executor(Protocol):
    """What every executor offers: ``map`` with progress callbacks, and closing."""

    workers: int

    def map(
        self,
        function: Callable[[T], R],
        tasks: Sequence[T],
        on_done: Callable[[int], None] | None = None,
        on_result: Callable[[int, R], None] | None = None,
    ) -> list[R]: ...

    def close(self) -> None: ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None: ...


class Interrupted(Exception, Generic[R]):
    """Work stopped by Ctrl-C; ``finished`` maps task index to the results that completed."""

    def __init__(self, finished: dict[int, R]) -> None:
        super().__init__(f"interrupted after {len(finished)} finished task(s)")
        self.finished = finished


class _Session:
    """The set-up and tear-down every executor shares: inside ``with`` its pool or
    connection stays open across ``map`` calls (``_keep``); ``close`` ends it."""

    _keep = False

    def _open(self) -> None:
        """Start the pool or connect (subclasses)."""

    def close(self) -> None:
        """Stop the pool or disconnect (subclasses)."""

    def __enter__(self) -> Self:
        self._keep = True
        try:
            self._open()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()


class LocalExecutor(_Session):
    """Run tasks in this process (``jobs == 1``) or in a pool of ``jobs`` processes.

    Inside ``with`` the pool lives until the block ends; otherwise each ``map`` starts and
    stops its own pool.
    """

    def __init__(self, jobs: int | None = None) -> None:
        self.jobs = max(1, jobs if jobs is not None else default_jobs())
        self.workers = self.jobs
        self._keep = False
        self._pool: ProcessPoolExecutor | None = None

    def _open(self) -> None:
        if self.jobs > 1:
            self._start(self.jobs)  # start the workers now, while the caller prepares

    def close(self) -> None:
        """Stop the worker processes, if any."""
        self._keep = False
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def _start(self, workers: int) -> ProcessPoolExecutor:
        if self._pool is None:
            context = multiprocessing.get_context(START_METHOD)
            if START_METHOD == "forkserver":
                context.set_forkserver_preload(PRELOAD)
            pool = ProcessPoolExecutor(
                max_workers=workers,
                mp_context=context,
                initializer=_init_worker,
                initargs=(os.getpid(),),
            )
            self._pool = pool
            with shielded(), _signals_blocked():  # the helpers start deaf to Ctrl-C
                for _ in range(workers):  # one spawn per submit: start them all now
                    pool.submit(os.getpid)
        return self._pool

    def map(
        self,
        function: Callable[[T], R],
        tasks: Sequence[T],
        on_done: Callable[[int], None] | None = None,
        on_result: Callable[[int, R], None] | None = None,
    ) -> list[R]:
        """Return ``[function(task) for task in tasks]`` in task order.

        ``on_result(index, result)`` then ``on_done(index)`` are called as each task
        finishes. Raises :class:`Interrupted` holding the finished results on
        KeyboardInterrupt.
        """
        finished: dict[int, R] = {}

        def record(index: int, result: R) -> None:
            finished[index] = result
            if on_result:
                on_result(index, result)
            if on_done:
                on_done(index)

        workers = min(self.jobs, len(tasks))
        try:
            if workers <= 1 and self._pool is None:
                for index, task in enumerate(tasks):
                    record(index, function(task))
            else:
                self._map_pool(function, tasks, record)
        except KeyboardInterrupt:
            self._stop_workers()
            self.close()
            raise Interrupted(finished) from None
        return [finished[index] for index in range(len(tasks))]

    def _stop_workers(self) -> None:
        """Stop the workers without waiting for their running tasks (after Ctrl-C).

        Asks each to stop with :data:`STOP_WORK`, shuts the pool down and waits up to
        :data:`STOP_GRACE` seconds; kills what is still alive then (and at once where
        there is no such signal). Reads the pool's private process table; without it
        the pool's shutdown waits for the running tasks.
        """
        pool = self._pool
        if pool is None:
            return
        self._pool = None
        processes = list((getattr(pool, "_processes", None) or {}).values())
        if STOP_WORK is not None:
            for process in processes:
                with suppress(OSError, ValueError, AttributeError, TypeError):
                    os.kill(process.pid, STOP_WORK)
            # No cancel: the queued tasks reach the workers and stop at once, and the
            # pool sends them the end of work when none is left.
            pool.shutdown(wait=False, cancel_futures=False)
            deadline = time.monotonic() + STOP_GRACE
            for process in processes:
                with suppress(OSError, ValueError, AssertionError, AttributeError):
                    process.join(max(0.0, deadline - time.monotonic()))
        for process in processes:
            with suppress(OSError, ValueError, AttributeError):
                if process.is_alive():
                    process.kill()  # workers ignore SIGTERM
        for process in processes:  # none may outlive the queues it reads
            with suppress(OSError, ValueError, AssertionError, AttributeError):
                process.join(5.0)
        # No cancel before a kill: Python 3.11's pool manager fails with
        # InvalidStateError (a thread traceback) on cancelled futures of a broken pool;
        # the kill fails them all with BrokenProcessPool instead.
        pool.shutdown(wait=True, cancel_futures=False)

    def _map_pool(
        self, function: Callable[[T], R], tasks: Sequence[T], record: Callable[[int, R], None]
    ) -> None:
        pool = self._start(min(self.jobs, len(tasks)))
        pending: dict[Future[list[R]], int] = {}

        def keep_finished() -> None:
            for future, first in pending.items():
                if future.done() and not future.cancelled() and future.exception() is None:
                    for offset, result in enumerate(future.result()):
                        record(first + offset, result)

        # Stop signals are held here and raised only at the check in the loop: raised
        # anywhere else (inside the pool's locks) they could hang the pool's shutdown.
        with held() as signals:
            try:
                for first, chunk in _chunks(tasks, self.jobs):
                    pending[pool.submit(_run_chunk, function, chunk)] = first
                while pending:
                    signals.raise_if_received()
                    done, _ = wait(pending, timeout=POLL_EVERY, return_when=FIRST_COMPLETED)
                    signals.raise_if_received()
                    for future in done:
                        first = pending.pop(future)
                        for offset, result in enumerate(future.result()):
                            record(first + offset, result)
            except KeyboardInterrupt:
                self._stop_workers()
                keep_finished()  # those done before the workers stopped
                raise
            except BaseException:
                for future in pending:
                    future.cancel()
                raise
            finally:
                if not self._keep:
                    self.close()


class DaskExecutor(_Session):
    """Run tasks on a Dask distributed scheduler at ``address`` (``tcp://HOST:8786``).

    Needs the ``cluster`` extra (``pip install 'linesim[cluster]'``); the workers need
    linesim installed, and run best with one thread each (``dask worker --nthreads 1``),
    since a simulation holds the GIL.
    """

    def __init__(self, address: str, timeout: float = 30.0) -> None:
        try:
            import distributed  # noqa: F401
        except ImportError:
            raise LinesimError(
                "--cluster needs dask.distributed: pip install 'linesim[cluster]'"
            ) from None
        check_address(address)
        self.address = address
        self.timeout = timeout
        self._client: Any = None
        self._keep = False
        self.workers = 1

    def _open(self) -> None:
        self._connect()

    def close(self) -> None:
        """Disconnect from the scheduler (the cluster keeps running)."""
        self._keep = False
        if self._client is not None:
            self._client.close()
            self._client = None

    def _connect(self) -> Any:
        if self._client is None:
            from distributed import Client

            try:
                self._client = Client(  # type: ignore[no-untyped-call]  # distributed is unannotated
                    self.address, set_as_default=False, timeout=self.timeout
                )
            except OSError as exc:
                raise LinesimError(
                    f"--cluster {self.address}: no Dask scheduler answered ({exc})"
                ) from None
            threads = self._client.nthreads()
            self.workers = max(1, sum(threads.values()))
        return self._client

    def map(
        self,
        function: Callable[[T], R],
        tasks: Sequence[T],
        on_done: Callable[[int], None] | None = None,
        on_result: Callable[[int, R], None] | None = None,
    ) -> list[R]:
        """Return ``[function(task) for task in tasks]`` in task order, computed on the
        cluster; callbacks and interrupts as in :meth:`LocalExecutor.map`."""
        finished: dict[int, R] = {}
        futures: dict[Any, int] = {}
        ready = threading.Event()
        try:
            # Stop signals held and raised only at the loop's check, as in LocalExecutor.
            with held() as signals:
                client = self._connect()
                for first, chunk in _chunks(tasks, self.workers):
                    future = client.submit(_run_chunk, function, chunk, pure=False)
                    futures[future] = first
                    future.add_done_callback(lambda _future: ready.set())
                while futures:
                    signals.raise_if_received()
                    ready.wait(POLL_EVERY)
                    ready.clear()
                    for future in [future for future in futures if future.done()]:
                        first = futures.pop(future)
                        for offset, result in enumerate(future.result()):
                            finished[first + offset] = result
                            if on_result:
                                on_result(first + offset, result)
                            if on_done:
                                on_done(first + offset)
        except KeyboardInterrupt:
            self._cancel(futures)
            raise Interrupted(finished) from None
        except BaseException:
            self._cancel(futures)
            raise
        finally:
            if not self._keep:
                self.close()
        return [finished[index] for index in range(len(tasks))]

    def _cancel(self, futures: dict[Any, int]) -> None:
        if futures and self._client is not None:
            self._client.cancel(list(futures))


def check_address(address: str) -> None:
    """Refuse (:class:`LinesimError`) a scheduler address Dask cannot use (an unknown
    scheme such as ``foo://bar``, ``tls://`` with no client certificates configured), at
    once rather than after a connection timeout."""
    from distributed.comm.addressing import parse_address, parse_host_port
    from distributed.comm.registry import get_backend

    try:
        scheme, location = parse_address(address, strict=False)
        get_backend(scheme)
        if scheme in ("tcp", "tls") and location and not location.startswith(":"):
            parse_host_port(location)  # a TCP scheduler needs its port: tcp://HOST:8786
    except (ValueError, TypeError) as exc:
        raise LinesimError(
            f"--cluster {address}: not a Dask scheduler address ({exc}); give e.g. tcp://HOST:8786"
        ) from None
    if not location or location.startswith(":"):
        raise LinesimError(
            f"--cluster {address}: no host in the address; give e.g. tcp://HOST:8786"
        )
    if scheme == "tls":
        from distributed.security import Security

        security = Security()  # type: ignore[no-untyped-call]  # distributed is unannotated
        client_args = security.get_connection_args("client")  # type: ignore[no-untyped-call]  # as above
        if client_args.get("ssl_context") is None:
            raise LinesimError(  # Dask's client would raise a TypeError
                f"--cluster {address}: no TLS certificates for the client in Dask's "
                "configuration; set DASK_DISTRIBUTED__COMM__TLS__CA_FILE, "
                "DASK_DISTRIBUTED__COMM__TLS__CLIENT__CERT and "
                "DASK_DISTRIBUTED__COMM__TLS__CLIENT__KEY (see docs/cluster.md)"
            )


def make_executor(
    jobs: int | None = None, cluster: str | None = None
) -> LocalExecutor | DaskExecutor:
    """Return a :class:`DaskExecutor` when ``cluster`` (a scheduler address) is given,
    else a :class:`LocalExecutor` of ``jobs`` processes (default: the number of cores)."""
    if jobs is not None and jobs < 1:
        raise LinesimError("--jobs must be >= 1")
    if cluster:
        return DaskExecutor(cluster)
    return LocalExecutor(jobs)


_STOP_SIGNALS = set(STOP_SIGNALS)
_BLOCKED = _STOP_SIGNALS | ({STOP_WORK} if STOP_WORK is not None else set())


@contextmanager
def _signals_blocked() -> Iterator[None]:
    """Block the stop signals and :data:`STOP_WORK` in this thread while helper
    processes start (POSIX; a worker unblocks them once its handlers are set).

    The fork server, the resource tracker and the workers inherit the blocked mask, so a
    Ctrl-C that reaches the whole process group while they import (seconds on a loaded
    machine) cannot print their tracebacks; this process gets the signal when the block
    ends, so no Ctrl-C is lost (with :func:`sim.interrupts.shielded` also
    when another thread of this process receives it).
    """
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, _BLOCKED)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _init_worker(parent: int) -> None:
    """Pool initializer: a worker ignores SIGINT, SIGTERM and SIGHUP (a terminal's
    Ctrl-C and ``timeout`` reach the whole process group; the parent alone decides what
    to keep and stops the workers, with :data:`STOP_WORK`), stops its task on
    :data:`STOP_WORK`, and exits when process ``parent`` is gone."""
    for number in _STOP_SIGNALS:
        signal.signal(number, signal.SIG_IGN)
    if STOP_WORK is not None:
        signal.signal(STOP_WORK, _on_stop_work)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _BLOCKED)
    watch_parent(parent)


def watch_parent(parent: int, every: float = PARENT_CHECK_EVERY) -> threading.Thread | None:
    """Start a daemon thread that ends this process (``os._exit``) once process
    ``parent`` has ended; return it (``None`` when psutil cannot see the parent).

    Portable (psutil; the parent's start time guards against a reused pid), unlike
    Linux's ``PR_SET_PDEATHSIG``, which would also watch the fork server rather than
    the process that owns the pool.
    """
    try:
        import psutil

        owner = psutil.Process(parent)
    except Exception:
        return None

    def watch() -> None:
        while True:
            threading.Event().wait(every)
            try:
                alive = owner.is_running() and owner.status() != psutil.STATUS_ZOMBIE
            except psutil.Error:
                alive = False
            if not alive:
                os._exit(1)

    thread = threading.Thread(target=watch, name="linesim-parent-watch", daemon=True)
    thread.start()
    return thread
