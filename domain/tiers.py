"""Subscription tiers and the quotas each one grants (SPEC.md section 1)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Tier(StrEnum):
    FREE = "free"
    BASIC = "basic"
    PRO = "pro"
    PROPLUS = "proplus"

    @property
    def rank(self) -> int:
        return _RANK[self]

    @property
    def is_paid(self) -> bool:
        return self is not Tier.FREE


_RANK = {Tier.FREE: 0, Tier.BASIC: 1, Tier.PRO: 2, Tier.PROPLUS: 3}

PAID_TIERS: tuple[Tier, ...] = (Tier.BASIC, Tier.PRO, Tier.PROPLUS)


@dataclass(frozen=True, slots=True)
class TierQuota:
    videos_per_hour: int
    videos_per_day: int
    distinct_tests_per_month: int
    attempts_per_test_per_day: int
    has_plans: bool


TIER_QUOTAS: dict[Tier, TierQuota] = {
    Tier.FREE: TierQuota(5, 9, 3, 3, has_plans=False),
    Tier.BASIC: TierQuota(5, 9, 3, 3, has_plans=True),
    Tier.PRO: TierQuota(5, 21, 7, 3, has_plans=True),
    Tier.PROPLUS: TierQuota(5, 45, 15, 3, has_plans=True),
}


def quota_of(tier: Tier) -> TierQuota:
    return TIER_QUOTAS[tier]


def highest(tiers: list[Tier] | tuple[Tier, ...]) -> Tier:
    """The highest tier of the given ones; `free` when there are none."""
    return max(tiers, key=lambda t: t.rank, default=Tier.FREE)
