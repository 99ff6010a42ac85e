"""users: the user item, and the email reservation item (decision 051)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from adapters.dynamodb.attributes import (
    Item,
    b,
    get_bool,
    get_s,
    get_time,
    opt_get_s,
    opt_get_time,
    opt_s,
    opt_t,
    put_optional,
    s,
    t,
)
from domain.tiers import Tier
from domain.user import DEFAULT_TIMEZONE, User

# The reservation names its owner, so that erasure frees only the erased user's address.
RESERVED_BY = "reserved_by"


def user_to_item(user: User) -> Item:
    """The users item: schema attributes, plus `timezone`; absent optionals left out."""
    item: Item = {
        "user_id": s(user.user_id),
        "email": s(user.email),
        "tier": s(user.tier.value),
        "wellness_disclaimer_accepted": b(user.wellness_disclaimer_accepted),
        "created_at": t(user.created_at),
        "updated_at": t(user.updated_at),
        "timezone": s(user.timezone),
    }
    put_optional(item, "name", opt_s(user.name))
    put_optional(
        item, "wellness_disclaimer_accepted_at", opt_t(user.wellness_disclaimer_accepted_at)
    )
    put_optional(item, "last_login_at", opt_t(user.last_login_at))
    return item


def user_from_item(item: Mapping[str, Any]) -> User:
    """The user stored in a users item."""
    return User(
        user_id=get_s(item, "user_id"),
        email=get_s(item, "email"),
        name=opt_get_s(item, "name"),
        tier=Tier(get_s(item, "tier")),
        wellness_disclaimer_accepted=get_bool(item, "wellness_disclaimer_accepted"),
        wellness_disclaimer_accepted_at=opt_get_time(item, "wellness_disclaimer_accepted_at"),
        created_at=get_time(item, "created_at"),
        updated_at=get_time(item, "updated_at"),
        last_login_at=opt_get_time(item, "last_login_at"),
        timezone=opt_get_s(item, "timezone") or DEFAULT_TIMEZONE,
    )


def reservation_item(user_id: str, created_at: datetime) -> Item:
    """The attributes of an email's reservation for a user (the layout keys it by the email):
    no `email`, so never in an email index."""
    return {
        RESERVED_BY: s(user_id),
        "created_at": t(created_at),
    }
