"""The offline Stripe of the `local` and `memory` profiles: the simulator, reached in process by the
real StripeClient, which delivers signed events to the service's own webhook route."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from typing import TYPE_CHECKING

from domain.tiers import Tier
from infra.settings import DEV_STRIPE_WEBHOOK_SECRET, Settings
from ports.clock import Clock

if TYPE_CHECKING:
    from adapters.stripe.gateway import StripePaymentGateway
    from adapters.stripe.simulator import StripeSimulator

Deliver = Callable[[bytes, str], None]
logger = logging.getLogger("flowlogic.stripe")


class WebhookRelay:
    """Delivers the simulator's events to POST /v1/stripe/webhook.

    By default over HTTP to FLOWLOGIC_PUBLIC_URL (the running service); tests and the embedded
    demo point `target` at an in-process client instead.
    """

    def __init__(self, public_url: str) -> None:
        self.public_url = public_url.rstrip("/")
        self.target: Deliver | None = None

    def __call__(self, payload: bytes, signature: str) -> None:
        # Imported here: the aws profile's webhook function imports this module for
        # real_gateway and never relays (urllib.request alone is ~60 ms of its cold start).
        import urllib.request

        if self.target is not None:
            self.target(payload, signature)
            return
        request = urllib.request.Request(  # noqa: S310 (our own configured service URL)
            f"{self.public_url}/v1/stripe/webhook",
            data=payload,
            method="POST",
            headers={"Stripe-Signature": signature, "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            if response.status >= 300:
                raise RuntimeError(f"webhook answered {response.status}")


def prices_of(settings: Settings) -> dict[Tier, str]:
    return {
        Tier.BASIC: settings.stripe_price_basic,
        Tier.PRO: settings.stripe_price_pro,
        Tier.PROPLUS: settings.stripe_price_proplus,
    }


def simulator(settings: Settings, relay: WebhookRelay, clock: Clock) -> StripeSimulator:
    from adapters.stripe.simulator import StripeSimulator

    return StripeSimulator(
        settings.stripe_webhook_secret.get_secret_value(), prices_of(settings), relay, clock
    )


def simulated_gateway(settings: Settings, sim: StripeSimulator) -> StripePaymentGateway:
    """The real gateway, its HTTP client answering from the simulator's routes in process.

    With STRIPE_API_BASE it talks to that server over HTTP instead, with the configured keys.
    """
    if settings.stripe_api_base is not None:
        from adapters.stripe.gateway import StripePaymentGateway

        return StripePaymentGateway(
            api_key=settings.stripe_api_key.get_secret_value(),
            webhook_secret=settings.stripe_webhook_secret.get_secret_value(),
            prices=prices_of(settings),
            api_base=settings.stripe_api_base.rstrip("/"),
        )
    from fastapi import FastAPI
    from starlette.testclient import TestClient

    from adapters.stripe.gateway import StripePaymentGateway
    from adapters.stripe.in_process import InProcessHTTPClient
    from adapters.stripe.simulator_routes import simulator_router

    app = FastAPI()
    app.include_router(simulator_router(sim))
    # The base URL makes the checkout page links point at the running service.
    http = TestClient(app, base_url=settings.public_url)
    return StripePaymentGateway(
        api_key=settings.stripe_api_key.get_secret_value(),
        webhook_secret=settings.stripe_webhook_secret.get_secret_value(),
        prices=prices_of(settings),
        api_base=f"{settings.public_url.rstrip('/')}/stripe-sim",
        http_client=InProcessHTTPClient(http),
    )


def real_gateway(settings: Settings) -> StripePaymentGateway:
    """The gateway to Stripe itself. With the repository's development webhook secret (public
    knowledge), it verifies against a random secret instead, so no webhook can be forged."""
    from adapters.stripe.gateway import StripePaymentGateway

    webhook_secret = settings.stripe_webhook_secret.get_secret_value()
    if webhook_secret == DEV_STRIPE_WEBHOOK_SECRET:
        logger.error("STRIPE_WEBHOOK_SECRET is not configured: every Stripe webhook is refused")
        webhook_secret = secrets.token_hex(32)
    api_base = settings.stripe_api_base
    return StripePaymentGateway(
        api_key=settings.stripe_api_key.get_secret_value(),
        webhook_secret=webhook_secret,
        prices=prices_of(settings),
        api_base=api_base.rstrip("/") if api_base is not None else None,
    )
