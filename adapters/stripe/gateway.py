"""PaymentGateway over Stripe's official client (stripe-python's StripeClient, pinned API version).

`stripe` is imported lazily and the client is built on first use: importing this module, or
building the gateway in the container, costs a Lambda cold start nothing.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from adapters.stripe.errors import PaymentProviderError
from adapters.stripe.events import parse_event
from adapters.stripe.prices import PriceBook
from domain.tiers import Tier
from ports.payments import CheckoutRequest, CheckoutSession, PaymentEvent

if TYPE_CHECKING:
    from stripe import HTTPClient, StripeClient
    from stripe.params.checkout import SessionCreateParams

# Stripe answers 404 `resource_missing` for a subscription that is already canceled.
_ENDED = frozenset({"canceled", "incomplete_expired"})
_RESOURCE_MISSING = "resource_missing"


class StripePaymentGateway:
    """Checkout, cancellation and webhook events through one lazily built StripeClient."""

    def __init__(
        self,
        *,
        webhook_secret: str,
        prices: Mapping[Tier, str],
        api_key: str | None = None,
        client_factory: Callable[[], StripeClient] | None = None,
        api_base: str | None = None,
        http_client: HTTPClient | None = None,
        max_network_retries: int = 2,
    ) -> None:
        if not webhook_secret:
            raise ValueError("a webhook secret is required")
        if (api_key is None) == (client_factory is None):
            raise ValueError("give either api_key or client_factory")
        if client_factory is not None and (api_base is not None or http_client is not None):
            raise ValueError("api_base and http_client configure the client built from api_key")
        self._webhook_secret = webhook_secret
        self._prices = PriceBook(prices)
        self._api_key = api_key
        self._factory = client_factory
        self._api_base = api_base
        self._http_client = http_client
        self._max_network_retries = max_network_retries
        self._client: StripeClient | None = None
        self._lock = threading.Lock()

    def create_checkout(self, request: CheckoutRequest) -> CheckoutSession:
        """A subscription-mode Checkout Session for the tier's price, naming the user everywhere."""
        params: SessionCreateParams = {
            "mode": "subscription",
            "line_items": [{"price": self._prices.price_of(request.tier), "quantity": 1}],
            "client_reference_id": request.user_id,
            "success_url": request.success_url,
            "cancel_url": request.cancel_url,
            "metadata": {"user_id": request.user_id},
            # Copied onto the subscription, so every customer.subscription.* event names the user.
            "subscription_data": {"metadata": {"user_id": request.user_id}},
        }
        if request.customer_id:
            params["customer"] = request.customer_id
        else:
            params["customer_email"] = request.email
        with _translated_errors():
            session = self._stripe().v1.checkout.sessions.create(params)
        if not session.url:
            raise PaymentProviderError("Stripe returned a checkout session without a URL")
        return CheckoutSession(session_id=session.id, url=session.url)

    def cancel_at_period_end(self, subscription_id: str) -> None:
        """Stop the subscription from renewing; it keeps granting until its period ends.

        One Stripe has ended already (its webhook still on the way) renews no more: done
        (Stripe refuses to update a canceled subscription with a 400; decision 144).
        """
        try:
            with _translated_errors():
                self._stripe().v1.subscriptions.update(
                    subscription_id, {"cancel_at_period_end": True}
                )
        except PaymentProviderError as error:
            if error.http_status != 400 or not self._has_ended(subscription_id):
                raise

    def _has_ended(self, subscription_id: str) -> bool:
        with _translated_errors():
            status = self._retrieve_subscription(subscription_id).get("status")
        return status in _ENDED

    def cancel_now(self, subscription_id: str) -> None:
        """End the subscription immediately; one that Stripe no longer has counts as ended."""
        try:
            with _translated_errors():
                self._stripe().v1.subscriptions.cancel(subscription_id)
        except PaymentProviderError as error:
            # Erasure may run twice; the second cancel of the same subscription is not a failure
            # (docs/decisions/086).
            if error.http_status != 404 or error.stripe_code != _RESOURCE_MISSING:
                raise

    def parse_event(self, payload: bytes, signature: str | None) -> PaymentEvent:
        """Verify and decode a webhook; retrieves the subscription when the event lacks it."""
        return parse_event(
            payload,
            signature,
            secret=self._webhook_secret,
            prices=self._prices,
            subscriptions=self._retrieve_subscription,
        )

    def _retrieve_subscription(self, subscription_id: str) -> Mapping[str, Any]:
        with _translated_errors():
            return self._stripe().v1.subscriptions.retrieve(subscription_id).to_dict()

    def _stripe(self) -> StripeClient:
        client = self._client
        if client is not None:
            return client
        with self._lock:
            if self._client is None:
                self._client = self._build()
            return self._client

    def _build(self) -> StripeClient:
        if self._factory is not None:
            return self._factory()
        import stripe

        assert self._api_key is not None
        return stripe.StripeClient(
            self._api_key,
            # The library's pinned version: the shapes parse_event reads are that version's.
            stripe_version=stripe.api_version,
            base_addresses={"api": self._api_base} if self._api_base else None,
            http_client=self._http_client,
            max_network_retries=self._max_network_retries,
        )


@contextmanager
def _translated_errors() -> Iterator[None]:
    """Stripe's errors become PaymentProviderError, raised from the original."""
    import stripe

    try:
        yield
    except stripe.StripeError as error:
        # Only the class, code and status: Stripe's messages may echo an email address.
        raise PaymentProviderError(
            f"Stripe: {type(error).__name__} (status {error.http_status}, code {error.code})",
            http_status=error.http_status,
            stripe_code=error.code,
        ) from error
