"""What every holder of material shares: buffers, raw-material sources, delays and sinks.

Machines take from a :class:`Supply` (a buffer or an unlimited source) and give to a
:class:`Receiver` (a buffer, a delay or a sink); a buffer is both. All hold one material
and are measured the same way (level and its time integral), as SimPy's ``Put`` and
``Get`` events share ``BaseResource``. A holder wakes what waits on it through a
:class:`Waiter`: a SimPy event, or a machine of the fast path resumed by a call.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from sim.engine.lot import Lot

__all__ = ["Holder", "Receiver", "Supply", "Waiter"]


class Waiter(Protocol):
    """Something a holder wakes once material or room is there."""

    def succeed(self, value: Any = None) -> Any:
        """Wake up (a SimPy event is scheduled; a fast-path machine resumes at once)."""
        ...


class Holder(Protocol):
    """A holder of one material."""

    name: str
    level: float
    """Units inside now [material unit]."""
    area: float
    """Time integral of ``level`` over the measured window [material unit x time unit]."""

    def available(self) -> float:
        """Units a machine could take now [material unit]."""
        ...

    def measure_from_now(self) -> None:
        """Zero what is measured (end of the warm-up)."""
        ...

    def close(self) -> None:
        """Bring what is measured up to now (end of the run)."""
        ...


class Supply(Holder, Protocol):
    """A holder machines take from: a buffer or an unlimited raw-material source."""

    def take_piece(self) -> Lot | None:
        """Take one piece (a lot of 1 unit); ``None`` when empty."""
        ...

    def take_front(self, limit: float) -> Lot | None:
        """Take the front lot, at most ``limit`` units of it; ``None`` when empty."""
        ...

    def take(self, amount: float) -> list[Lot]:
        """Take exactly ``amount`` units (the caller checked :meth:`available`)."""
        ...

    def wait(self, waiter: Waiter, need: float) -> None:
        """Wake ``waiter`` once ``need`` units are available."""
        ...


class Receiver(Holder, Protocol):
    """A holder machines give to: a buffer, a delay or a sink."""

    def put(self, lot: Lot) -> bool:
        """Take in ``lot``; ``False`` when it does not fit (the giver then blocks)."""
        ...

    def block(self, waiter: Waiter, lot: Lot) -> None:
        """Hold ``lot`` for a blocked giver and wake ``waiter`` once it has moved in."""
        ...
