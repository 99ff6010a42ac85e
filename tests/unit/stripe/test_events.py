"""Webhook events: signature verification and the snapshots read from Stripe's payloads."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from adapters.stripe.events import parse_event
from adapters.stripe.prices import PriceBook
from adapters.stripe.simulator import sign
from domain.errors import InvalidSignature, UnknownPrice, ValidationFailed
from domain.tiers import Tier
from ports.payments import PaymentEvent
from tests.unit.stripe.doubles import PRICES, SECRET, encoded, fixture, signed

SUBSCRIPTION_ID = "sub_1RflowProAbCdEf"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


class Subscriptions:
    """Stands in for Stripe's GET /v1/subscriptions/{id}; remembers what was asked."""

    def __init__(self, *known: Mapping[str, Any]) -> None:
        self._known = {str(sub["id"]): sub for sub in known}
        self.asked: list[str] = []

    def __call__(self, subscription_id: str) -> Mapping[str, Any]:
        self.asked.append(subscription_id)
        return self._known[subscription_id]


def the_subscription() -> dict[str, Any]:
    subscription: dict[str, Any] = fixture("customer.subscription.created")["data"]["object"]
    return subscription


def parsed(event: Mapping[str, Any], subscriptions: Subscriptions | None = None) -> PaymentEvent:
    payload = encoded(event)
    return parse_event(
        payload,
        signed(payload),
        secret=SECRET,
        prices=PriceBook(PRICES),
        subscriptions=subscriptions or Subscriptions(),
    )


# --- subscription events -------------------------------------------------------------------------


def test_a_created_subscription_reads_its_period_from_the_item() -> None:
    event = parsed(fixture("customer.subscription.created"))

    assert event.event_id == "evt_1RflowSubCreated01"
    assert event.event_type == "customer.subscription.created"
    snapshot = event.snapshot
    assert snapshot is not None
    assert snapshot.subscription_id == SUBSCRIPTION_ID
    assert snapshot.customer_id == "cus_RflowCust0001"
    assert snapshot.user_id == "user-1"
    assert snapshot.stripe_status == "active"
    assert snapshot.price_tier is Tier.PRO
    assert snapshot.current_period_start == at("2026-05-01T12:00:00")
    assert snapshot.current_period_end == at("2026-05-31T12:00:00")
    assert snapshot.cancel_at_period_end is False
    assert snapshot.canceled_at is None
    assert snapshot.event_id == "evt_1RflowSubCreated01"
    assert snapshot.event_created == at("2026-05-01T12:00:02")


def test_an_older_api_version_gives_the_period_on_the_subscription() -> None:
    event = parsed(fixture("customer.subscription.updated.legacy-2024-06-20"))

    snapshot = event.snapshot
    assert snapshot is not None
    assert snapshot.current_period_start == at("2024-05-01T12:00:00")
    assert snapshot.current_period_end == at("2024-05-31T12:00:00")
    assert snapshot.stripe_status == "past_due"
    assert snapshot.price_tier is Tier.PRO


def test_the_items_period_wins_over_a_stale_one_on_the_subscription() -> None:
    event = fixture("customer.subscription.created")
    event["data"]["object"]["current_period_start"] = 1_000_000_000
    event["data"]["object"]["current_period_end"] = 1_000_086_400

    snapshot = parsed(event).snapshot

    assert snapshot is not None
    assert snapshot.current_period_end == at("2026-05-31T12:00:00")


def test_cancelling_at_the_period_end_is_read_with_its_request_time() -> None:
    snapshot = parsed(fixture("customer.subscription.updated.cancel_at_period_end")).snapshot

    assert snapshot is not None
    assert snapshot.cancel_at_period_end is True
    assert snapshot.canceled_at == at("2026-05-10T08:30:00")
    assert snapshot.stripe_status == "active"


def test_a_deleted_subscription_is_canceled() -> None:
    event = parsed(fixture("customer.subscription.deleted"))

    assert event.event_type == "customer.subscription.deleted"
    assert event.snapshot is not None
    assert event.snapshot.stripe_status == "canceled"


def test_a_subscription_without_a_user_in_its_metadata_names_no_user() -> None:
    event = fixture("customer.subscription.created")
    event["data"]["object"]["metadata"] = {}

    snapshot = parsed(event).snapshot

    assert snapshot is not None
    assert snapshot.user_id is None


def test_an_expanded_customer_gives_its_id() -> None:
    event = fixture("customer.subscription.created")
    event["data"]["object"]["customer"] = {"id": "cus_RflowCust0001", "object": "customer"}

    snapshot = parsed(event).snapshot

    assert snapshot is not None
    assert snapshot.customer_id == "cus_RflowCust0001"


@pytest.mark.parametrize(("price", "tier"), [(price, tier) for tier, price in PRICES.items()])
def test_each_configured_price_gives_its_tier(price: str, tier: Tier) -> None:
    event = fixture("customer.subscription.created")
    event["data"]["object"]["items"]["data"][0]["price"]["id"] = price

    snapshot = parsed(event).snapshot

    assert snapshot is not None
    assert snapshot.price_tier is tier


def test_a_price_that_is_not_configured_is_refused() -> None:
    event = fixture("customer.subscription.created")
    event["data"]["object"]["items"]["data"][0]["price"]["id"] = "price_enterprise"

    with pytest.raises(UnknownPrice):
        parsed(event)


def test_an_unknown_stripe_status_is_refused() -> None:
    event = fixture("customer.subscription.created")
    event["data"]["object"]["status"] = "on_holiday"

    with pytest.raises(ValidationFailed):
        parsed(event)


@pytest.mark.parametrize(
    "damage",
    [
        lambda sub: sub.update(items={"object": "list", "data": []}),
        lambda sub: sub.pop("items"),
        lambda sub: sub["items"]["data"][0].pop("price"),
        lambda sub: sub.update(customer=None),
        lambda sub: sub.update(id=""),
        lambda sub: sub.update(cancel_at_period_end="yes"),
        lambda sub: sub.update(canceled_at="yesterday"),
        lambda sub: sub["items"]["data"][0].update(current_period_start=None),
        lambda sub: sub["items"]["data"][0].update(current_period_end=True),
        lambda sub: sub.update(object="invoice"),
    ],
)
def test_a_subscription_of_the_wrong_shape_is_a_validation_failure(
    damage: Any,
) -> None:
    event = fixture("customer.subscription.created")
    damage(event["data"]["object"])

    with pytest.raises(ValidationFailed):
        parsed(event)


# --- events that only name the subscription ----------------------------------------------------


def test_a_completed_checkout_retrieves_its_subscription() -> None:
    subscriptions = Subscriptions(the_subscription())

    event = parsed(fixture("checkout.session.completed"), subscriptions)

    assert subscriptions.asked == [SUBSCRIPTION_ID]
    snapshot = event.snapshot
    assert snapshot is not None
    assert snapshot.subscription_id == SUBSCRIPTION_ID
    assert snapshot.price_tier is Tier.PRO
    assert snapshot.stripe_status == "active"
    # The retrieved state is labelled with the checkout event (docs/decisions/085).
    assert snapshot.event_id == "evt_1RflowCheckout01"
    assert snapshot.event_created == at("2026-05-01T12:00:03")


def test_a_completed_checkout_names_the_user_by_its_client_reference() -> None:
    subscription = the_subscription()
    subscription["metadata"] = {}
    event = fixture("checkout.session.completed")
    event["data"]["object"]["client_reference_id"] = "user-from-checkout"

    snapshot = parsed(event, Subscriptions(subscription)).snapshot

    assert snapshot is not None
    assert snapshot.user_id == "user-from-checkout"


def test_the_subscriptions_own_user_wins_over_the_client_reference() -> None:
    event = fixture("checkout.session.completed")
    event["data"]["object"]["client_reference_id"] = "someone-else"

    snapshot = parsed(event, Subscriptions(the_subscription())).snapshot

    assert snapshot is not None
    assert snapshot.user_id == "user-1"


def test_a_checkout_that_created_no_subscription_gives_no_snapshot() -> None:
    subscriptions = Subscriptions()
    event = fixture("checkout.session.completed")
    event["data"]["object"].update(mode="payment", subscription=None)

    parsed_event = parsed(event, subscriptions)

    assert parsed_event.snapshot is None
    assert parsed_event.event_type == "checkout.session.completed"
    assert subscriptions.asked == []


def test_a_failed_invoice_retrieves_the_subscription_named_by_its_parent() -> None:
    past_due = the_subscription()
    past_due["status"] = "past_due"
    subscriptions = Subscriptions(past_due)

    event = parsed(fixture("invoice.payment_failed"), subscriptions)

    assert subscriptions.asked == [SUBSCRIPTION_ID]
    assert event.snapshot is not None
    assert event.snapshot.stripe_status == "past_due"
    assert event.snapshot.event_id == "evt_1RflowInvFailed01"
    assert event.snapshot.event_created == at("2026-05-31T12:00:07")


def test_a_failed_invoice_of_an_older_api_version_names_its_subscription_directly() -> None:
    legacy = fixture("customer.subscription.updated.legacy-2024-06-20")["data"]["object"]
    subscriptions = Subscriptions(legacy)

    event = parsed(fixture("invoice.payment_failed.legacy-2024-06-20"), subscriptions)

    assert subscriptions.asked == ["sub_1PlegacyAbCdEf"]
    assert event.snapshot is not None
    assert event.snapshot.subscription_id == "sub_1PlegacyAbCdEf"


def test_a_failed_invoice_for_no_subscription_gives_no_snapshot() -> None:
    subscriptions = Subscriptions()
    event = fixture("invoice.payment_failed")
    event["data"]["object"]["parent"] = None

    assert parsed(event, subscriptions).snapshot is None
    assert subscriptions.asked == []


def test_other_event_types_are_decoded_without_a_snapshot() -> None:
    subscriptions = Subscriptions()

    event = parsed(fixture("customer.created"), subscriptions)

    assert event == PaymentEvent("evt_1RflowCustCreated01", "customer.created", None)
    assert subscriptions.asked == []


# --- signatures and garbage -----------------------------------------------------------------


def parse_raw(payload: bytes, signature: str | None) -> PaymentEvent:
    return parse_event(
        payload, signature, secret=SECRET, prices=PriceBook(PRICES), subscriptions=Subscriptions()
    )


def test_a_tampered_body_is_refused() -> None:
    payload = encoded(fixture("customer.subscription.created"))
    signature = signed(payload)
    tampered = payload.replace(b'"price_pro"', b'"price_proplus"')

    with pytest.raises(InvalidSignature):
        parse_raw(tampered, signature)


def test_a_body_signed_with_another_secret_is_refused() -> None:
    payload = encoded(fixture("customer.subscription.created"))

    with pytest.raises(InvalidSignature):
        parse_raw(payload, signed(payload, secret="whsec_someone_else"))


@pytest.mark.parametrize("header", [None, "", "garbage", "t=notanumber,v1=abc", "t=1"])
def test_a_missing_or_malformed_signature_is_refused(header: str | None) -> None:
    payload = encoded(fixture("customer.subscription.created"))

    with pytest.raises(InvalidSignature):
        parse_raw(payload, header)


def test_a_signature_older_than_five_minutes_is_refused() -> None:
    payload = encoded(fixture("customer.subscription.created"))
    stale = datetime.now(UTC) - timedelta(seconds=301)

    with pytest.raises(InvalidSignature):
        parse_raw(payload, signed(payload, at=stale))


def test_a_signature_just_under_five_minutes_old_is_accepted() -> None:
    payload = encoded(fixture("customer.subscription.created"))
    recent = datetime.now(UTC) - timedelta(seconds=290)

    assert parse_raw(payload, signed(payload, at=recent)).snapshot is not None


def test_the_signature_ages_independently_of_the_event_creation_time() -> None:
    # A delivery retried days later is re-signed by Stripe: only the signature must be fresh.
    event = fixture("customer.subscription.created")
    event["created"] = int((datetime.now(UTC) - timedelta(days=3)).timestamp())
    payload = encoded(event)

    assert parse_raw(payload, signed(payload)).event_id == "evt_1RflowSubCreated01"


@pytest.mark.parametrize(
    "payload",
    [
        b"not json at all",
        b"[1, 2, 3]",
        b'"an event"',
        b"{}",
        b'{"object": "customer", "id": "cus_1"}',
        b'{"object": "event", "id": "evt_1", "type": "customer.created", "created": 1}',
        b'{"object": "event", "id": "evt_1", "type": "x", "created": "now", "data": {}}',
        '{"object": "événement"}'.encode("latin-1"),
    ],
)
def test_a_correctly_signed_body_that_is_not_an_event_is_a_validation_failure(
    payload: bytes,
) -> None:
    signature = sign(payload, SECRET, int(datetime.now(UTC).timestamp()))

    with pytest.raises(ValidationFailed):
        parse_raw(payload, signature)
