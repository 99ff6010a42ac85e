"""The subscriptions table on DynamoDB, with the tier and limits written in the same transaction."""

from __future__ import annotations

from collections.abc import Sequence

from adapters.dynamodb import keys
from adapters.dynamodb.atomic import Condition, Write, absent, put, write_atomically
from adapters.dynamodb.attributes import Item, s
from adapters.dynamodb.base import DynamoDBRepository
from adapters.dynamodb.calls import get_item, query_all
from adapters.dynamodb.layout import with_filter
from adapters.dynamodb.mappers.subscriptions import subscription_from_item, subscription_to_item
from adapters.dynamodb.users import tier_write
from domain.errors import ConcurrentModification, DomainError
from domain.limits import UserLimits
from domain.subscription import Subscription, SubscriptionStatus
from domain.user import User


class DynamoDBSubscriptionRepository(DynamoDBRepository):
    """A user's subscriptions, and lookups by Stripe customer (the layout's customer index)."""

    def list_for_user(self, user_id: str) -> Sequence[Subscription]:
        """Every subscription of the user, read consistently, by subscription id."""
        request = self._layout.of_user(keys.SUBSCRIPTIONS, user_id)
        return [subscription_from_item(item) for item in query_all(self._client, request)]

    def active_for_user(self, user_id: str) -> Sequence[Subscription]:
        """The user's `active` subscriptions: one consistent Query of the partition, filtered on
        status as the schema's access pattern says (a user has a handful of subscriptions)."""
        request = with_filter(
            self._layout.of_user(keys.SUBSCRIPTIONS, user_id),
            "#status = :active",
            {"#status": "status"},
            {":active": s(SubscriptionStatus.ACTIVE.value)},
        )
        return [subscription_from_item(item) for item in query_all(self._client, request)]

    def get(self, user_id: str, subscription_id: str) -> Subscription | None:
        """One subscription, read consistently, or None."""
        item = get_item(
            self._client,
            self._table(keys.SUBSCRIPTIONS),
            self._layout.subscription_key(user_id, subscription_id),
        )
        return subscription_from_item(item) if item is not None else None

    def by_customer(self, stripe_customer_id: str) -> Sequence[Subscription]:
        """Subscriptions of a Stripe customer, by user then subscription id (GSI, eventual)."""
        request = self._layout.by_customer(stripe_customer_id)
        found = [subscription_from_item(item) for item in query_all(self._client, request)]
        return sorted(found, key=lambda sub: (sub.user_id, sub.subscription_id))

    def apply(
        self,
        subscription: Subscription,
        previous: Subscription | None,
        user: User | None = None,
        limits: UserLimits | None = None,
    ) -> None:
        """Put the subscription while the stored one is still `previous` (its `last_event_id`),
        with `users.tier` and the limits row (revision-guarded) when given: one transaction."""
        key = self._layout.subscription_key(subscription.user_id, subscription.subscription_id)
        if previous is not None and (previous.user_id, previous.subscription_id) != (
            subscription.user_id,
            subscription.subscription_id,
        ):
            raise ValueError("previous is another subscription")
        still_previous = (
            absent(self._layout.key_attribute(keys.SUBSCRIPTIONS))
            if previous is None
            else Condition(
                "#event = :event",
                {"#event": "last_event_id"},
                {":event": s(previous.last_event_id)},
            )
        )
        writes: list[Write] = [
            put(
                self._table(keys.SUBSCRIPTIONS),
                key,
                self._layout.stored(keys.SUBSCRIPTIONS, subscription_to_item(subscription)),
                still_previous,
                _moved,
            )
        ]
        if user is not None:
            writes.append(tier_write(self._layout, user))
        if limits is not None:
            writes.append(self._limits_write(limits)[0])
        write_atomically(self._client, writes)


def _moved(_old: Item | None) -> DomainError:
    return ConcurrentModification("the subscription moved since it was read")
