"""UTC quota windows: hour `YYYY-MM-DDTHH`, day `YYYY-MM-DD`, month `YYYY-MM`.

A window key is computed from an aware datetime; a naive one is a programming error.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


def _utc(now: datetime) -> datetime:
    if now.tzinfo is None:
        raise ValueError("window keys need an aware datetime")
    return now.astimezone(UTC)


def hour_key(now: datetime) -> str:
    return _utc(now).strftime("%Y-%m-%dT%H")


def day_key(now: datetime) -> str:
    return _utc(now).strftime("%Y-%m-%d")


def month_key(now: datetime) -> str:
    return _utc(now).strftime("%Y-%m")


def hour_ends_at(now: datetime) -> datetime:
    start = _utc(now).replace(minute=0, second=0, microsecond=0)
    return start + timedelta(hours=1)


def day_ends_at(now: datetime) -> datetime:
    start = _utc(now).replace(hour=0, minute=0, second=0, microsecond=0)
    return start + timedelta(days=1)


def month_ends_at(now: datetime) -> datetime:
    start = _utc(now).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    if start.month == 12:
        return start.replace(year=start.year + 1, month=1)
    return start.replace(month=start.month + 1)
