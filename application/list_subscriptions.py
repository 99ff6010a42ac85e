"""List the user's subscriptions (SPEC.md 8)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from domain.errors import NotFound
from domain.subscription import Subscription
from ports.subscriptions import SubscriptionRepository
from ports.users import UserRepository


@dataclass(frozen=True, slots=True)
class ListSubscriptionsRequest:
    user_id: str


class ListSubscriptions:
    """Every subscription of the user, newest first.

    Rules enforced:
    - the user exists (NOT_FOUND); any tier may list (a free user sees their lapsed ones).
    Subscriptions are stored only for an existing user (and erased before the user item), so
    the profile is read only when there are none (decision 116).
    """

    def __init__(self, users: UserRepository, subscriptions: SubscriptionRepository) -> None:
        self._users = users
        self._subscriptions = subscriptions

    def execute(self, request: ListSubscriptionsRequest) -> Sequence[Subscription]:
        subs = self._subscriptions.list_for_user(request.user_id)
        if not subs and self._users.get(request.user_id) is None:
            raise NotFound("user not found")
        return tuple(
            sorted(subs, key=lambda sub: (sub.created_at, sub.subscription_id), reverse=True)
        )
