"""The clock is a port so that every rule about time is testable."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol, runtime_checkable


@runtime_checkable
class Clock(Protocol):
    """Tells the current time."""

    def now(self) -> datetime:
        """The current moment as an aware UTC datetime."""
        ...
