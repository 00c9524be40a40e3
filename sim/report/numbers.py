"""The one number format of linesim in the reports: console tables, plots, report.html.

The rules live in :mod:`sim.figures` (a count, a measure, a share, a percentage), so the
experiments' messages and the command line write numbers the same way; here they keep
the names the report modules use. A measure has four significant digits, thousands
separators, and millions or billions as ``60.31 M`` rather than ``6.031e+07``; the unit
follows, as in ``60.31 M EUR / year``.
"""

from __future__ import annotations

from sim.figures import number as format_number
from sim.figures import quantity as format_quantity

__all__ = ["format_number", "format_quantity"]
