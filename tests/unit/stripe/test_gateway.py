"""The gateway over the real StripeClient, its HTTP client replaced where stripe-python allows."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
import stripe

from adapters.stripe.errors import PaymentProviderError
from adapters.stripe.gateway import StripePaymentGateway
from domain.errors import ValidationFailed
from domain.tiers import Tier
from ports.payments import CheckoutRequest, CheckoutSession, PaymentGateway
from tests.unit.stripe.doubles import (
    PRICES,
    SECRET,
    FailingHTTPClient,
    RecordingHTTPClient,
    encoded,
    fixture,
    signed,
)

API_KEY = "sk_test_flowlogic"
ROOT = Path(__file__).resolve().parents[3]


def a_gateway(http: stripe.HTTPClient, **options: Any) -> StripePaymentGateway:
    return StripePaymentGateway(
        api_key=API_KEY,
        webhook_secret=SECRET,
        prices=PRICES,
        http_client=http,
        max_network_retries=0,
        **options,
    )


def a_checkout_request(**changes: Any) -> CheckoutRequest:
    values: dict[str, Any] = {
        "user_id": "user-1",
        "email": "ada@example.com",
        "tier": Tier.PRO,
        "success_url": "https://app.example/billing/done?session={CHECKOUT_SESSION_ID}",
        "cancel_url": "https://app.example/billing",
        "customer_id": None,
    }
    values.update(changes)
    return CheckoutRequest(**values)


def a_session(**changes: Any) -> dict[str, Any]:
    return {
        "id": "cs_test_1",
        "object": "checkout.session",
        "url": "https://checkout.stripe.com/c/pay/cs_test_1",
        **changes,
    }


def an_error(status: int, code: str, error_type: str = "invalid_request_error") -> Any:
    return status, {
        "error": {"type": error_type, "code": code, "message": "Email ada@example.com is odd"}
    }


def the_subscription() -> Mapping[str, Any]:
    subscription: Mapping[str, Any] = fixture("customer.subscription.created")["data"]["object"]
    return subscription


def test_the_gateway_is_a_payment_gateway() -> None:
    assert isinstance(a_gateway(RecordingHTTPClient()), PaymentGateway)


def test_a_checkout_for_a_new_customer_sends_exactly_these_parameters() -> None:
    http = RecordingHTTPClient((200, a_session()))

    session = a_gateway(http).create_checkout(a_checkout_request())

    assert session == CheckoutSession("cs_test_1", "https://checkout.stripe.com/c/pay/cs_test_1")
    [sent] = http.sent
    assert sent.method == "post"
    assert sent.url == "https://api.stripe.com/v1/checkout/sessions"
    assert sent.params == {
        "mode": "subscription",
        "line_items[0][price]": "price_pro",
        "line_items[0][quantity]": "1",
        "client_reference_id": "user-1",
        "customer_email": "ada@example.com",
        "success_url": "https://app.example/billing/done?session={CHECKOUT_SESSION_ID}",
        "cancel_url": "https://app.example/billing",
        "metadata[user_id]": "user-1",
        "subscription_data[metadata][user_id]": "user-1",
    }


def test_requests_carry_the_key_and_the_librarys_pinned_api_version() -> None:
    http = RecordingHTTPClient((200, a_session()))

    a_gateway(http).create_checkout(a_checkout_request())

    headers = http.sent[0].headers
    assert headers["Authorization"] == f"Bearer {API_KEY}"
    assert headers["Stripe-Version"] == stripe.api_version == "2026-10-28.endive"


def test_a_checkout_for_a_known_customer_reuses_it_instead_of_the_email() -> None:
    http = RecordingHTTPClient((200, a_session()))

    a_gateway(http).create_checkout(a_checkout_request(customer_id="cus_known"))

    params = http.sent[0].params
    assert params["customer"] == "cus_known"
    assert "customer_email" not in params


@pytest.mark.parametrize("tier", [Tier.BASIC, Tier.PROPLUS])
def test_a_checkout_uses_the_price_of_the_requested_tier(tier: Tier) -> None:
    http = RecordingHTTPClient((200, a_session()))

    a_gateway(http).create_checkout(a_checkout_request(tier=tier))

    assert http.sent[0].params["line_items[0][price]"] == PRICES[tier]


def test_a_checkout_for_the_free_tier_is_refused_without_calling_stripe() -> None:
    http = RecordingHTTPClient()

    with pytest.raises(ValidationFailed):
        a_gateway(http).create_checkout(a_checkout_request(tier=Tier.FREE))
    assert http.sent == []


def test_a_session_without_a_url_is_a_provider_error() -> None:
    http = RecordingHTTPClient((200, a_session(url=None)))

    with pytest.raises(PaymentProviderError):
        a_gateway(http).create_checkout(a_checkout_request())


def test_cancelling_at_the_period_end_updates_the_subscription() -> None:
    http = RecordingHTTPClient((200, the_subscription()))

    a_gateway(http).cancel_at_period_end("sub_1")

    [sent] = http.sent
    assert (sent.method, sent.url) == ("post", "https://api.stripe.com/v1/subscriptions/sub_1")
    assert sent.params == {"cancel_at_period_end": "true"}


def test_cancelling_now_deletes_the_subscription() -> None:
    http = RecordingHTTPClient((200, the_subscription()))

    a_gateway(http).cancel_now("sub_1")

    [sent] = http.sent
    assert (sent.method, sent.url) == ("delete", "https://api.stripe.com/v1/subscriptions/sub_1")
    assert sent.params == {}


def test_cancelling_now_a_subscription_stripe_no_longer_has_succeeds() -> None:
    http = RecordingHTTPClient(an_error(404, "resource_missing"))

    a_gateway(http).cancel_now("sub_gone")

    assert len(http.sent) == 1


def test_cancelling_now_fails_on_any_other_refusal() -> None:
    http = RecordingHTTPClient(an_error(400, "parameter_invalid_empty"))

    with pytest.raises(PaymentProviderError) as raised:
        a_gateway(http).cancel_now("sub_1")
    assert isinstance(raised.value.__cause__, stripe.InvalidRequestError)


def test_cancelling_at_the_period_end_a_missing_subscription_is_a_provider_error() -> None:
    http = RecordingHTTPClient(an_error(404, "resource_missing"))

    with pytest.raises(PaymentProviderError) as raised:
        a_gateway(http).cancel_at_period_end("sub_gone")
    assert raised.value.http_status == 404
    assert raised.value.stripe_code == "resource_missing"


def test_cancelling_at_the_period_end_one_stripe_ended_already_succeeds() -> None:
    # Its deletion webhook is still on the way; Stripe refuses to update it (issue 12 soak).
    ended = {**the_subscription(), "status": "canceled"}
    http = RecordingHTTPClient(an_error(400, ""), (200, ended))

    a_gateway(http).cancel_at_period_end("sub_1")

    assert [(sent.method, sent.url) for sent in http.sent] == [
        ("post", "https://api.stripe.com/v1/subscriptions/sub_1"),
        ("get", "https://api.stripe.com/v1/subscriptions/sub_1"),
    ]


def test_cancelling_at_the_period_end_a_live_subscription_stripe_refuses_is_an_error() -> None:
    http = RecordingHTTPClient(an_error(400, "parameter_invalid"), (200, the_subscription()))

    with pytest.raises(PaymentProviderError) as raised:
        a_gateway(http).cancel_at_period_end("sub_1")
    assert raised.value.http_status == 400


@pytest.mark.parametrize(
    ("status", "error_type", "library_error"),
    [
        (400, "invalid_request_error", stripe.InvalidRequestError),
        (401, "invalid_request_error", stripe.AuthenticationError),
        (402, "card_error", stripe.CardError),
        (429, "invalid_request_error", stripe.RateLimitError),
        (500, "api_error", stripe.APIError),
    ],
)
def test_stripe_errors_become_provider_errors_raised_from_the_original(
    status: int, error_type: str, library_error: type[Exception]
) -> None:
    http = RecordingHTTPClient(an_error(status, "some_code", error_type))

    with pytest.raises(PaymentProviderError) as raised:
        a_gateway(http).create_checkout(a_checkout_request())

    error = raised.value
    assert isinstance(error.__cause__, library_error)
    assert error.code == "PAYMENT_PROVIDER_ERROR"
    assert error.http_status == status
    # Stripe's message may echo personal data; only class, status and code are kept.
    assert "ada@example.com" not in str(error)


def test_a_network_failure_becomes_a_provider_error() -> None:
    with pytest.raises(PaymentProviderError) as raised:
        a_gateway(FailingHTTPClient()).cancel_at_period_end("sub_1")
    assert isinstance(raised.value.__cause__, stripe.APIConnectionError)


def test_another_base_address_receives_the_requests() -> None:
    http = RecordingHTTPClient((200, the_subscription()))

    a_gateway(http, api_base="http://127.0.0.1:8000/stripe-sim").cancel_now("sub_1")

    assert http.sent[0].url == "http://127.0.0.1:8000/stripe-sim/v1/subscriptions/sub_1"


def test_a_completed_checkout_event_retrieves_the_subscription_through_the_api() -> None:
    http = RecordingHTTPClient((200, the_subscription()))
    payload = encoded(fixture("checkout.session.completed"))

    event = a_gateway(http).parse_event(payload, signed(payload))

    [sent] = http.sent
    assert (sent.method, sent.url) == (
        "get",
        "https://api.stripe.com/v1/subscriptions/sub_1RflowProAbCdEf",
    )
    assert event.snapshot is not None
    assert event.snapshot.price_tier is Tier.PRO


def test_a_failed_retrieval_while_parsing_is_a_provider_error() -> None:
    http = RecordingHTTPClient((500, {"error": {"type": "api_error", "message": "down"}}))
    payload = encoded(fixture("invoice.payment_failed"))

    with pytest.raises(PaymentProviderError):
        a_gateway(http).parse_event(payload, signed(payload))


class CountingFactory:
    def __init__(self) -> None:
        self.calls = 0
        self.http = RecordingHTTPClient(*[(200, the_subscription())] * 8)

    def __call__(self) -> stripe.StripeClient:
        self.calls += 1
        time.sleep(0.01)  # widen the window in which a second client could be built
        return stripe.StripeClient(API_KEY, http_client=self.http, max_network_retries=0)


def test_the_client_is_built_on_first_use_and_only_once() -> None:
    factory = CountingFactory()
    gateway = StripePaymentGateway(client_factory=factory, webhook_secret=SECRET, prices=PRICES)
    assert factory.calls == 0

    threads = [
        threading.Thread(target=gateway.cancel_at_period_end, args=(f"sub_{n}",)) for n in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert factory.calls == 1
    assert len(factory.http.sent) == 8


def test_importing_the_adapter_does_not_import_stripe() -> None:
    code = (
        "import sys\n"
        "import adapters.stripe.gateway, adapters.stripe.events, adapters.stripe.simulator\n"
        "from adapters.stripe.gateway import StripePaymentGateway\n"
        "from domain.tiers import Tier\n"
        "StripePaymentGateway(api_key='sk', webhook_secret='whsec', prices={Tier.PRO: 'p'})\n"
        "print('stripe' in sys.modules)\n"
    )
    result = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"api_key": API_KEY, "client_factory": CountingFactory()},
        {"client_factory": CountingFactory(), "api_base": "http://localhost"},
    ],
)
def test_the_gateway_needs_exactly_one_way_to_reach_stripe(options: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match=r"api_key|api_base"):
        StripePaymentGateway(webhook_secret=SECRET, prices=PRICES, **options)


def test_the_gateway_needs_a_webhook_secret() -> None:
    with pytest.raises(ValueError, match="secret"):
        StripePaymentGateway(api_key=API_KEY, webhook_secret="", prices=PRICES)


def test_two_tiers_cannot_share_a_price() -> None:
    with pytest.raises(ValueError, match="own"):
        StripePaymentGateway(
            api_key=API_KEY,
            webhook_secret=SECRET,
            prices={Tier.PRO: "price_x", Tier.PROPLUS: "price_x"},
        )
