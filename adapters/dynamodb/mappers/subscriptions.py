"""subscriptions table: the Stripe subscription plus its raw status and event watermark."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from adapters.dynamodb.attributes import (
    Item,
    b,
    get_bool,
    get_s,
    get_time,
    opt_get_time,
    opt_t,
    put_optional,
    s,
    t,
)
from domain.subscription import Subscription, SubscriptionStatus
from domain.tiers import Tier


def subscription_to_item(sub: Subscription) -> Item:
    """The subscriptions item, plus `stripe_status`, `last_event_at` and `last_event_id`."""
    item: Item = {
        "user_id": s(sub.user_id),
        "subscription_id": s(sub.subscription_id),
        "stripe_customer_id": s(sub.stripe_customer_id),
        "tier": s(sub.tier.value),
        "status": s(sub.status.value),
        "current_period_start": t(sub.current_period_start),
        "current_period_end": t(sub.current_period_end),
        "cancel_at_period_end": b(sub.cancel_at_period_end),
        "created_at": t(sub.created_at),
        "updated_at": t(sub.updated_at),
        "stripe_status": s(sub.stripe_status),
        "last_event_at": t(sub.last_event_at),
        "last_event_id": s(sub.last_event_id),
    }
    put_optional(item, "canceled_at", opt_t(sub.canceled_at))
    return item


def subscription_from_item(item: Mapping[str, Any]) -> Subscription:
    """The subscription stored in a subscriptions item."""
    return Subscription(
        user_id=get_s(item, "user_id"),
        subscription_id=get_s(item, "subscription_id"),
        stripe_customer_id=get_s(item, "stripe_customer_id"),
        tier=Tier(get_s(item, "tier")),
        status=SubscriptionStatus(get_s(item, "status")),
        current_period_start=get_time(item, "current_period_start"),
        current_period_end=get_time(item, "current_period_end"),
        cancel_at_period_end=get_bool(item, "cancel_at_period_end"),
        canceled_at=opt_get_time(item, "canceled_at"),
        created_at=get_time(item, "created_at"),
        updated_at=get_time(item, "updated_at"),
        stripe_status=get_s(item, "stripe_status"),
        last_event_at=get_time(item, "last_event_at"),
        last_event_id=get_s(item, "last_event_id"),
    )
