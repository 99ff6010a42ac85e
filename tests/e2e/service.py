"""The service under test, reached over HTTP in process: one running app per profile.

Payments go through the real Stripe adapter and the Stripe simulator the container wires, with
the checkout page served by the app, so an upgrade runs the real checkout, signing and
verification code. Add a profile to PROFILES to run every end-to-end test on it too.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from dependency_injector import providers
from starlette.testclient import TestClient

from adapters.memory.clock import FixedClock
from infra.container import Container, create_container
from infra.openapi import http_app
from infra.settings import Settings
from infra.tokens import mint_token
from tests.support.dynamodb_backend import embedded_server

PROFILES = ("memory", "local")
SECRET = "e2e-secret-long-enough-for-hs256-and-for-the-hs512-test-token-too"
WEBHOOK_SECRET = "whsec_e2e_secret"
BASE_URL = "http://testserver"


@dataclass
class Service:
    """A running app, its container, and the clock it reads (movable on the memory profile)."""

    profile: str
    client: TestClient
    container: Container
    clock: FixedClock

    def headers(
        self, sub: str, email: str | None = None, groups: Sequence[str] = ()
    ) -> dict[str, str]:
        """An Authorization header for the caller `sub`."""
        token = mint_token(SECRET, sub, email, groups, ttl_seconds=3600)
        return {"Authorization": f"Bearer {token}"}


def settings_for(profile: str) -> Settings:
    """Settings of a profile with the test secrets.

    `local` runs the real DynamoDB adapters against the suite's one embedded server, under a
    fresh stage (its own eight tables, created by the profile on first use).
    """
    values = {
        "FLOWLOGIC_PROFILE": profile,
        "FLOWLOGIC_JWT_SECRET": SECRET,
        "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
    }
    if profile == "local":
        values["AWS_ENDPOINT_URL_DYNAMODB"] = embedded_server().start()
        values["FLOWLOGIC_STAGE"] = f"e2e-{uuid.uuid4().hex[:12]}"
    return Settings.model_validate(values)


@contextlib.contextmanager
def running(profile: str, prepare: Callable[[Container], None] | None = None) -> Iterator[Service]:
    """The service of `profile`, with a clock that stands at the real now until moved."""
    container = create_container(settings_for(profile))
    clock = FixedClock(datetime.now(UTC).replace(microsecond=0))
    container.clock.override(providers.Object(clock))
    if prepare is not None:
        prepare(container)
    client = TestClient(http_app(container), base_url=BASE_URL)
    # The simulator's events reach the webhook route through the same in-process client.
    container.webhook_relay().target = _deliver_through(client)
    with client:
        try:
            yield Service(profile, client, container, clock)
        finally:
            container.shutdown_resources()


def _deliver_through(client: TestClient) -> Callable[[bytes, str], None]:
    def deliver(payload: bytes, signature: str) -> None:
        answer = client.post(
            "/v1/stripe/webhook",
            content=payload,
            headers={"Stripe-Signature": signature, "Content-Type": "application/json"},
        )
        if answer.status_code != 200:
            raise RuntimeError(f"webhook answered {answer.status_code}")

    return deliver
