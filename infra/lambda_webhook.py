"""AWS Lambda entry point of the Stripe webhook (API Gateway HTTP API, payload format 2.0).

Lean on purpose: no web framework, only the container, the payment gateway (which imports stripe
on the first event) and the same `receive_event` the HTTP route uses, so both answer alike.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from adapters.http.middleware import gateway_request_id, new_request_id
from adapters.http.problems import MALFORMED_REQUEST, PROBLEM_JSON, Problem, problem
from adapters.http.webhook import Received, receive_event
from application.apply_payment_event import ApplyPaymentEventRequest
from infra.container import Container, create_container
from infra.layout_guard import check_layout
from infra.logs import configure_logging, request_context
from infra.settings import Settings
from ports.payments import PaymentEvent

settings = Settings()
configure_logging(settings.log_level)
container = create_container(settings)


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Verify and apply one Stripe delivery; 200 when handled or ignored, 400 on a bad signature."""
    check_layout(container)  # tables of the other layout: fail, Stripe redelivers later
    return handle(container, event)


def handle(on: Container, event: dict[str, Any]) -> dict[str, Any]:
    """`handler` over a given container (tests pass their own)."""
    request_id = _request_id(event)
    with request_context(request_id):
        try:
            payload = _body(event)
        except ValueError:
            return _answer(
                problem(400, MALFORMED_REQUEST, "the body is not valid base64"), request_id
            )
        signature = _header(event, "stripe-signature")
        use_cases = on.use_cases()

        def parse(body: bytes, sig: str | None) -> PaymentEvent:
            parsed: PaymentEvent = on.payments().parse_event(body, sig)
            return parsed

        def apply(parsed: PaymentEvent) -> str:
            return use_cases.apply_payment_event.execute(ApplyPaymentEventRequest(parsed)).value

        answer = receive_event(payload, signature, parse, apply, on.clock().now)
        if isinstance(answer, Received):
            return {
                "statusCode": 200,
                "headers": {"content-type": "application/json", "x-request-id": request_id},
                "body": json.dumps({"outcome": answer.outcome}),
                "isBase64Encoded": False,
            }
        return _answer(answer, request_id)


def _answer(found: Problem, request_id: str) -> dict[str, Any]:
    headers = {"content-type": PROBLEM_JSON, "x-request-id": request_id, **found.headers}
    return {
        "statusCode": found.status,
        "headers": headers,
        "body": json.dumps(dict(found.body)),
        "isBase64Encoded": False,
    }


def _body(event: dict[str, Any]) -> bytes:
    body = event.get("body") or ""
    if not isinstance(body, str):
        raise ValueError("the body is not text")
    if event.get("isBase64Encoded"):
        try:
            return base64.b64decode(body, validate=True)
        except binascii.Error as error:
            raise ValueError("the body is not base64") from error
    # API Gateway passes text bodies as they came; Stripe signs exactly these bytes.
    return body.encode()


def _header(event: dict[str, Any], name: str) -> str | None:
    headers = event.get("headers") or {}
    for key, value in headers.items():
        if isinstance(key, str) and key.lower() == name and isinstance(value, str):
            return value
    return None


def _request_id(event: dict[str, Any]) -> str:
    return gateway_request_id(event) or new_request_id()
