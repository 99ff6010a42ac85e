"""Quota, attempt, strike and ban rules of SPEC.md section 1."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import event, given, settings, target
from hypothesis import strategies as st

from domain.errors import (
    AttemptsPerTestExceeded,
    Banned,
    DailyQuotaExceeded,
    HourlyQuotaExceeded,
    MonthlyTestsQuotaExceeded,
    ValidationFailed,
)
from domain.limits import (
    ABUSE_BAN_DURATION,
    MAX_ATTEMPTS_PER_TEST_PER_DAY,
    STRIKES_BEFORE_BAN,
    Admitted,
    AttemptCounts,
    Refused,
    UserLimits,
    ban,
    decide_start,
    is_banned,
    limits_for_tier,
    new_limits,
    refund_failed_attempt,
    rolled,
    unban,
    usage,
)
from domain.tiers import Tier, quota_of
from domain.windows import day_key, hour_ends_at, hour_key, month_key

USER = "0b7a5c1e-5d0e-4c1a-9a57-3f1f1f9d2c11"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def fresh(tier: Tier = Tier.FREE, now: datetime | None = None) -> UserLimits:
    return new_limits(USER, tier, now or at("2026-01-01T00:00"))


def admit(limits: UserLimits, test_id: int, now: datetime) -> Admitted:
    decision = decide_start(limits, test_id, now)
    assert isinstance(decision, Admitted), decision
    return decision


def refuse(limits: UserLimits, test_id: int, now: datetime) -> Refused:
    decision = decide_start(limits, test_id, now)
    assert isinstance(decision, Refused), decision
    return decision


def admit_many(limits: UserLimits, test_ids: list[int], now: datetime) -> UserLimits:
    for test_id in test_ids:
        limits = admit(limits, test_id, now).limits
    return limits


def hit_hourly_quota(limits: UserLimits, now: datetime) -> UserLimits:
    """Five admitted starts of five different tests (paid tier, so none hits another limit)."""
    return admit_many(limits, [1, 2, 3, 4, 5], now)


def strike(limits: UserLimits, now: datetime, times: int) -> tuple[UserLimits, Refused]:
    """`times` starts refused by a video quota; the limits to write and the last refusal."""
    refusals: list[Refused] = []
    for _ in range(times):
        refusals.append(refuse(limits, 6, now))
        assert refusals[-1].must_write
        limits = refusals[-1].limits
    return limits, refusals[-1]


def test_the_exported_limits_are_those_of_the_spec() -> None:
    assert MAX_ATTEMPTS_PER_TEST_PER_DAY == 3
    assert timedelta(hours=24) == ABUSE_BAN_DURATION
    # "the 10th strike in one hour (twice the hourly quota)"
    assert all(2 * quota_of(tier).videos_per_hour == STRIKES_BEFORE_BAN for tier in Tier)


# --- registration and tier changes ---------------------------------------------------------


@pytest.mark.parametrize("tier", list(Tier))
def test_a_new_row_carries_the_quotas_of_its_tier_and_nothing_used(tier: Tier) -> None:
    now = at("2026-03-04T05:06")
    limits = new_limits(USER, tier, now)
    quota = quota_of(tier)
    assert (limits.plan, limits.video_quota_hour) == (tier, quota.videos_per_hour)
    assert limits.video_quota_day == quota.videos_per_day
    assert limits.test_quota_month == quota.distinct_tests_per_month
    assert limits.video_quota_used_hourly == limits.video_quota_used_daily == 0
    assert limits.test_quota_used_monthly == limits.strikes == limits.revision == 0
    assert dict(limits.attempts_per_test) == {}
    assert limits.ban_until is None
    assert limits.updated_at == now


def test_a_tier_change_keeps_the_counters_already_used() -> None:
    now = at("2026-05-10T10:00")
    used = admit_many(fresh(Tier.PRO), [1, 2, 3, 1], now)
    later = now + timedelta(minutes=5)
    changed = limits_for_tier(used, Tier.PROPLUS, later)
    assert (changed.plan, changed.video_quota_day, changed.test_quota_month) == (
        Tier.PROPLUS,
        45,
        15,
    )
    assert changed.video_quota_used_hourly == changed.video_quota_used_daily == 4
    assert changed.test_quota_used_monthly == 3
    assert dict(changed.attempts_per_test) == {1: 2, 2: 1, 3: 1}
    assert changed.tests_this_month == {1, 2, 3}
    assert changed.updated_at == later


def test_a_downgrade_below_what_was_used_refuses_until_the_day_ends() -> None:
    day = at("2026-05-10T00:00")
    # Ten videos over two hours: seven distinct tests, none more than twice.
    limits = admit_many(fresh(Tier.PRO), [1, 2, 3, 4, 5], day)
    limits = admit_many(limits, [6, 7, 1, 2, 3], day + timedelta(hours=1))
    downgraded = limits_for_tier(limits, Tier.BASIC, day + timedelta(hours=2))
    refused = refuse(downgraded, 4, day + timedelta(hours=3))
    assert isinstance(refused.error, DailyQuotaExceeded)
    assert refused.error.resets_at == at("2026-05-11T00:00")


# --- the hourly video quota ----------------------------------------------------------------


def test_the_fifth_video_in_an_hour_is_admitted_and_the_sixth_refused_until_the_next_hour() -> None:
    now = at("2026-02-10T14:05")
    limits = admit_many(fresh(Tier.PRO), [1, 2, 3, 4], now)
    fifth = admit(limits, 5, now + timedelta(minutes=50))
    assert fifth.limits.video_quota_used_hourly == 5
    sixth = refuse(fifth.limits, 6, now + timedelta(minutes=54, seconds=59))
    assert isinstance(sixth.error, HourlyQuotaExceeded)
    assert sixth.error.code == "QUOTA_HOURLY"
    assert sixth.error.resets_at == at("2026-02-10T15:00")


def test_a_new_hour_admits_again() -> None:
    now = at("2026-02-10T14:59:59")
    limits = hit_hourly_quota(fresh(Tier.PRO), now)
    next_hour = admit(limits, 6, at("2026-02-10T15:00"))
    assert next_hour.limits.video_quota_used_hourly == 1
    assert next_hour.limits.video_quota_used_daily == 6
    assert next_hour.limits.hour_window == "2026-02-10T15"


def test_windows_are_utc_whatever_the_offset_of_now() -> None:
    plus_five = timezone(timedelta(hours=5))
    now = datetime(2026, 2, 11, 4, 30, tzinfo=plus_five)  # 2026-02-10T23:30Z
    limits = hit_hourly_quota(fresh(Tier.PRO), now)
    refused = refuse(limits, 6, now)
    assert limits.day_window == "2026-02-10"
    assert isinstance(refused.error, HourlyQuotaExceeded)
    assert refused.error.resets_at == at("2026-02-11T00:00")


# --- the daily video quota -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("tier", "daily"), [(Tier.FREE, 9), (Tier.BASIC, 9), (Tier.PRO, 21), (Tier.PROPLUS, 45)]
)
def test_the_daily_quota_admits_its_last_video_and_refuses_the_next(tier: Tier, daily: int) -> None:
    day = at("2026-06-15T00:00")
    # Each distinct test of the month three times: exactly the daily quota for every tier.
    test_ids = [t for t in range(1, quota_of(tier).distinct_tests_per_month + 1) for _ in range(3)]
    assert len(test_ids) == daily
    limits = fresh(tier)
    for index, test_id in enumerate(test_ids):
        limits = admit(limits, test_id, day + timedelta(hours=index // 5, minutes=index % 5)).limits
    assert limits.video_quota_used_daily == daily
    last = day + timedelta(hours=daily // 5 + 1)
    refused = refuse(limits, 1, last)
    assert isinstance(refused.error, DailyQuotaExceeded)
    assert refused.error.code == "QUOTA_DAILY"
    assert refused.error.resets_at == at("2026-06-16T00:00")


def test_the_daily_quota_comes_back_at_utc_midnight() -> None:
    limits = fresh(Tier.FREE)
    for hour, test_ids in enumerate([[1, 1, 1, 2, 2], [2, 3, 3, 3]]):
        limits = admit_many(limits, test_ids, at("2026-01-31T22:00") + timedelta(hours=hour))
    assert isinstance(refuse(limits, 1, at("2026-01-31T23:59:59")).error, DailyQuotaExceeded)
    midnight = admit(limits, 1, at("2026-02-01T00:00"))
    assert midnight.limits.video_quota_used_daily == 1
    assert midnight.attempt_number == 1


# --- attempts per test per day -------------------------------------------------------------


def test_the_third_attempt_of_a_test_is_admitted_as_attempt_three_and_the_fourth_refused() -> None:
    now = at("2026-04-01T08:00")
    first = admit(fresh(), 7, now)
    second = admit(first.limits, 7, now + timedelta(hours=1))
    third = admit(second.limits, 7, now + timedelta(hours=2))
    assert [first.attempt_number, second.attempt_number, third.attempt_number] == [1, 2, 3]
    fourth = refuse(third.limits, 7, now + timedelta(hours=3))
    assert isinstance(fourth.error, AttemptsPerTestExceeded)
    assert fourth.error.code == "ATTEMPTS_PER_TEST"
    assert fourth.error.resets_at == at("2026-04-02T00:00")


def test_attempts_of_a_test_start_again_the_next_utc_day() -> None:
    limits = admit_many(fresh(), [7, 7, 7], at("2026-04-01T23:00"))
    next_day = admit(limits, 7, at("2026-04-02T00:00"))
    assert next_day.attempt_number == 1
    assert dict(next_day.limits.attempts_per_test) == {7: 1}


@pytest.mark.parametrize(("started", "next_test"), [([7, 7, 7], 7), ([1, 2, 3], 4)])
def test_a_refusal_by_attempts_or_month_is_not_a_strike_and_changes_nothing(
    started: list[int], next_test: int
) -> None:
    limits = admit_many(fresh(), started, at("2026-04-01T08:00"))
    refused = refuse(limits, next_test, at("2026-04-01T08:30"))
    assert isinstance(refused.error, AttemptsPerTestExceeded | MonthlyTestsQuotaExceeded)
    assert refused.must_write is False
    assert refused.limits is limits


# --- distinct tests per month --------------------------------------------------------------


def test_the_fourth_distinct_test_of_a_month_is_refused_for_basic_but_a_repeat_passes() -> None:
    limits = fresh(Tier.BASIC)
    for day, test_id in enumerate([1, 2, 3], start=1):
        limits = admit(limits, test_id, at(f"2026-03-0{day}T10:00")).limits
    fourth = refuse(limits, 4, at("2026-03-20T10:00"))
    assert isinstance(fourth.error, MonthlyTestsQuotaExceeded)
    assert fourth.error.code == "QUOTA_MONTHLY_TESTS"
    assert fourth.error.resets_at == at("2026-04-01T00:00")
    repeat = admit(limits, 2, at("2026-03-20T10:00"))
    assert repeat.limits.test_quota_used_monthly == 3
    assert repeat.month_key == "2026-03"


def test_distinct_tests_start_again_when_january_ends_on_the_31st() -> None:
    limits = admit_many(fresh(Tier.BASIC), [1, 2, 3], at("2026-01-31T23:59"))
    january = refuse(limits, 4, at("2026-01-31T23:59:59"))
    assert isinstance(january.error, MonthlyTestsQuotaExceeded)
    february = admit(limits, 4, at("2026-02-01T00:00"))
    assert february.month_key == "2026-02"
    assert february.limits.month_window == "2026-02"
    assert february.limits.tests_this_month == {4}
    assert february.limits.test_quota_used_monthly == 1
    assert february.limits.video_quota_used_hourly == 1


def test_december_rolls_over_into_january_of_the_next_year() -> None:
    limits = admit_many(fresh(Tier.FREE), [1, 2, 3], at("2026-12-31T23:30"))
    refused = refuse(limits, 4, at("2026-12-31T23:59:59.999999"))
    assert isinstance(refused.error, MonthlyTestsQuotaExceeded)
    assert refused.error.resets_at == at("2027-01-01T00:00")
    january = admit(limits, 4, at("2027-01-01T00:00"))
    assert january.month_key == "2027-01"
    assert january.limits.day_window == "2027-01-01"
    assert january.limits.video_quota_used_daily == 1


# --- abuse strikes and bans ----------------------------------------------------------------


def test_the_ninth_strike_in_an_hour_does_not_ban() -> None:
    now = at("2026-07-01T12:00")
    limits = hit_hourly_quota(fresh(Tier.PRO), now)
    limits, ninth = strike(limits, now + timedelta(minutes=30), STRIKES_BEFORE_BAN - 1)
    assert limits.strikes == 9
    assert isinstance(ninth.error, HourlyQuotaExceeded)
    assert not is_banned(limits, now + timedelta(minutes=31))


def test_the_tenth_strike_in_an_hour_bans_for_twenty_four_hours() -> None:
    now = at("2026-07-01T12:00")
    limits = hit_hourly_quota(fresh(Tier.PRO), now)
    limits, _ = strike(limits, now, STRIKES_BEFORE_BAN - 1)
    tenth = refuse(limits, 6, now + timedelta(minutes=59))
    assert tenth.must_write
    assert isinstance(tenth.error, Banned)
    assert tenth.limits.ban_until == now + timedelta(minutes=59) + ABUSE_BAN_DURATION
    assert tenth.limits.ban_reason == "VIDEO_ABUSE"


def test_strikes_of_an_earlier_hour_do_not_count() -> None:
    limits = hit_hourly_quota(fresh(Tier.PRO), at("2026-07-01T12:10"))
    limits, _ = strike(limits, at("2026-07-01T12:59"), STRIKES_BEFORE_BAN - 1)
    limits = hit_hourly_quota(limits, at("2026-07-01T13:00"))
    refused = refuse(limits, 6, at("2026-07-01T13:01"))
    assert isinstance(refused.error, HourlyQuotaExceeded)
    assert refused.limits.strikes == 1
    assert refused.limits.strike_window == "2026-07-01T13"


def test_a_refusal_by_the_daily_quota_is_a_strike_too() -> None:
    limits = fresh(Tier.FREE)
    for hour, test_ids in enumerate([[1, 1, 1, 2, 2], [2, 3, 3, 3]]):
        limits = admit_many(limits, test_ids, at("2026-07-01T10:00") + timedelta(hours=hour))
    refused = refuse(limits, 1, at("2026-07-01T15:00"))
    assert isinstance(refused.error, DailyQuotaExceeded)
    assert refused.must_write
    assert refused.limits.strikes == 1


def test_a_ban_refuses_with_banned_until_it_ends() -> None:
    now = at("2026-07-01T12:00")
    until = at("2026-07-03T00:00")
    banned = ban(fresh(), until, "chargeback fraud", now)
    refused = refuse(banned, 1, until - timedelta(microseconds=1))
    assert isinstance(refused.error, Banned)
    assert refused.error.code == "BANNED"
    assert (refused.error.ban_until, refused.error.reason) == (until, "chargeback fraud")
    assert refused.must_write is False
    after = admit(banned, 1, until)
    assert after.limits.ban_until is None
    assert after.limits.ban_reason is None


def test_a_ban_outranks_every_quota() -> None:
    now = at("2026-07-01T12:00")
    limits = hit_hourly_quota(fresh(Tier.PRO), now)
    limits = ban(limits, now + timedelta(days=1), "manual", now)
    assert isinstance(refuse(limits, 6, now).error, Banned)


def test_an_abuse_ban_refuses_with_banned_and_adds_no_strikes() -> None:
    now = at("2026-07-01T12:00")
    limits = hit_hourly_quota(fresh(Tier.PRO), now)
    limits, _ = strike(limits, now, STRIKES_BEFORE_BAN)
    refused = refuse(limits, 6, now + timedelta(hours=23, minutes=59))
    assert isinstance(refused.error, Banned)
    assert refused.limits.strikes == STRIKES_BEFORE_BAN
    assert isinstance(decide_start(limits, 6, now + ABUSE_BAN_DURATION), Admitted)


def test_unban_lifts_the_ban_and_forgives_the_strikes() -> None:
    now = at("2026-07-01T12:00")
    limits = hit_hourly_quota(fresh(Tier.PRO), now)
    limits, _ = strike(limits, now, STRIKES_BEFORE_BAN)
    lifted = unban(limits, now + timedelta(minutes=1))
    assert not is_banned(lifted, now + timedelta(minutes=1))
    assert lifted.strikes == 0
    refused = refuse(lifted, 6, now + timedelta(minutes=2))
    assert isinstance(refused.error, HourlyQuotaExceeded)
    assert unban(fresh(), now) == fresh()


@pytest.mark.parametrize("until", [at("2026-07-01T12:00"), at("2026-07-01T11:00")])
def test_an_admin_ban_must_end_after_now(until: datetime) -> None:
    with pytest.raises(ValidationFailed):
        ban(fresh(), until, "reason", at("2026-07-01T12:00"))


@pytest.mark.parametrize("reason", ["", "   ", "x" * 201])
def test_an_admin_ban_needs_a_reason_of_at_most_two_hundred_characters(reason: str) -> None:
    now = at("2026-07-01T12:00")
    with pytest.raises(ValidationFailed):
        ban(fresh(), now + timedelta(hours=1), reason, now)


def test_a_reason_of_two_hundred_characters_is_accepted() -> None:
    now = at("2026-07-01T12:00")
    banned = ban(fresh(), now + timedelta(seconds=1), "x" * 200, now)
    assert is_banned(banned, now)
    assert not is_banned(banned, now + timedelta(seconds=1))


# --- refunds of failed attempts ------------------------------------------------------------


def test_a_failed_attempt_in_the_current_hour_gives_back_an_hourly_and_a_daily_unit() -> None:
    started = at("2026-08-01T10:15")
    limits = admit_many(fresh(Tier.PRO), [1, 2, 3, 4, 5], started)
    refunded = refund_failed_attempt(limits, started, at("2026-08-01T10:59"))
    assert refunded.video_quota_used_hourly == 4
    assert refunded.video_quota_used_daily == 4
    assert isinstance(decide_start(refunded, 6, at("2026-08-01T10:59")), Admitted)


def test_a_refund_keeps_the_attempt_of_that_test_and_the_month_s_distinct_test() -> None:
    started = at("2026-08-01T10:15")
    limits = admit_many(fresh(Tier.BASIC), [1, 1, 1], started)
    refunded = refund_failed_attempt(limits, started, started + timedelta(minutes=1))
    assert dict(refunded.attempts_per_test) == {1: 3}
    assert refunded.test_quota_used_monthly == 1
    assert refunded.tests_this_month == {1}
    later = started + timedelta(minutes=2)
    assert isinstance(refuse(refunded, 1, later).error, AttemptsPerTestExceeded)


def test_a_failed_attempt_of_an_earlier_hour_gives_back_only_the_daily_unit() -> None:
    started = at("2026-08-01T10:59")
    limits = admit_many(fresh(Tier.PRO), [1, 2], started)
    refunded = refund_failed_attempt(limits, started, at("2026-08-01T11:00"))
    assert refunded.video_quota_used_hourly == 0
    assert refunded.video_quota_used_daily == 1


def test_a_failed_attempt_of_an_earlier_day_gives_nothing_back() -> None:
    started = at("2026-08-01T23:59")
    limits = admit_many(fresh(Tier.PRO), [1, 2], started)
    later = at("2026-08-02T00:00")
    assert refund_failed_attempt(limits, started, later) is limits
    now_used = admit(limits, 3, later).limits
    refunded = refund_failed_attempt(now_used, started, later + timedelta(minutes=1))
    assert refunded is now_used


def test_a_refund_never_takes_a_counter_below_zero() -> None:
    started = at("2026-08-01T10:15")
    limits = admit(fresh(Tier.PRO), 1, started).limits
    once = refund_failed_attempt(limits, started, started)
    twice = refund_failed_attempt(once, started, started)
    assert (twice.video_quota_used_hourly, twice.video_quota_used_daily) == (0, 0)
    assert twice is once


# --- rolling, usage and the entity ---------------------------------------------------------


def test_rolling_reads_every_passed_window_as_zero() -> None:
    now = at("2026-01-31T23:40")
    limits = hit_hourly_quota(fresh(Tier.PRO), now)
    limits, _ = strike(limits, now, 2)
    next_month = rolled(limits, at("2026-02-01T00:00"))
    assert next_month.video_quota_used_hourly == next_month.video_quota_used_daily == 0
    assert next_month.test_quota_used_monthly == next_month.strikes == 0
    assert dict(next_month.attempts_per_test) == {}
    assert next_month.tests_this_month == frozenset()
    assert rolled(limits, at("2026-01-31T23:59:59")) == limits


def test_a_window_written_by_a_clock_slightly_ahead_is_not_reset_by_one_behind() -> None:
    ahead = at("2026-09-01T11:00:00.010")
    limits = hit_hourly_quota(fresh(Tier.PRO), ahead)
    behind = at("2026-09-01T10:59:59.990")
    refused = refuse(limits, 6, behind)
    assert isinstance(refused.error, HourlyQuotaExceeded)
    assert refused.error.resets_at == at("2026-09-01T12:00")
    assert refused.limits.hour_window == "2026-09-01T11"


def test_usage_shows_each_window_with_its_limit_and_reset_time() -> None:
    now = at("2026-03-31T22:10")
    limits = admit_many(fresh(Tier.PRO), [1, 1, 2], now)
    seen = usage(limits, now + timedelta(minutes=5))
    assert (seen.hourly.used, seen.hourly.limit) == (3, 5)
    assert seen.hourly.resets_at == at("2026-03-31T23:00")
    assert (seen.daily.used, seen.daily.limit, seen.daily.resets_at) == (
        3,
        21,
        at("2026-04-01T00:00"),
    )
    assert (seen.monthly.used, seen.monthly.limit, seen.monthly.resets_at) == (
        2,
        7,
        at("2026-04-01T00:00"),
    )
    assert dict(seen.attempts_per_test) == {1: 2, 2: 1}
    assert seen.attempts_per_test_limit == 3
    assert seen.ban_until is None
    tomorrow = usage(limits, at("2026-04-01T00:00"))
    assert (tomorrow.hourly.used, tomorrow.daily.used, tomorrow.monthly.used) == (0, 0, 0)
    assert dict(tomorrow.attempts_per_test) == {}


def test_usage_shows_a_ban_only_while_it_is_in_force() -> None:
    now = at("2026-03-31T22:10")
    banned = ban(fresh(), now + timedelta(hours=1), "spam", now)
    assert usage(banned, now).ban_until == now + timedelta(hours=1)
    assert usage(banned, now).ban_reason == "spam"
    assert usage(banned, now + timedelta(hours=1)).ban_until is None


def test_attempts_per_test_is_frozen_and_compares_with_any_equal_mapping() -> None:
    limits = replace(
        fresh(), attempts_per_test={3: 1}, day_window="2026-01-01", video_quota_used_daily=1
    )
    assert isinstance(limits.attempts_per_test, AttemptCounts)
    assert limits.attempts_per_test == {3: 1}
    assert limits == replace(
        fresh(),
        attempts_per_test=AttemptCounts({3: 1}),
        day_window="2026-01-01",
        video_quota_used_daily=1,
    )
    assert hash(limits) == hash(replace(limits))


@pytest.mark.parametrize(
    "changes",
    [
        {"video_quota_used_hourly": -1},
        {"attempts_per_test": {1: -1}},
        {"hour_window": "2026-01-01"},
        {"month_window": "2026-1"},
        {"tests_this_month": frozenset({1})},
        {"ban_until": at("2026-01-02T00:00")},
        {"ban_reason": "why"},
        {"user_id": ""},
        {"updated_at": datetime(2026, 1, 1)},  # noqa: DTZ001 - the naive value under test
    ],
)
def test_an_inconsistent_row_is_rejected(changes: dict[str, Any]) -> None:
    with pytest.raises(ValidationFailed):
        replace(fresh(), **changes)


# --- the property: no sequence of starts, refunds and waits beats a limit -----------------


@dataclass
class Attempt:
    created_at: datetime
    test_id: int
    refunded: bool = False


@dataclass
class Model:
    """What SPEC.md section 1 allows, counted from the history rather than from the row."""

    tier: Tier
    attempts: list[Attempt] = field(default_factory=list)
    hourly_refunds: Counter[str] = field(default_factory=Counter)
    daily_refunds: Counter[str] = field(default_factory=Counter)
    strikes: Counter[str] = field(default_factory=Counter)
    ban_until: datetime | None = None

    def hour_net(self, key: str) -> int:
        started = sum(1 for a in self.attempts if hour_key(a.created_at) == key)
        return started - self.hourly_refunds[key]

    def day_net(self, key: str) -> int:
        started = sum(1 for a in self.attempts if day_key(a.created_at) == key)
        return started - self.daily_refunds[key]

    def attempts_of(self, test_id: int, day: str) -> int:
        return sum(
            1 for a in self.attempts if a.test_id == test_id and day_key(a.created_at) == day
        )

    def tests_of(self, month: str) -> set[int]:
        return {a.test_id for a in self.attempts if month_key(a.created_at) == month}


# An operation is a kind and a number read according to it. Starts outnumber waits and refunds.
KINDS = ["start"] * 6 + ["refund"] + ["wait"] * 3
FEW_TESTS = [1, 2, 3]  # mostly the same few tests, so video quotas get reached
SHORT_WAITS = [0, 1, 59, 300, 600]  # seconds: hours fill up and strikes pile up
HOURLY_WAITS = [1799, 3599, 3600, 7200]  # days fill up hour by hour
LONG_WAITS = [6 * 3600, 86399, 86400, 31 * 86400]  # over day and month boundaries
operations = st.lists(
    st.tuples(st.sampled_from(KINDS), st.integers(min_value=0, max_value=1_000)),
    min_size=20,
    max_size=150,
)


def catalog_id_of(number: int) -> int:
    return FEW_TESTS[number % len(FEW_TESTS)] if number % 3 else number % 17 + 1


def wait_of(number: int) -> timedelta:
    waits = [LONG_WAITS, HOURLY_WAITS, SHORT_WAITS, SHORT_WAITS, SHORT_WAITS][number % 5]
    return timedelta(seconds=waits[number // 5 % len(waits)])


origins = st.sampled_from(
    [
        at("2026-01-31T21:30"),
        at("2026-02-28T23:55"),
        at("2026-12-31T22:00"),
        at("2028-02-29T12:00"),
        at("2026-06-15T00:00"),
        at("2026-10-01T03:00"),
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(list(Tier)), origins, operations)
def test_no_sequence_of_starts_refunds_and_waits_ever_beats_a_limit(
    tier: Tier, origin: datetime, ops: list[tuple[str, int]]
) -> None:
    quota = quota_of(tier)
    limits = new_limits(USER, tier, origin)
    model = Model(tier)
    now = origin
    busiest_day = 0.0
    for kind, value in ops:
        hour, day, month = hour_key(now), day_key(now), month_key(now)
        if kind == "wait":
            now += wait_of(value)
        elif kind == "refund":
            open_attempts = [a for a in model.attempts if not a.refunded]
            if not open_attempts:
                continue
            attempt = open_attempts[value % len(open_attempts)]
            attempt.refunded = True
            if hour_key(attempt.created_at) == hour:
                model.hourly_refunds[hour] += 1
            if day_key(attempt.created_at) == day:
                model.daily_refunds[day] += 1
            limits = refund_failed_attempt(limits, attempt.created_at, now)
        else:
            test_id = catalog_id_of(value)
            decision = decide_start(limits, test_id, now)
            banned = model.ban_until is not None and model.ban_until > now
            hour_full = model.hour_net(hour) >= quota.videos_per_hour
            day_full = model.day_net(day) >= quota.videos_per_day
            tries = model.attempts_of(test_id, day)
            tests = model.tests_of(month)
            month_full = test_id not in tests and len(tests) >= quota.distinct_tests_per_month
            if isinstance(decision, Admitted):
                assert not banned
                assert not hour_full
                assert not day_full
                assert not month_full
                assert tries < MAX_ATTEMPTS_PER_TEST_PER_DAY
                assert decision.attempt_number == tries + 1
                assert decision.month_key == month
                model.attempts.append(Attempt(now, test_id))
                limits = decision.limits
                continue
            error = decision.error
            event(error.code)
            if banned:
                assert isinstance(error, Banned)
            elif hour_full or day_full:
                model.strikes[hour] += 1
                if model.strikes[hour] >= STRIKES_BEFORE_BAN:
                    model.ban_until = now + ABUSE_BAN_DURATION
                    assert isinstance(error, Banned)
                    assert error.ban_until == model.ban_until
                else:
                    expected = HourlyQuotaExceeded if hour_full else DailyQuotaExceeded
                    assert type(error) is expected
            elif tries >= MAX_ATTEMPTS_PER_TEST_PER_DAY:
                assert isinstance(error, AttemptsPerTestExceeded)
            else:
                assert month_full
                assert isinstance(error, MonthlyTestsQuotaExceeded)
            if decision.must_write:
                limits = decision.limits
            else:
                assert decision.limits is limits
        seen = usage(limits, now)
        busiest_day = max(busiest_day, seen.daily.used / seen.daily.limit)
        assert seen.hourly.used == model.hour_net(hour_key(now))
        assert seen.daily.used == model.day_net(day_key(now))
        assert seen.monthly.used == len(model.tests_of(month_key(now)))
        assert seen.hourly.resets_at == hour_ends_at(now)

    target(busiest_day, label="share of the daily quota used")  # steer towards QUOTA_DAILY
    for key in {hour_key(a.created_at) for a in model.attempts}:
        assert model.hour_net(key) <= quota.videos_per_hour
    for key in {day_key(a.created_at) for a in model.attempts}:
        assert model.day_net(key) <= quota.videos_per_day
    for (test_id, key), count in Counter(
        (a.test_id, day_key(a.created_at)) for a in model.attempts
    ).items():
        assert count <= MAX_ATTEMPTS_PER_TEST_PER_DAY, (test_id, key)
    for key in {month_key(a.created_at) for a in model.attempts}:
        assert len(model.tests_of(key)) <= quota.distinct_tests_per_month
