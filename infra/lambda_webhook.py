"""AWS Lambda entry point of the Stripe webhook (API Gateway HTTP API, payload format 2.0).

Lean on purpose: no web framework (a test checks FastAPI stays unloaded), only the container, the
payment gateway (which imports stripe on the first event) and the same `receive_event` the HTTP
route uses, so both answer alike. Init owns the logs, reads the settings (secrets from Parameter
Store), wires what the webhook uses and creates the DynamoDB client. The function runs with
SnapStart: init leaves no connection open and draws nothing random (a test checks both).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from adapters.http.middleware import gateway_request_id, new_request_id
from adapters.http.problems import MALFORMED_REQUEST, PROBLEM_JSON, Problem, problem
from adapters.http.webhook import Received, receive_event
from application.apply_payment_event import ApplyPaymentEvent, ApplyPaymentEventRequest
from infra.lambda_init import reseed_after_restore, start
from infra.logs import request_context
from infra.settings import Profile, Settings
from ports.payments import PaymentEvent

if TYPE_CHECKING:
    from infra.clients import DynamoDBResources
    from infra.container import Container


@dataclass(frozen=True, slots=True)
class Webhook:
    """What the webhook uses: verify and parse a delivery, apply an event, read the time."""

    parse: Callable[[bytes, str | None], PaymentEvent]
    apply: Callable[[PaymentEvent], str]
    now: Callable[[], datetime]
    # Run before each delivery: refuses tables of the other layout (LayoutMismatch) on the
    # first one, then costs nothing (docs/decisions/138-refusing-the-wrong-layout.md).
    ready: Callable[[], None] = lambda: None

    @classmethod
    def of(cls, on: Container) -> Webhook:
        """The webhook over a container's payment gateway and use case."""
        use_cases = on.use_cases()

        def parse(body: bytes, signature: str | None) -> PaymentEvent:
            parsed: PaymentEvent = on.payments().parse_event(body, signature)
            return parsed

        def apply(parsed: PaymentEvent) -> str:
            return use_cases.apply_payment_event.execute(ApplyPaymentEventRequest(parsed)).value

        from infra.layout_guard import check_layout

        return cls(parse, apply, on.clock().now, lambda: check_layout(on))


def aws_webhook(settings: Settings) -> Webhook:
    """The webhook on AWS, built from the container's own builders but without the container,
    whose import (every use case and in-memory adapter) would cost more than the rest of the
    cold start (docs/decisions/153-cold-start.md; a test checks both wire the same adapters).
    Creates the DynamoDB client now; no connection is opened."""
    from adapters.system.clock import SystemClock
    from infra import clients
    from infra.stripe_local import real_gateway

    resources = clients.DynamoDBResources(settings)
    use_case = aws_apply_payment_event(settings, resources)
    gateway = real_gateway(settings)

    def apply(parsed: PaymentEvent) -> str:
        return use_case.execute(ApplyPaymentEventRequest(parsed)).value

    return Webhook(gateway.parse_event, apply, SystemClock().now, resources.check)


def aws_apply_payment_event(
    settings: Settings, resources: DynamoDBResources | None = None
) -> ApplyPaymentEvent:
    """The use case as the container wires it on the aws profile (its client created, no
    connection opened)."""
    from adapters.dynamodb.snapshots import DynamoDBSnapshotReader
    from adapters.dynamodb.subscriptions import DynamoDBSubscriptionRepository
    from adapters.system.clock import SystemClock
    from infra import clients

    resources = resources if resources is not None else clients.DynamoDBResources(settings)
    client, layout = resources.prepared(), resources.layout()
    return ApplyPaymentEvent(
        DynamoDBSnapshotReader(client, layout),
        DynamoDBSubscriptionRepository(client, layout),
        SystemClock(),
    )


def _webhook(settings: Settings) -> Webhook:
    if settings.profile is Profile.AWS:
        return aws_webhook(settings)
    from infra.container import create_container

    return Webhook.of(create_container(settings))


settings = start()
webhook = _webhook(settings)
reseed_after_restore()  # the function runs with SnapStart (infra/template.py)


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Verify and apply one Stripe delivery; 200 when handled or ignored, 400 on a bad signature."""
    return respond(webhook, event)


def handle(on: Container, event: dict[str, Any]) -> dict[str, Any]:
    """`handler` over a given container (tests pass their own)."""
    return respond(Webhook.of(on), event)


def respond(with_: Webhook, event: dict[str, Any]) -> dict[str, Any]:
    """One API Gateway event in, one response out, through `with_`."""
    with_.ready()  # tables of the other layout: fail, Stripe redelivers later
    request_id = _request_id(event)
    with request_context(request_id):
        try:
            payload = _body(event)
        except ValueError:
            return _answer(
                problem(400, MALFORMED_REQUEST, "the body is not valid base64"), request_id
            )
        signature = _header(event, "stripe-signature")
        answer = receive_event(payload, signature, with_.parse, with_.apply, with_.now)
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
