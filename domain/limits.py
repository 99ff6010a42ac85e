"""Video quotas, attempts per test, distinct tests per month, abuse strikes and bans (SPEC.md §1).

Pure rules over one user's `user-limits` row. Every function takes `now` and returns a new
`UserLimits` for the caller to write in one conditional update guarded by `revision`.
Each counter belongs to a UTC window key; a counter whose window has passed reads zero and is
reset by the same write that moves it (decision 012).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from domain.errors import (
    AttemptsPerTestExceeded,
    Banned,
    DailyQuotaExceeded,
    DomainError,
    HourlyQuotaExceeded,
    MonthlyTestsQuotaExceeded,
    QuotaExceeded,
    ValidationFailed,
)
from domain.tiers import Tier, quota_of
from domain.windows import (
    day_ends_at,
    day_key,
    hour_ends_at,
    hour_key,
    month_ends_at,
    month_key,
)

MAX_ATTEMPTS_PER_TEST_PER_DAY = 3
STRIKES_BEFORE_BAN = 10
ABUSE_BAN_DURATION = timedelta(hours=24)
ABUSE_BAN_REASON = "VIDEO_ABUSE"
MAX_BAN_REASON_LENGTH = 200

_HOUR_KEY = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}")
_DAY_KEY = re.compile(r"\d{4}-\d{2}-\d{2}")
_MONTH_KEY = re.compile(r"\d{4}-\d{2}")


class AttemptCounts(Mapping[int, int]):
    """An immutable, hashable `test_id -> attempts today` mapping, equal to any equal mapping."""

    __slots__ = ("_counts",)

    def __init__(self, counts: Mapping[int, int] | Iterable[tuple[int, int]] = ()) -> None:
        self._counts: dict[int, int] = dict(counts)

    def __getitem__(self, test_id: int) -> int:
        return self._counts[test_id]

    def __iter__(self) -> Iterator[int]:
        return iter(self._counts)

    def __len__(self) -> int:
        return len(self._counts)

    def __hash__(self) -> int:
        return hash(frozenset(self._counts.items()))

    def __repr__(self) -> str:
        return f"AttemptCounts({self._counts!r})"


@dataclass(frozen=True, slots=True)
class UserLimits:
    """The `user-limits` row: schema attributes first, then the window and strike extensions."""

    user_id: str
    plan: Tier
    video_quota_hour: int
    video_quota_day: int
    test_quota_month: int
    video_quota_used_hourly: int
    video_quota_used_daily: int
    test_quota_used_monthly: int
    attempts_per_test: Mapping[int, int]
    hour_window: str
    day_window: str
    month_window: str
    tests_this_month: frozenset[int]
    strikes: int
    strike_window: str
    ban_until: datetime | None
    ban_reason: str | None
    updated_at: datetime
    revision: int = 0

    def __post_init__(self) -> None:
        # Accept any mapping or set from callers, keep a frozen and hashable one.
        if not isinstance(self.attempts_per_test, AttemptCounts):
            object.__setattr__(self, "attempts_per_test", AttemptCounts(self.attempts_per_test))
        if not isinstance(self.tests_this_month, frozenset):
            object.__setattr__(self, "tests_this_month", frozenset(self.tests_this_month))
        if not self.user_id:
            raise ValidationFailed("user_id must not be empty")
        counts = (
            self.video_quota_hour,
            self.video_quota_day,
            self.test_quota_month,
            self.video_quota_used_hourly,
            self.video_quota_used_daily,
            self.test_quota_used_monthly,
            self.strikes,
            self.revision,
            *self.attempts_per_test.values(),
        )
        if any(count < 0 for count in counts):
            raise ValidationFailed("quotas, counters and revision must not be negative")
        if len(self.tests_this_month) > self.test_quota_used_monthly:
            raise ValidationFailed("tests_this_month holds more tests than were counted")
        _require_key(_HOUR_KEY, self.hour_window, "hour_window")
        _require_key(_DAY_KEY, self.day_window, "day_window")
        _require_key(_MONTH_KEY, self.month_window, "month_window")
        _require_key(_HOUR_KEY, self.strike_window, "strike_window")
        _require_aware(self.updated_at, "updated_at")
        if (self.ban_until is None) != (self.ban_reason is None):
            raise ValidationFailed("ban_until and ban_reason are set together or not at all")
        if self.ban_until is not None:
            _require_aware(self.ban_until, "ban_until")


@dataclass(frozen=True, slots=True)
class Admitted:
    """A start that passed every limit: write `limits`, create the attempt with these values."""

    limits: UserLimits
    attempt_number: int
    month_key: str


@dataclass(frozen=True, slots=True)
class Refused:
    """A refused start: `error` says why; `limits` changed only when `must_write` (a strike)."""

    limits: UserLimits
    error: DomainError
    must_write: bool


@dataclass(frozen=True, slots=True)
class WindowUsage:
    used: int
    limit: int
    resets_at: datetime


@dataclass(frozen=True, slots=True)
class LimitsUsage:
    """What `GET /v1/me/limits` shows: usage of each window at `now`, and a ban in force."""

    user_id: str
    plan: Tier
    hourly: WindowUsage
    daily: WindowUsage
    monthly: WindowUsage
    attempts_per_test: Mapping[int, int]
    attempts_per_test_limit: int
    tests_this_month: frozenset[int]
    ban_until: datetime | None
    ban_reason: str | None


def new_limits(user_id: str, tier: Tier, now: datetime) -> UserLimits:
    """A fresh limits row for a newly registered user of `tier`."""
    quota = quota_of(tier)
    return UserLimits(
        user_id=user_id,
        plan=tier,
        video_quota_hour=quota.videos_per_hour,
        video_quota_day=quota.videos_per_day,
        test_quota_month=quota.distinct_tests_per_month,
        video_quota_used_hourly=0,
        video_quota_used_daily=0,
        test_quota_used_monthly=0,
        attempts_per_test=AttemptCounts(),
        hour_window="",
        day_window="",
        month_window="",
        tests_this_month=frozenset(),
        strikes=0,
        strike_window="",
        ban_until=None,
        ban_reason=None,
        updated_at=now,
    )


def limits_for_tier(limits: UserLimits, tier: Tier, now: datetime) -> UserLimits:
    """The limits after a tier change: new plan and quotas, counters already used kept."""
    quota = quota_of(tier)
    return replace(
        limits,
        plan=tier,
        video_quota_hour=quota.videos_per_hour,
        video_quota_day=quota.videos_per_day,
        test_quota_month=quota.distinct_tests_per_month,
        updated_at=now,
    )


def rolled(limits: UserLimits, now: datetime) -> UserLimits:
    """The same limits seen at `now`: counters of a passed window read zero, an ended ban none."""
    hour = _window(limits.hour_window, hour_key(now))
    day = _window(limits.day_window, day_key(now))
    month = _window(limits.month_window, month_key(now))
    strike_hour = _window(limits.strike_window, hour_key(now))
    same_hour = hour == limits.hour_window
    same_day = day == limits.day_window
    same_month = month == limits.month_window
    banned = is_banned(limits, now)
    return replace(
        limits,
        hour_window=hour,
        day_window=day,
        month_window=month,
        strike_window=strike_hour,
        video_quota_used_hourly=limits.video_quota_used_hourly if same_hour else 0,
        video_quota_used_daily=limits.video_quota_used_daily if same_day else 0,
        attempts_per_test=limits.attempts_per_test if same_day else AttemptCounts(),
        test_quota_used_monthly=limits.test_quota_used_monthly if same_month else 0,
        tests_this_month=limits.tests_this_month if same_month else frozenset(),
        strikes=limits.strikes if strike_hour == limits.strike_window else 0,
        ban_until=limits.ban_until if banned else None,
        ban_reason=limits.ban_reason if banned else None,
    )


def decide_start(limits: UserLimits, test_id: int, now: datetime) -> Admitted | Refused:
    """Admit or refuse one assessment start of `test_id` (a catalog id checked by the caller).

    Checks, first failing wins (decision 010): ban, hourly videos, daily videos, attempts of
    this test today, distinct tests this month (a test already started this month is free).
    A refusal by a video quota is an abuse strike and must be written; the 10th strike in one
    hour bans for 24 h and is answered with `BANNED` (decision 013).
    """
    if limits.ban_until is not None and is_banned(limits, now):
        banned = Banned(limits.ban_until, limits.ban_reason or "")
        return Refused(limits, banned, must_write=False)
    current = rolled(limits, now)
    if current.video_quota_used_hourly >= current.video_quota_hour:
        return _strike(current, HourlyQuotaExceeded(_hour_end(current.hour_window)), now)
    if current.video_quota_used_daily >= current.video_quota_day:
        return _strike(current, DailyQuotaExceeded(_day_end(current.day_window)), now)
    attempts_today = current.attempts_per_test.get(test_id, 0)
    if attempts_today >= MAX_ATTEMPTS_PER_TEST_PER_DAY:
        error: QuotaExceeded = AttemptsPerTestExceeded(_day_end(current.day_window))
        return Refused(limits, error, must_write=False)
    first_this_month = test_id not in current.tests_this_month
    if first_this_month and current.test_quota_used_monthly >= current.test_quota_month:
        error = MonthlyTestsQuotaExceeded(_month_end(current.month_window))
        return Refused(limits, error, must_write=False)
    admitted = replace(
        current,
        video_quota_used_hourly=current.video_quota_used_hourly + 1,
        video_quota_used_daily=current.video_quota_used_daily + 1,
        attempts_per_test=_one_more_attempt(current.attempts_per_test, test_id),
        test_quota_used_monthly=current.test_quota_used_monthly + int(first_this_month),
        tests_this_month=current.tests_this_month | {test_id},
        updated_at=now,
    )
    return Admitted(admitted, attempt_number=attempts_today + 1, month_key=month_key(now))


def refund_failed_attempt(
    limits: UserLimits, attempt_created_at: datetime, now: datetime
) -> UserLimits:
    """Give back the video units of a `failed` attempt whose hour or day window is still current.

    Only `failed` attempts (our processing broke) are refunded; an `invalid` one (unusable
    video) is the user's and the caller must not call this for it. The caller refunds each
    attempt once (its `processing -> failed` transition happens once). The attempt of that
    test today and the month's distinct test are never given back (decision 011). Returns
    `limits` itself when nothing is refunded, so the caller can skip the write.
    """
    current = rolled(limits, now)
    hourly = current.hour_window == hour_key(attempt_created_at)
    daily = current.day_window == day_key(attempt_created_at)
    hourly = hourly and current.video_quota_used_hourly > 0
    daily = daily and current.video_quota_used_daily > 0
    if not (hourly or daily):
        return limits
    return replace(
        current,
        video_quota_used_hourly=current.video_quota_used_hourly - int(hourly),
        video_quota_used_daily=current.video_quota_used_daily - int(daily),
        updated_at=now,
    )


def ban(limits: UserLimits, until: datetime, reason: str, now: datetime) -> UserLimits:
    """An admin ban until `until` (after `now`) with a reason of 1..200 characters."""
    if until.tzinfo is None:
        raise ValidationFailed("the ban end must carry a timezone")
    if until <= now:
        raise ValidationFailed("the ban must end in the future")
    reason = reason.strip()
    if not reason or len(reason) > MAX_BAN_REASON_LENGTH:
        raise ValidationFailed(f"the ban reason must have 1..{MAX_BAN_REASON_LENGTH} characters")
    return replace(limits, ban_until=until.astimezone(UTC), ban_reason=reason, updated_at=now)


def unban(limits: UserLimits, now: datetime) -> UserLimits:
    """Lift any ban and forgive the strikes; `limits` itself when there is nothing to lift."""
    if limits.ban_until is None and limits.strikes == 0:
        return limits
    return replace(limits, ban_until=None, ban_reason=None, strikes=0, updated_at=now)


def is_banned(limits: UserLimits, now: datetime) -> bool:
    """Whether a ban is in force at `now`."""
    return limits.ban_until is not None and limits.ban_until > now


def usage(limits: UserLimits, now: datetime) -> LimitsUsage:
    """The caller's usage at `now` of every window, with reset times, and any ban in force."""
    current = rolled(limits, now)
    return LimitsUsage(
        user_id=current.user_id,
        plan=current.plan,
        hourly=WindowUsage(
            current.video_quota_used_hourly,
            current.video_quota_hour,
            _hour_end(current.hour_window),
        ),
        daily=WindowUsage(
            current.video_quota_used_daily, current.video_quota_day, _day_end(current.day_window)
        ),
        monthly=WindowUsage(
            current.test_quota_used_monthly,
            current.test_quota_month,
            _month_end(current.month_window),
        ),
        attempts_per_test=current.attempts_per_test,
        attempts_per_test_limit=MAX_ATTEMPTS_PER_TEST_PER_DAY,
        tests_this_month=current.tests_this_month,
        ban_until=current.ban_until,
        ban_reason=current.ban_reason,
    )


def _strike(current: UserLimits, quota_error: QuotaExceeded, now: datetime) -> Refused:
    strikes = current.strikes + 1
    if strikes >= STRIKES_BEFORE_BAN:
        until = now + ABUSE_BAN_DURATION
        banned = replace(
            current, strikes=strikes, ban_until=until, ban_reason=ABUSE_BAN_REASON, updated_at=now
        )
        return Refused(banned, Banned(until, ABUSE_BAN_REASON), must_write=True)
    return Refused(replace(current, strikes=strikes, updated_at=now), quota_error, must_write=True)


def _one_more_attempt(counts: Mapping[int, int], test_id: int) -> AttemptCounts:
    return AttemptCounts({**counts, test_id: counts.get(test_id, 0) + 1})


def _window(stored: str, current: str) -> str:
    # Keys sort chronologically. A stored key later than now's was written by a clock slightly
    # ahead; it stays current so two skewed writers cannot take turns resetting it (decision 012).
    return max(stored, current)


def _hour_end(key: str) -> datetime:
    return hour_ends_at(datetime.fromisoformat(f"{key}:00+00:00"))


def _day_end(key: str) -> datetime:
    return day_ends_at(datetime.fromisoformat(f"{key}T00:00+00:00"))


def _month_end(key: str) -> datetime:
    return month_ends_at(datetime.fromisoformat(f"{key}-01T00:00+00:00"))


def _require_key(pattern: re.Pattern[str], key: str, name: str) -> None:
    if key and not pattern.fullmatch(key):
        raise ValidationFailed(f"{name} is not a window key: {key!r}")


def _require_aware(moment: datetime, name: str) -> None:
    if moment.tzinfo is None:
        raise ValidationFailed(f"{name} must be timezone-aware")
