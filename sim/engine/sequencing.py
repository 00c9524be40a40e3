"""The release sequence of a product mix: which type the release station starts next.

A campaign runs one type for its number of lots of the release station, then the next
type in the cycle; the station's machines share one sequence, so a campaign is spread
over all of them as they come free. The sequence is deterministic: it draws nothing, so
two scenarios of one mix start the same types in the same order.
"""

from __future__ import annotations

from sim.engine.lot import EPS
from sim.model.products import ProductMix

__all__ = ["CampaignSequence"]


class CampaignSequence:
    """Campaigns of each type in a cycle, counted in cycles of the release station."""

    __slots__ = ("_at", "_cycle", "_sizes", "left", "product")

    def __init__(self, mix: ProductMix, lot_cycles: int) -> None:
        index = {name: number for number, name in enumerate(mix.names)}
        self._cycle = [index[name] for name in mix.cycle()]
        """Type indices in campaign order [-]."""
        self._sizes = {
            index[name]: float(max(1, round(lots)) * lot_cycles)
            for name, lots in mix.sequence.lots.items()
        }
        """Cycles of the release station in one campaign of each type [-]."""
        self._at = 0
        self.product = self._cycle[0]
        """The type the release station starts now [-]."""
        self.left = self._sizes[self.product]
        """Cycles left in the current campaign [-]."""

    def started(self, cycles: float) -> None:
        """Record ``cycles`` [-] of the current type started; move to the next campaign
        when this one is done."""
        self.left -= cycles
        if self.left <= EPS:
            self._at = (self._at + 1) % len(self._cycle)
            self.product = self._cycle[self._at]
            self.left = self._sizes[self.product]
