"""A stripe-python HTTP client that answers from an ASGI app in this process (the simulator).

The local profile uses it so that the real StripeClient, with its real request encoding and
response parsing, talks to the simulator without any network or a running server.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import stripe
from starlette.testclient import TestClient


class WholeBodyHTTPClient(stripe.HTTPClient):
    """A stripe-python HTTP client that answers whole bodies and never streams.

    Subclasses implement `request`; the gateway uses no streaming endpoint and holds no
    connections to close.
    """

    def request_stream(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str] | None,
        post_data: Any = None,
        *,
        _usage: list[str] | None = None,
    ) -> tuple[Any, int, Mapping[str, str]]:
        raise NotImplementedError("the gateway streams nothing")

    def close(self) -> None:
        return None


class InProcessHTTPClient(WholeBodyHTTPClient):
    """Sends StripeClient's requests to an ASGI app through Starlette's in-process client."""

    name = "in-process"

    def __init__(self, client: TestClient) -> None:
        super().__init__()
        self._client = client

    def request(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str] | None,
        post_data: Any = None,
        *,
        _usage: list[str] | None = None,
    ) -> tuple[str, int, Mapping[str, str]]:
        response = self._client.request(
            method.upper(), url, headers=dict(headers or {}), content=post_data
        )
        return response.text, response.status_code, dict(response.headers)
