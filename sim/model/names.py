"""The spelling of names that files refer to (stations, shifts, materials, grades)."""

from __future__ import annotations

from typing import Annotated

from pydantic import StringConstraints

__all__ = ["Name"]

Name = Annotated[
    str,
    StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_\-]+$"),
]
"""A name of 1-64 letters, digits, ``_`` or ``-``."""
