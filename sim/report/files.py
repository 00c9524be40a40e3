"""Atomic writes for the report layer (they live in :mod:`sim.atomic`, usable by every
layer: the experiment layer stores resumable sweep points with them)."""

from __future__ import annotations

from sim.atomic import write_csv, write_json, write_text

__all__ = ["write_csv", "write_json", "write_text"]
