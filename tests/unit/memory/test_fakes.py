"""The fake gateways, clock and id source that use-case tests lean on."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from adapters.memory.clock import FixedClock
from adapters.memory.events import InMemoryEventPublisher
from adapters.memory.ids import SequentialIds
from adapters.memory.payments import FakePaymentGateway, encode_event
from adapters.memory.video_storage import FakeVideoStorage
from domain.errors import InvalidSignature, UnknownPrice, ValidationFailed
from domain.subscription import StripeSubscriptionSnapshot
from domain.tiers import Tier
from ports.clock import Clock
from ports.events import DomainEvent, EventPublisher
from ports.ids import IdSource
from ports.payments import CheckoutRequest, PaymentEvent, PaymentGateway
from ports.video_storage import VideoStorage

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def a_snapshot(**changes: object) -> StripeSubscriptionSnapshot:
    fields: dict[str, object] = {
        "subscription_id": "sub_1",
        "customer_id": "cus_1",
        "user_id": "user-1",
        "stripe_status": "active",
        "price_tier": Tier.PRO,
        "current_period_start": NOW,
        "current_period_end": NOW + timedelta(days=30),
        "cancel_at_period_end": False,
        "canceled_at": None,
        "event_id": "evt_1",
        "event_created": NOW,
    }
    fields.update(changes)
    return StripeSubscriptionSnapshot(**fields)  # type: ignore[arg-type]


def test_every_fake_is_an_instance_of_its_port() -> None:
    assert isinstance(FakePaymentGateway(), PaymentGateway)
    assert isinstance(FakeVideoStorage(), VideoStorage)
    assert isinstance(InMemoryEventPublisher(), EventPublisher)
    assert isinstance(FixedClock(NOW), Clock)
    assert isinstance(SequentialIds(), IdSource)


# --- payments --------------------------------------------------------------------------------


def test_checkouts_get_numbered_sessions_and_are_recorded() -> None:
    gateway = FakePaymentGateway()
    request = CheckoutRequest("user-1", "a@b.co", Tier.PRO, "https://ok", "https://no", None)
    first = gateway.create_checkout(request)
    second = gateway.create_checkout(request)
    assert first.session_id != second.session_id
    assert first.url == f"https://checkout.local/{first.session_id}"
    assert gateway.checkouts == [(request, first), (request, second)]


def test_cancellations_are_recorded_by_kind() -> None:
    gateway = FakePaymentGateway()
    gateway.cancel_at_period_end("sub_1")
    gateway.cancel_now("sub_2")
    assert (gateway.cancelled_at_period_end, gateway.cancelled_now) == (["sub_1"], ["sub_2"])


def test_an_encoded_subscription_event_parses_back_to_itself() -> None:
    event = PaymentEvent("evt_1", "customer.subscription.updated", a_snapshot())
    assert FakePaymentGateway().parse_event(encode_event(event), "valid") == event


def test_an_event_without_a_subscription_parses_with_no_snapshot() -> None:
    body = json.dumps({"id": "evt_9", "type": "invoice.paid", "created": None}).encode()
    event = FakePaymentGateway().parse_event(body, "valid")
    assert event == PaymentEvent("evt_9", "invoice.paid", None)


@pytest.mark.parametrize("signature", [None, "", "invalid", "Valid"])
def test_any_signature_but_valid_is_refused(signature: str | None) -> None:
    body = encode_event(PaymentEvent("evt_1", "x", None))
    with pytest.raises(InvalidSignature):
        FakePaymentGateway().parse_event(body, signature)


@pytest.mark.parametrize("body", [b"not json", b"[]", b'{"type": "x"}', b'{"id": 1, "type": "x"}'])
def test_a_payload_that_is_not_an_event_is_a_validation_error(body: bytes) -> None:
    with pytest.raises(ValidationFailed):
        FakePaymentGateway().parse_event(body, "valid")


@pytest.mark.parametrize("tier", ["free", "gold"])
def test_a_subscription_to_no_paid_tier_is_an_unknown_price(tier: str) -> None:
    body = json.loads(encode_event(PaymentEvent("evt_1", "x", a_snapshot())))
    body["subscription"]["tier"] = tier
    with pytest.raises(UnknownPrice):
        FakePaymentGateway().parse_event(json.dumps(body).encode(), "valid")


# --- video storage, events, clock, ids -------------------------------------------------------


def test_an_upload_target_names_the_attempts_video_and_expires_in_fifteen_minutes() -> None:
    target = FakeVideoStorage("bucket").upload_target("user-1", "a-1", NOW)
    assert target.video_url == "s3://bucket/videos/user-1/a-1.mp4"
    assert target.upload_url.startswith("https://uploads.local/")
    assert target.expires_at == NOW + timedelta(minutes=15)


def test_the_publisher_keeps_events_and_returns_those_told_to_fail() -> None:
    publisher = InMemoryEventPublisher()
    ok, bad = DomainEvent("e1", "A", {}), DomainEvent("e2", "B", {})
    publisher.fail_on("e2")
    assert publisher.publish([ok, bad]) == [bad]
    assert publisher.published == [ok]
    publisher.recover()
    assert publisher.publish([bad]) == []
    assert publisher.names() == ["A", "B"]


def test_the_fixed_clock_moves_only_when_told() -> None:
    clock = FixedClock(NOW)
    assert clock.now() == clock.now() == NOW
    assert clock.advance(timedelta(minutes=5)) == NOW + timedelta(minutes=5)
    clock.set(NOW - timedelta(days=1))
    assert clock.now() == NOW - timedelta(days=1)


def test_the_fixed_clock_refuses_naive_times() -> None:
    with pytest.raises(ValueError, match="aware"):
        FixedClock(datetime(2026, 1, 1))  # noqa: DTZ001


def test_sequential_ids_are_distinct_version_four_uuids_in_order() -> None:
    ids = SequentialIds()
    issued = [ids.new_id() for _ in range(3)]
    assert issued[0] == "00000000-0000-4000-8000-000000000001"
    assert len(set(issued)) == 3
    assert all(uuid.UUID(i).version == 4 for i in issued)
    assert ids.issued == issued
