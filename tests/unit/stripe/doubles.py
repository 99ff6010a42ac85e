"""Test doubles for the Stripe adapter: HTTP clients at stripe-python's extension point, a clock."""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import stripe

from adapters.stripe.in_process import InProcessHTTPClient, WholeBodyHTTPClient
from domain.tiers import Tier

__all__ = ["InProcessHTTPClient"]

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "stripe"
SECRET = "whsec_test_secret"
PRICES: Mapping[Tier, str] = {
    Tier.BASIC: "price_basic",
    Tier.PRO: "price_pro",
    Tier.PROPLUS: "price_proplus",
}


def fixture(name: str) -> dict[str, Any]:
    """A stored Stripe payload, decoded."""
    loaded: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_text())
    return loaded


def encoded(event: Mapping[str, Any]) -> bytes:
    return json.dumps(event, indent=2).encode()


def signed(payload: bytes, secret: str = SECRET, at: datetime | None = None) -> str:
    """The Stripe-Signature header, computed by stripe-python's own helper."""
    moment = at or datetime.now(UTC)
    return str(
        stripe.WebhookSignature.generate_signature_header(
            payload.decode(), secret, int(moment.timestamp())
        )
    )


@dataclass(frozen=True, slots=True)
class SentRequest:
    method: str
    url: str
    headers: Mapping[str, str]
    params: dict[str, str]


class RecordingHTTPClient(WholeBodyHTTPClient):
    """Answers with canned responses and keeps every request StripeClient sent."""

    name = "recording"

    def __init__(self, *responses: tuple[int, Mapping[str, Any]]) -> None:
        super().__init__()
        self._responses = list(responses)
        self._guard = threading.Lock()
        self.sent: list[SentRequest] = []

    def request(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str] | None,
        post_data: Any = None,
        *,
        _usage: list[str] | None = None,
    ) -> tuple[str, int, Mapping[str, str]]:
        encoded_params = post_data if post_data else urlsplit(url).query
        with self._guard:
            self.sent.append(
                SentRequest(
                    method=method,
                    url=url.split("?")[0],
                    headers=dict(headers or {}),
                    params=dict(parse_qsl(encoded_params, keep_blank_values=True)),
                )
            )
            status, body = self._responses.pop(0)
        return json.dumps(body), status, {"request-id": "req_test"}


class FailingHTTPClient(RecordingHTTPClient):
    """Every request fails like a network that is down."""

    name = "failing"

    def request(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str] | None,
        post_data: Any = None,
        *,
        _usage: list[str] | None = None,
    ) -> tuple[str, int, Mapping[str, str]]:
        raise stripe.APIConnectionError("connection refused")  # type: ignore[no-untyped-call]


class MovableClock:
    """Starts at the real time (signatures must be fresh) and moves only when told."""

    def __init__(self) -> None:
        self._now = datetime.now(UTC).replace(microsecond=0)

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> None:
        self._now += delta
