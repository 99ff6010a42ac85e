"""The local Stripe simulator, driven end to end by the real gateway and the real StripeClient."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
import stripe
from fastapi import FastAPI
from starlette.testclient import TestClient

from adapters.stripe.errors import PaymentProviderError
from adapters.stripe.gateway import StripePaymentGateway
from adapters.stripe.simulator import (
    API_VERSION,
    PERIOD,
    SimulatedStripeError,
    StripeSimulator,
    decode_form,
    sign,
)
from adapters.stripe.simulator_routes import simulator_router
from domain.subscription import StripeSubscriptionSnapshot
from domain.tiers import Tier
from ports.payments import CheckoutRequest, PaymentEvent
from tests.unit.stripe.doubles import PRICES, SECRET, InProcessHTTPClient, MovableClock

SUCCESS_URL = "https://app.example/billing/done?session={CHECKOUT_SESSION_ID}"


@dataclass
class Inbox:
    """The webhook route's stand-in: every delivery, as received."""

    deliveries: list[tuple[bytes, str]] = field(default_factory=list)

    def __call__(self, payload: bytes, signature: str) -> None:
        self.deliveries.append((payload, signature))


@dataclass
class World:
    sim: StripeSimulator
    gateway: StripePaymentGateway
    http: TestClient
    clock: MovableClock
    inbox: Inbox

    def events(self) -> list[PaymentEvent]:
        """Every delivery so far, verified and decoded by the real gateway."""
        return [self.gateway.parse_event(p, s) for p, s in self.inbox.deliveries]

    def checkout(self, **changes: Any) -> str:
        values: dict[str, Any] = {
            "user_id": "user-1",
            "email": "ada@example.com",
            "tier": Tier.PRO,
            "success_url": SUCCESS_URL,
            "cancel_url": "https://app.example/billing",
            "customer_id": None,
        }
        values.update(changes)
        session = self.gateway.create_checkout(CheckoutRequest(**values))
        response = self.http.post(session.url + "/confirm", follow_redirects=False)
        assert response.status_code == 303
        return session.session_id

    def subscription_id(self) -> str:
        snapshot = self.events()[-1].snapshot
        assert snapshot is not None
        return snapshot.subscription_id


@pytest.fixture
def world() -> Iterator[World]:
    clock = MovableClock()
    inbox = Inbox()
    sim = StripeSimulator(SECRET, PRICES, inbox, clock)
    app = FastAPI()
    app.include_router(simulator_router(sim))
    with TestClient(app) as http:
        gateway = StripePaymentGateway(
            api_key="sk_test_local",
            webhook_secret=SECRET,
            prices=PRICES,
            api_base="http://testserver/stripe-sim",
            http_client=InProcessHTTPClient(http),
            max_network_retries=0,
        )
        yield World(sim, gateway, http, clock, inbox)


def only_snapshot(event: PaymentEvent) -> StripeSubscriptionSnapshot:
    assert event.snapshot is not None
    return event.snapshot


# --- checkout ------------------------------------------------------------------------------------


def test_a_checkout_opens_the_simulators_own_page(world: World) -> None:
    session = world.gateway.create_checkout(
        CheckoutRequest("user-1", "ada@example.com", Tier.PRO, SUCCESS_URL, "https://x/c", None)
    )

    assert session.session_id.startswith("cs_test_")
    assert session.url == f"http://testserver/stripe-sim/checkout/{session.session_id}"
    page = world.http.get(session.url)
    assert page.status_code == 200
    assert "Confirm" in page.text
    assert "ada@example.com" in page.text
    assert "pro" in page.text
    assert world.inbox.deliveries == []


def test_confirming_redirects_to_the_success_url_with_the_session_id(world: World) -> None:
    session = world.gateway.create_checkout(
        CheckoutRequest("user-1", "ada@example.com", Tier.PRO, SUCCESS_URL, "https://x/c", None)
    )

    response = world.http.post(session.url + "/confirm", follow_redirects=False)

    assert response.status_code == 303
    assert response.headers["location"] == (
        f"https://app.example/billing/done?session={session.session_id}"
    )


def test_confirming_delivers_two_verified_events_giving_an_active_pro_subscription(
    world: World,
) -> None:
    world.checkout()

    completed, created = world.events()
    assert completed.event_type == "checkout.session.completed"
    assert created.event_type == "customer.subscription.created"
    for event in (completed, created):
        snapshot = only_snapshot(event)
        assert snapshot.stripe_status == "active"
        assert snapshot.price_tier is Tier.PRO
        assert snapshot.user_id == "user-1"
        assert snapshot.cancel_at_period_end is False
        assert snapshot.current_period_start == world.clock.now()
        assert snapshot.current_period_end == world.clock.now() + PERIOD
        assert snapshot.event_created == world.clock.now()
    assert only_snapshot(completed).subscription_id == only_snapshot(created).subscription_id
    assert only_snapshot(completed).customer_id.startswith("cus_")


def test_delivered_events_have_stripes_shape(world: World) -> None:
    world.checkout()

    for delivered in world.sim.delivered:
        event = json.loads(delivered.payload)
        assert event["id"].startswith("evt_")
        assert event["object"] == "event"
        assert event["api_version"] == API_VERSION == stripe.api_version
        assert event["created"] == int(world.clock.now().timestamp())
        assert event["type"] == delivered.event_type
        assert set(event["data"]) == {"object"}
    sub = json.loads(world.sim.delivered[1].payload)["data"]["object"]
    assert sub["object"] == "subscription"
    assert "current_period_end" not in sub  # API 2025+: on the item only
    assert sub["items"]["data"][0]["price"]["id"] == "price_pro"


def test_the_simulator_signs_exactly_as_stripe_does() -> None:
    payload = b'{"id": "evt_1", "object": "event"}'

    header = sign(payload, SECRET, 1_777_636_800)

    assert header == stripe.WebhookSignature.generate_signature_header(
        payload.decode(), SECRET, 1_777_636_800
    )


def test_confirming_twice_creates_one_subscription(world: World) -> None:
    session_id = world.checkout()

    again = world.http.post(f"/stripe-sim/checkout/{session_id}/confirm", follow_redirects=False)

    assert again.status_code == 303
    assert len(world.inbox.deliveries) == 2


def test_a_known_customer_keeps_its_id_through_a_second_checkout(world: World) -> None:
    world.checkout()
    customer = only_snapshot(world.events()[0]).customer_id

    world.checkout(customer_id=customer, tier=Tier.PROPLUS)

    second = only_snapshot(world.events()[-1])
    assert second.customer_id == customer
    assert second.price_tier is Tier.PROPLUS


def test_a_checkout_for_an_unknown_customer_is_refused_like_stripe(world: World) -> None:
    with pytest.raises(PaymentProviderError) as raised:
        world.checkout(customer_id="cus_nobody")
    assert raised.value.stripe_code == "resource_missing"
    assert isinstance(raised.value.__cause__, stripe.InvalidRequestError)


def test_an_expired_checkout_cannot_be_confirmed(world: World) -> None:
    session = world.gateway.create_checkout(
        CheckoutRequest("user-1", "ada@example.com", Tier.PRO, SUCCESS_URL, "https://x/c", None)
    )
    world.clock.advance(timedelta(hours=24, seconds=1))

    response = world.http.post(session.url + "/confirm", follow_redirects=False)

    assert response.status_code == 400
    assert world.inbox.deliveries == []


def test_an_unknown_checkout_page_is_not_found(world: World) -> None:
    assert world.http.get("/stripe-sim/checkout/cs_test_nothing").status_code == 404


# --- cancellation --------------------------------------------------------------------------------


def test_cancelling_at_the_period_end_delivers_an_update(world: World) -> None:
    world.checkout()
    subscription_id = world.subscription_id()
    world.clock.advance(timedelta(days=3))

    world.gateway.cancel_at_period_end(subscription_id)

    update = world.events()[-1]
    assert update.event_type == "customer.subscription.updated"
    snapshot = only_snapshot(update)
    assert snapshot.cancel_at_period_end is True
    assert snapshot.canceled_at == world.clock.now()
    assert snapshot.stripe_status == "active"


def test_cancelling_at_the_period_end_twice_delivers_one_update(world: World) -> None:
    world.checkout()
    subscription_id = world.subscription_id()

    world.gateway.cancel_at_period_end(subscription_id)
    world.gateway.cancel_at_period_end(subscription_id)

    assert len(world.inbox.deliveries) == 3


def test_cancelling_now_delivers_a_deletion_and_a_second_cancel_is_harmless(
    world: World,
) -> None:
    world.checkout()
    subscription_id = world.subscription_id()

    world.gateway.cancel_now(subscription_id)
    world.gateway.cancel_now(subscription_id)

    deleted = world.events()[-1]
    assert deleted.event_type == "customer.subscription.deleted"
    assert only_snapshot(deleted).stripe_status == "canceled"
    assert len(world.inbox.deliveries) == 3


def test_a_canceled_subscription_cannot_be_set_to_cancel_at_the_period_end(world: World) -> None:
    world.checkout()
    subscription_id = world.subscription_id()
    world.gateway.cancel_now(subscription_id)

    with pytest.raises(SimulatedStripeError) as raised:
        world.sim.update_subscription(subscription_id, {"cancel_at_period_end": "true"})
    assert raised.value.status == 400
    # The gateway reads the refusal as "renews no more already" (decision 144).
    sent = len(world.events())
    world.gateway.cancel_at_period_end(subscription_id)
    assert len(world.events()) == sent


# --- the period, and failed payments -----------------------------------------------------------


def test_advancing_the_period_renews_the_subscription(world: World) -> None:
    world.checkout()
    first = only_snapshot(world.events()[-1])
    world.clock.advance(PERIOD)

    world.sim.advance_period(first.subscription_id)

    renewed = only_snapshot(world.events()[-1])
    assert renewed.current_period_start == first.current_period_end
    assert renewed.current_period_end == first.current_period_end + PERIOD
    assert renewed.stripe_status == "active"


def test_advancing_the_period_after_cancelling_at_its_end_deletes_the_subscription(
    world: World,
) -> None:
    world.checkout()
    subscription_id = world.subscription_id()
    world.gateway.cancel_at_period_end(subscription_id)

    world.sim.advance_period(subscription_id)

    deleted = world.events()[-1]
    assert deleted.event_type == "customer.subscription.deleted"
    assert only_snapshot(deleted).stripe_status == "canceled"


def test_a_failed_payment_delivers_the_invoice_failure_and_a_past_due_update(
    world: World,
) -> None:
    world.checkout()
    subscription_id = world.subscription_id()

    world.sim.fail_payment(subscription_id)

    failed, updated = world.events()[-2:]
    assert failed.event_type == "invoice.payment_failed"
    assert only_snapshot(failed).subscription_id == subscription_id
    assert only_snapshot(failed).stripe_status == "past_due"
    assert updated.event_type == "customer.subscription.updated"
    assert only_snapshot(updated).stripe_status == "past_due"


def test_setting_a_status_delivers_it(world: World) -> None:
    world.checkout()
    subscription_id = world.subscription_id()

    world.sim.set_status(subscription_id, "unpaid")

    assert only_snapshot(world.events()[-1]).stripe_status == "unpaid"


def test_an_unknown_status_cannot_be_set(world: World) -> None:
    world.checkout()

    with pytest.raises(ValueError, match="status"):
        world.sim.set_status(world.subscription_id(), "on_holiday")


# --- the webhook calling back while the simulator delivers ------------------------------------


def test_a_webhook_may_call_back_into_the_simulator_during_delivery() -> None:
    clock = MovableClock()
    received: list[PaymentEvent] = []
    gateway_box: list[StripePaymentGateway] = []

    def deliver(payload: bytes, signature: str) -> None:
        # As in the local profile: the webhook verifies, and retrieves the subscription.
        received.append(gateway_box[0].parse_event(payload, signature))

    sim = StripeSimulator(SECRET, PRICES, deliver, clock)
    app = FastAPI()
    app.include_router(simulator_router(sim))
    with TestClient(app) as http:
        gateway_box.append(
            StripePaymentGateway(
                api_key="sk_test_local",
                webhook_secret=SECRET,
                prices=PRICES,
                api_base="http://testserver/stripe-sim",
                http_client=InProcessHTTPClient(http),
                max_network_retries=0,
            )
        )
        session = gateway_box[0].create_checkout(
            CheckoutRequest("user-1", "ada@example.com", Tier.BASIC, SUCCESS_URL, "https://x", None)
        )
        assert http.post(session.url + "/confirm", follow_redirects=False).status_code == 303

    assert [event.event_type for event in received] == [
        "checkout.session.completed",
        "customer.subscription.created",
    ]
    assert all(only_snapshot(event).price_tier is Tier.BASIC for event in received)


def test_a_failed_delivery_is_kept_and_can_be_redelivered() -> None:
    clock = MovableClock()
    attempts: list[bytes] = []
    down = [True]

    def deliver(payload: bytes, signature: str) -> None:
        attempts.append(payload)
        if down[0]:
            raise ConnectionError("webhook unreachable")

    sim = StripeSimulator(SECRET, PRICES, deliver, clock)
    app = FastAPI()
    app.include_router(simulator_router(sim))
    with TestClient(app) as http:
        session = http.post(
            "/stripe-sim/v1/checkout/sessions",
            headers={"Authorization": "Bearer sk_test"},
            data={
                "mode": "subscription",
                "line_items[0][price]": "price_pro",
                "line_items[0][quantity]": "1",
                "success_url": SUCCESS_URL,
                "customer_email": "ada@example.com",
            },
        ).json()
        http.post(f"/stripe-sim/checkout/{session['id']}/confirm", follow_redirects=False)

    assert len(attempts) == 2
    assert not sim.delivered
    down[0] = False
    assert sim.redeliver_failed() == 2
    assert [event.event_type for event in sim.delivered] == [
        "checkout.session.completed",
        "customer.subscription.created",
    ]
    assert sim.redeliver_failed() == 0


# --- the REST surface refuses what Stripe refuses ----------------------------------------------


def api(http: TestClient, method: str, path: str, **kwargs: Any) -> Any:
    headers = {"Authorization": "Bearer sk_test", **kwargs.pop("headers", {})}
    return http.request(method, f"/stripe-sim/v1{path}", headers=headers, **kwargs)


def test_a_request_without_an_api_key_is_unauthorized(world: World) -> None:
    response = world.http.get("/stripe-sim/v1/subscriptions/sub_1")

    assert response.status_code == 401
    assert response.json()["error"]["type"] == "invalid_request_error"


def test_an_unknown_subscription_is_resource_missing(world: World) -> None:
    response = api(world.http, "GET", "/subscriptions/sub_nothing")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "resource_missing"


@pytest.mark.parametrize(
    ("form", "param"),
    [
        ({"mode": "subscription", "surprise": "1"}, "surprise"),
        ({"mode": "payment"}, "mode"),
        ({"mode": "subscription", "line_items[0][price]": "price_pro"}, "success_url"),
        (
            {"mode": "subscription", "success_url": "https://x", "line_items[0][price]": "p_x"},
            "line_items[0][price]",
        ),
        (
            {
                "mode": "subscription",
                "success_url": "https://x",
                "line_items[0][price]": "price_pro",
                "subscription_data[trial_period_days]": "7",
            },
            "subscription_data[trial_period_days]",
        ),
    ],
)
def test_checkout_parameters_stripe_would_refuse_are_refused(
    world: World, form: dict[str, str], param: str
) -> None:
    response = api(world.http, "POST", "/checkout/sessions", data=form)

    assert response.status_code == 400
    assert response.json()["error"]["param"] == param


def test_customer_and_customer_email_together_are_refused(world: World) -> None:
    form = {
        "mode": "subscription",
        "success_url": "https://x",
        "line_items[0][price]": "price_pro",
        "customer": "cus_1",
        "customer_email": "ada@example.com",
    }

    response = api(world.http, "POST", "/checkout/sessions", data=form)

    assert response.status_code == 400
    assert "only specify one" in response.json()["error"]["message"]


def test_the_simulator_routes_stay_out_of_the_api_document(world: World) -> None:
    app = FastAPI()
    app.include_router(simulator_router(world.sim))

    assert not any(path.startswith("/stripe-sim") for path in app.openapi()["paths"])


def test_stripe_form_encoding_decodes_into_objects_and_lists() -> None:
    decoded = decode_form(
        [
            ("mode", "subscription"),
            ("line_items[1][price]", "b"),
            ("line_items[0][price]", "a"),
            ("line_items[0][quantity]", "1"),
            ("subscription_data[metadata][user_id]", "user-1"),
        ]
    )

    assert decoded == {
        "mode": "subscription",
        "line_items": [{"price": "a", "quantity": "1"}, {"price": "b"}],
        "subscription_data": {"metadata": {"user_id": "user-1"}},
    }


@pytest.mark.parametrize(
    "pairs",
    [[("a]", "1")], [("a[b]", "1"), ("a[b][c]", "2")], [("a[b][c]", "2"), ("a[b]", "1")]],
)
def test_malformed_form_keys_are_refused(pairs: list[tuple[str, str]]) -> None:
    with pytest.raises(SimulatedStripeError):
        decode_form(pairs)
