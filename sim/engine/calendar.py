"""Shift calendars moved to the model (:mod:`sim.model.calendar`), built once per line."""

from sim.model.calendar import ShiftCalendar

__all__ = ["ShiftCalendar"]
