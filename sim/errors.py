"""Errors a user can act on: each names the file, the YAML path and the fix."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ConfigError", "ConfigErrors", "LinesimError", "RunError"]


class LinesimError(Exception):
    """Base of every error linesim reports to a user without a traceback."""

    exit_code = 2


@dataclass
class ConfigError(LinesimError):
    """A line or scenario file is not valid.

    Parameters
    ----------
    message
        What is wrong and what is allowed.
    file
        The YAML file, or ``None`` for command-line input.
    path
        Dotted YAML path (stations addressed by name), ``""`` for the whole file; on the
        command line, the ``--set`` path (printed ``--set PATH``) or the option (``--seed``).
    line, column
        1-based position in the file where known.
    """

    message: str
    file: str | None = None
    path: str = ""
    line: int | None = None
    column: int | None = None

    def __post_init__(self) -> None:
        super().__init__(str(self))

    def __str__(self) -> str:
        where = self.file or "<command line>"
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        path = self.path
        if self.file is None and path and not path.startswith("-"):
            path = f"--set {path}"  # a dotted path on the command line came from --set
        return f"{where}:{' ' + path + ':' if path else ''} {self.message}"


class RunError(LinesimError):
    """A simulation could not go on (deadlock, a line that can never produce)."""


class ConfigErrors(LinesimError):
    """Several :class:`ConfigError` found at once; printed one per line."""

    def __init__(self, errors: list[ConfigError]) -> None:
        self.errors = errors
        super().__init__(str(self))

    def __str__(self) -> str:
        return "\n".join(str(error) for error in self.errors)
