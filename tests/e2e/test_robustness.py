"""Schemathesis against the running app: no input yields a 5xx or a response off its own schema.

Every operation of the OpenAPI document gets a bounded number of generated requests (fixed seed,
so runs repeat), sent with a valid bearer token of a user who is registered, on the pro tier,
has results, a plan and a calendar, and may act as worker and admin. Each operation starts
from that state afresh: an earlier operation (DELETE /v1/me) cannot starve a later one.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from starlette.types import ASGIApp, Receive, Scope, Send

from tests.e2e.service import running
from tests.e2e.users import seeded

SUB = "fuzzed-user"
EMAIL = "fuzz@example.com"
MAX_EXAMPLES = 20
CHECKS = [
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
    content_type_conformance,
]


class Current:
    """The ASGI app schemathesis calls: forwards to the service of the running test."""

    def __init__(self) -> None:
        self.app: ASGIApp | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        assert self.app is not None, "no service is running"
        await self.app(scope, receive, send)


current = Current()


def _loaded_schema() -> Any:
    with running("memory") as service:
        current.app = service.client.app
        return schemathesis.openapi.from_asgi("/openapi.json", current)


schema = _loaded_schema()


@pytest.fixture
def authorised() -> Iterator[dict[str, str]]:
    """A fresh seeded service behind `current`; yields the seeded user's headers."""
    with running("memory") as service:
        headers = seeded(service, SUB, EMAIL, groups=["worker", "admin"]).headers
        current.app = service.client.app
        try:
            yield headers
        finally:
            current.app = None


@schema.parametrize()  # type: ignore[untyped-decorator]
@settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_no_generated_request_breaks_the_api(case: Any, authorised: dict[str, str]) -> None:
    case.call_and_validate(headers=authorised, checks=CHECKS)
