"""A clock that tells the time it is told: for tests and scripted demos."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


class FixedClock:
    """Stands still at `now` until set or advanced."""

    def __init__(self, now: datetime) -> None:
        self._now = _utc(now)

    def now(self) -> datetime:
        """The moment the clock was set to, in UTC."""
        return self._now

    def set(self, now: datetime) -> None:
        """Jump to `now`."""
        self._now = _utc(now)

    def advance(self, delta: timedelta) -> datetime:
        """Move on by `delta` and return the new time."""
        self._now = self._now + delta
        return self._now


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("the clock tells aware times only")
    return moment.astimezone(UTC)
