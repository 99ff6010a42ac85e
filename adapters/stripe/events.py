"""Verified Stripe webhook events, decoded into what the core needs (SPEC.md 8).

Signatures are checked by the stripe library itself (imported lazily: a Lambda that never sees a
webhook should not pay for it). Payloads are read as plain mappings with small accessors that turn
every surprise in their shape into ValidationFailed, so a bad body is a 4xx and never a 5xx.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from adapters.stripe.prices import PriceBook
from domain.errors import InvalidSignature, ValidationFailed
from domain.subscription import STRIPE_STATUS_PROGRESSION, StripeSubscriptionSnapshot
from ports.payments import PaymentEvent

# Stripe's own default; a replayed delivery older than this is refused.
SIGNATURE_TOLERANCE_SECONDS = 300

SUBSCRIPTION_EVENT_TYPES = frozenset(
    {
        "customer.subscription.created",
        "customer.subscription.updated",
        "customer.subscription.deleted",
    }
)
CHECKOUT_COMPLETED = "checkout.session.completed"
INVOICE_PAYMENT_FAILED = "invoice.payment_failed"

SubscriptionLookup = Callable[[str], Mapping[str, Any]]
"""Retrieves one subscription from Stripe as a plain mapping (the API's JSON)."""


def parse_event(
    payload: bytes,
    signature: str | None,
    *,
    secret: str,
    prices: PriceBook,
    subscriptions: SubscriptionLookup,
) -> PaymentEvent:
    """Verify the signature, then decode the event and the subscription it concerns, if any."""
    event = verified_event(payload, signature, secret)
    event_id = _text(event, "id")
    event_type = _text(event, "type")
    created = _timestamp(event, "created")
    subject = _mapping(_mapping(event, "data"), "object")
    snapshot: StripeSubscriptionSnapshot | None = None
    if event_type in SUBSCRIPTION_EVENT_TYPES:
        snapshot = snapshot_of(subject, prices, event_id=event_id, event_created=created)
    elif event_type == CHECKOUT_COMPLETED:
        snapshot = _snapshot_after_checkout(subject, prices, subscriptions, event_id, created)
    elif event_type == INVOICE_PAYMENT_FAILED:
        subscription_id = invoice_subscription_id(subject)
        if subscription_id is not None:
            # Retrieved state is at least as new as the event; labelling it with the event's time
            # keeps the order conservative (docs/decisions/085).
            snapshot = snapshot_of(
                subscriptions(subscription_id), prices, event_id=event_id, event_created=created
            )
    return PaymentEvent(event_id=event_id, event_type=event_type, snapshot=snapshot)


def verified_event(payload: bytes, signature: str | None, secret: str) -> Mapping[str, Any]:
    """The event as a plain mapping, once its Stripe-Signature verifies within the tolerance."""
    import stripe  # lazily: see the module docstring

    try:
        event: stripe.Event = stripe.Webhook.construct_event(
            payload, signature, secret, tolerance=SIGNATURE_TOLERANCE_SECONDS
        )
    except stripe.SignatureVerificationError as error:
        raise InvalidSignature("the Stripe-Signature header does not verify") from error
    except (ValueError, TypeError, AttributeError) as error:
        # Signed, yet not UTF-8 JSON describing an object (json and the library raise these).
        raise ValidationFailed("the webhook body is not a Stripe event") from error
    values = event.to_dict()
    if values.get("object") != "event":
        raise ValidationFailed("the webhook body is not a Stripe event")
    return values


def snapshot_of(
    subscription: Mapping[str, Any],
    prices: PriceBook,
    *,
    event_id: str,
    event_created: datetime,
    fallback_user_id: str | None = None,
) -> StripeSubscriptionSnapshot:
    """The snapshot of a Stripe subscription object as of one event."""
    if subscription.get("object", "subscription") != "subscription":
        raise ValidationFailed("the event's object is not a subscription")
    item = _first_item(subscription)
    price_id = _id_of(item.get("price"))
    if price_id is None:
        raise ValidationFailed("the subscription item has no price")
    status = _text(subscription, "status")
    if status not in STRIPE_STATUS_PROGRESSION:
        raise ValidationFailed(f"unknown Stripe subscription status {status!r}")
    customer_id = _id_of(subscription.get("customer"))
    if customer_id is None:
        raise ValidationFailed("the subscription has no customer")
    start, end = _period(subscription, item)
    return StripeSubscriptionSnapshot(
        subscription_id=_text(subscription, "id"),
        customer_id=customer_id,
        user_id=_metadata_user_id(subscription) or fallback_user_id,
        stripe_status=status,
        price_tier=prices.tier_of(price_id),
        current_period_start=start,
        current_period_end=end,
        cancel_at_period_end=_flag(subscription, "cancel_at_period_end"),
        canceled_at=_optional_timestamp(subscription, "canceled_at"),
        event_id=event_id,
        event_created=event_created,
    )


def invoice_subscription_id(invoice: Mapping[str, Any]) -> str | None:
    """The subscription an invoice bills, None for a one-off invoice.

    API 2025-03-31.basil moved it from `subscription` to `parent.subscription_details.subscription`;
    both shapes are read so that a webhook endpoint pinned to either version works.
    """
    parent = invoice.get("parent")
    if isinstance(parent, Mapping):
        details = parent.get("subscription_details")
        if isinstance(details, Mapping):
            found = _id_of(details.get("subscription"))
            if found is not None:
                return found
    return _id_of(invoice.get("subscription"))


def _snapshot_after_checkout(
    session: Mapping[str, Any],
    prices: PriceBook,
    subscriptions: SubscriptionLookup,
    event_id: str,
    created: datetime,
) -> StripeSubscriptionSnapshot | None:
    if session.get("mode") != "subscription":
        return None
    subscription_id = _id_of(session.get("subscription"))
    if subscription_id is None:
        return None
    # The event carries only the subscription's id. The session names the user even when the
    # subscription's metadata does not (a subscription created before we set it).
    reference = session.get("client_reference_id")
    fallback = reference if isinstance(reference, str) and reference else None
    return snapshot_of(
        subscriptions(subscription_id),
        prices,
        event_id=event_id,
        event_created=created,
        fallback_user_id=fallback or _metadata_user_id(session),
    )


def _first_item(subscription: Mapping[str, Any]) -> Mapping[str, Any]:
    items = _mapping(subscription, "items").get("data")
    if not isinstance(items, Sequence) or not items or not isinstance(items[0], Mapping):
        raise ValidationFailed("the subscription has no items")
    first: Mapping[str, Any] = items[0]
    return first


def _period(subscription: Mapping[str, Any], item: Mapping[str, Any]) -> tuple[datetime, datetime]:
    # API 2025-03-31.basil and later (incl. 2026-10-28.endive) keep the period on each item;
    # older versions keep it on the subscription.
    for holder in (item, subscription):
        if holder.get("current_period_start") is not None:
            return (
                _timestamp(holder, "current_period_start"),
                _timestamp(holder, "current_period_end"),
            )
    raise ValidationFailed("the subscription has no current period")


def _metadata_user_id(obj: Mapping[str, Any]) -> str | None:
    metadata = obj.get("metadata")
    if not isinstance(metadata, Mapping):
        return None
    user_id = metadata.get("user_id")
    return user_id if isinstance(user_id, str) and user_id else None


def _id_of(value: object) -> str | None:
    """The id of an expandable field: a bare id, or the expanded object's `id`."""
    if isinstance(value, str):
        return value or None
    if isinstance(value, Mapping):
        inner = value.get("id")
        return inner if isinstance(inner, str) and inner else None
    return None


def _mapping(obj: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = obj.get(key)
    if not isinstance(value, Mapping):
        raise ValidationFailed(f"{key!r} is missing or not an object")
    return value


def _text(obj: Mapping[str, Any], key: str) -> str:
    value = obj.get(key)
    if not isinstance(value, str) or not value:
        raise ValidationFailed(f"{key!r} is missing or not a string")
    return value


def _flag(obj: Mapping[str, Any], key: str) -> bool:
    value = obj.get(key, False)
    if not isinstance(value, bool):
        raise ValidationFailed(f"{key!r} is not a boolean")
    return value


def _timestamp(obj: Mapping[str, Any], key: str) -> datetime:
    value = obj.get(key)
    # bool is an int in Python; a boolean timestamp is a malformed payload.
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValidationFailed(f"{key!r} is missing or not a Unix timestamp")
    try:
        return datetime.fromtimestamp(value, UTC)
    except (OverflowError, OSError, ValueError) as error:
        raise ValidationFailed(f"{key!r} is out of range") from error


def _optional_timestamp(obj: Mapping[str, Any], key: str) -> datetime | None:
    return None if obj.get(key) is None else _timestamp(obj, key)
