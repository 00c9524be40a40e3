"""Results folders, console tables, plots, the HTML reports and the line views."""

from __future__ import annotations

from sim.atomic import write_csv, write_json, write_text
from sim.report.results import write_results
from sim.report.tables import print_summary

__all__ = ["print_summary", "write_csv", "write_json", "write_results", "write_text"]
