"""STRIPE_API_BASE points the Stripe adapter at another server over HTTP, on every profile:
checkout creation, cancellation and the subscription a webhook needs all reach a small
Stripe-shaped server on loopback. Unset, nothing changes."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

import pytest

from domain.tiers import Tier
from infra import stripe_local
from infra.container import create_container
from infra.settings import Settings
from ports.payments import CheckoutRequest, PaymentGateway
from tests.unit.stripe.doubles import SECRET, encoded, fixture, signed

API_KEY = "sk_test_double"
SUBSCRIPTION = fixture("customer.subscription.created")["data"]["object"]


@dataclass
class StripeDouble:
    """What the double received, in order: (method, path, form parameters, Authorization)."""

    url: str
    received: list[tuple[str, str, dict[str, str], str]] = field(default_factory=list)


def _handler(double: StripeDouble) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass  # quiet

        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            form = dict(parse_qsl(self.rfile.read(length).decode())) if length else {}
            path = self.path.split("?")[0]
            double.received.append(
                (self.command, path, form, self.headers.get("Authorization", ""))
            )
            body: dict[str, Any]
            if (self.command, path) == ("POST", "/v1/checkout/sessions"):
                body = {
                    "id": "cs_test_double",
                    "object": "checkout.session",
                    "url": "https://checkout.double.test/cs_test_double",
                }
            elif path.startswith("/v1/subscriptions/"):
                body = {**SUBSCRIPTION, "id": path.rsplit("/", 1)[1]}
                if self.command == "DELETE":
                    body["status"] = "canceled"
                if self.command == "POST":
                    body["cancel_at_period_end"] = True
            else:
                self.send_response(404)
                self.end_headers()
                return
            data = json.dumps(body).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_DELETE = _answer  # noqa: N815 (http.server names)

    return Handler


@pytest.fixture
def double() -> Iterator[StripeDouble]:
    holder = StripeDouble(url="")
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(holder))
    holder.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield holder
    finally:
        server.shutdown()
        thread.join()
        server.server_close()


def _settings(**values: str) -> Settings:
    return Settings.model_validate(
        {"STRIPE_API_KEY": API_KEY, "STRIPE_WEBHOOK_SECRET": SECRET, **values}
    )


def _checkout() -> CheckoutRequest:
    return CheckoutRequest(
        user_id="user-1",
        email="ada@example.com",
        tier=Tier.PRO,
        success_url="https://app.example/done",
        cancel_url="https://app.example/billing",
        customer_id=None,
    )


def _exercise(gateway: PaymentGateway, double: StripeDouble) -> None:
    session = gateway.create_checkout(_checkout())
    gateway.cancel_at_period_end("sub_1")
    gateway.cancel_now("sub_2")
    event = fixture("invoice.payment_failed")
    payload = encoded(event)
    parsed = gateway.parse_event(payload, signed(payload))

    assert session.url == "https://checkout.double.test/cs_test_double"
    subscription_id = SUBSCRIPTION["id"]
    assert [(method, path) for method, path, _, _ in double.received] == [
        ("POST", "/v1/checkout/sessions"),
        ("POST", "/v1/subscriptions/sub_1"),
        ("DELETE", "/v1/subscriptions/sub_2"),
        ("GET", f"/v1/subscriptions/{subscription_id}"),  # the webhook's subscription
    ]
    assert double.received[0][2]["line_items[0][price]"] == "price_pro"
    assert double.received[1][2] == {"cancel_at_period_end": "true"}
    assert all(auth == f"Bearer {API_KEY}" for _, _, _, auth in double.received)
    assert parsed.snapshot is not None
    assert parsed.snapshot.subscription_id == subscription_id


@pytest.mark.parametrize("profile", ["memory", "local"])
def test_the_simulating_profiles_talk_to_the_configured_base(
    profile: str, double: StripeDouble
) -> None:
    container = create_container(
        _settings(FLOWLOGIC_PROFILE=profile, STRIPE_API_BASE=double.url + "/")
    )

    _exercise(container.payments(), double)

    assert container.stripe_simulator().export_state()["sessions"] == {}


def test_the_aws_gateway_talks_to_the_configured_base(double: StripeDouble) -> None:
    settings = _settings(FLOWLOGIC_PROFILE="aws", STRIPE_API_BASE=double.url)

    _exercise(stripe_local.real_gateway(settings), double)


def test_without_it_the_local_profiles_use_the_simulator(double: StripeDouble) -> None:
    container = create_container(_settings(FLOWLOGIC_PROFILE="memory"))

    session = container.payments().create_checkout(_checkout())

    assert double.received == []
    assert session.session_id in container.stripe_simulator().export_state()["sessions"]
