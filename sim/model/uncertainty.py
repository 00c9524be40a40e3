"""Ranges of uncertain inputs: estimated (tag E) line inputs and lever effect sizes.

A line may list ``uncertain: {dotted.path: {low, high}}`` for the inputs that are
estimates; a lever may carry ``effect: {low, high}``, the size of its effect as a multiple
of the changes it lists (1 = as written, 0 = no effect). An uncertainty study samples
inside these ranges; an ordinary run uses the values as written.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = ["Range"]


class Range(BaseModel):
    """A range for one uncertain number: uniform on [low, high], or triangular with a mode.

    ``low``, ``high`` and ``mode`` are numbers in the unit of the input they range over, or
    duration strings (``"16 h"``) for time inputs, read in the line's time unit.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    low: float | str = Field(description="smallest value [the input's unit]")
    high: float | str = Field(description="largest value [the input's unit]")
    mode: float | str | None = Field(
        default=None, description="most likely value [the input's unit]; omitted = uniform"
    )
    source: str = Field(default="", description="why this range (S/S2/E and where from)")

    @model_validator(mode="after")
    def _ordered(self) -> Range:
        numbers = [v for v in (self.low, self.mode, self.high) if isinstance(v, float | int)]
        if len(numbers) == (3 if self.mode is not None else 2) and numbers != sorted(numbers):
            raise ValueError("a range needs low <= mode <= high")
        return self
