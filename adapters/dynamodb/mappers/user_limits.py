"""user-limits table: the schema's counters plus the window, strike and revision extensions."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from adapters.dynamodb.attributes import (
    Item,
    get_int,
    get_ints,
    get_map,
    get_s,
    get_time,
    int_of,
    n,
    numbers,
    opt_get_s,
    opt_get_time,
    opt_s,
    opt_t,
    put_optional,
    s,
    t,
)
from domain.limits import AttemptCounts, UserLimits
from domain.tiers import Tier


def limits_to_item(limits: UserLimits) -> Item:
    """The user-limits item; `attempts_per_test` is a map keyed by the test id as a string."""
    item: Item = {
        "user_id": s(limits.user_id),
        "plan": s(limits.plan.value),
        "video_quota_used_daily": n(limits.video_quota_used_daily),
        "video_quota_day": n(limits.video_quota_day),
        "video_quota_used_hourly": n(limits.video_quota_used_hourly),
        "video_quota_hour": n(limits.video_quota_hour),
        "test_quota_used_monthly": n(limits.test_quota_used_monthly),
        "test_quota_month": n(limits.test_quota_month),
        "attempts_per_test": {
            "M": {str(test): n(count) for test, count in sorted(limits.attempts_per_test.items())}
        },
        "updated_at": t(limits.updated_at),
        "hour_window": s(limits.hour_window),
        "day_window": s(limits.day_window),
        "month_window": s(limits.month_window),
        "tests_this_month": numbers(sorted(limits.tests_this_month)),
        "strikes": n(limits.strikes),
        "strike_window": s(limits.strike_window),
        "revision": n(limits.revision),
    }
    put_optional(item, "ban_until", opt_t(limits.ban_until))
    put_optional(item, "ban_reason", opt_s(limits.ban_reason))
    return item


def limits_from_item(item: Mapping[str, Any]) -> UserLimits:
    """The limits stored in a user-limits item (missing extensions read as never used)."""
    attempts = {
        int(test): int_of(value["N"], "attempts_per_test")
        for test, value in get_map(item, "attempts_per_test").items()
    }
    return UserLimits(
        user_id=get_s(item, "user_id"),
        plan=Tier(get_s(item, "plan")),
        video_quota_hour=get_int(item, "video_quota_hour"),
        video_quota_day=get_int(item, "video_quota_day"),
        test_quota_month=get_int(item, "test_quota_month"),
        video_quota_used_hourly=get_int(item, "video_quota_used_hourly"),
        video_quota_used_daily=get_int(item, "video_quota_used_daily"),
        test_quota_used_monthly=get_int(item, "test_quota_used_monthly"),
        attempts_per_test=AttemptCounts(attempts),
        hour_window=opt_get_s(item, "hour_window") or "",
        day_window=opt_get_s(item, "day_window") or "",
        month_window=opt_get_s(item, "month_window") or "",
        tests_this_month=frozenset(get_ints(item, "tests_this_month"))
        if "tests_this_month" in item
        else frozenset(),
        strikes=get_int(item, "strikes") if "strikes" in item else 0,
        strike_window=opt_get_s(item, "strike_window") or "",
        ban_until=opt_get_time(item, "ban_until"),
        ban_reason=opt_get_s(item, "ban_reason"),
        updated_at=get_time(item, "updated_at"),
        revision=get_int(item, "revision") if "revision" in item else 0,
    )
