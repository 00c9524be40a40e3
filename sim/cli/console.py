"""A console that cannot lose a run: printing is the last step and may fail harmlessly.

Results are written before anything is printed; then a closed stdout (``| head -c10``),
a full device (``> /dev/full``) or a console encoding that lacks a character
(``PYTHONIOENCODING=ascii`` and a scenario named ``Zürich``) must not turn a finished
run into an error. :class:`TolerantStream` wraps stdout: characters the encoding lacks
are replaced, and a stream that fails is dropped with one warning on stderr.
"""

from __future__ import annotations

import os
import sys
from typing import IO, Any

from rich.console import Console

__all__ = ["TolerantStream", "make_consoles", "release_stdout"]


class TolerantStream:
    """A text stream that replaces unencodable characters and turns write errors into one
    warning on ``warn_to`` (then drops further output)."""

    def __init__(self, stream: IO[str], name: str = "stdout", warn_to: Any = None):
        self._stream = stream
        self._name = name
        self._warn_to = warn_to
        self.broken = False

    def _fail(self, error: BaseException) -> None:
        if not self.broken:
            self.broken = True
            reason = getattr(error, "strerror", None) or str(error) or type(error).__name__
            if self._warn_to is not None:
                try:
                    self._warn_to.write(
                        f"warning: {self._name} failed ({reason}); output dropped, the "
                        "results folder is complete\n"
                    )
                    self._warn_to.flush()
                except (OSError, ValueError):
                    pass

    def write(self, text: str) -> int:
        """Write ``text``; never raises."""
        if self.broken:
            return len(text)
        try:
            return self._stream.write(text)
        except UnicodeEncodeError:
            encoding = getattr(self._stream, "encoding", None) or "ascii"
            safe = text.encode(encoding, "replace").decode(encoding, "replace")
            try:
                return self._stream.write(safe)
            except (OSError, ValueError, UnicodeError) as error:
                self._fail(error)
        except (OSError, ValueError) as error:  # ValueError: I/O on a closed file
            self._fail(error)
        return len(text)

    def flush(self) -> None:
        """Flush; never raises."""
        if self.broken:
            return
        try:
            self._stream.flush()
        except (OSError, ValueError) as error:
            self._fail(error)

    def isatty(self) -> bool:
        try:
            return self._stream.isatty()
        except (OSError, ValueError):
            return False

    def fileno(self) -> int:
        return self._stream.fileno()

    @property
    def encoding(self) -> str:
        return getattr(self._stream, "encoding", None) or "utf-8"

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def make_consoles() -> tuple[Console, Console]:
    """Return the output console (stdout) and the error console (stderr), both tolerant."""
    stderr = TolerantStream(_or_devnull(sys.stderr), "stderr")
    stdout = TolerantStream(_or_devnull(sys.stdout), "stdout", warn_to=stderr)
    terminal = stdout.isatty()
    # Rich draws 80 columns when not on a terminal; station tables need more.
    console = Console(file=stdout, width=None if terminal else 120)  # type: ignore[arg-type]  # a TextIO wrapper
    errors = Console(file=stderr, stderr=True)  # type: ignore[arg-type]  # a TextIO wrapper
    return console, errors


def _or_devnull(stream: IO[str] | None) -> IO[str]:
    """The stream, or devnull when the process started with it closed (``>&-``)."""
    if stream is not None:
        return stream
    return open(os.devnull, "w", encoding="utf-8")


def release_stdout() -> None:
    """Flush stdout at exit; if it is broken, point it at devnull so the interpreter's own
    last flush does not print 'Exception ignored ... BrokenPipeError' and exit 120."""
    if sys.stdout is None:
        return
    try:
        sys.stdout.flush()
    except (OSError, ValueError):
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except (OSError, ValueError):
            pass
