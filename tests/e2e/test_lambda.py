"""The Lambda entry points: the HTTP API behind API Gateway (payload 2.0) and the Stripe webhook."""

from __future__ import annotations

import base64
import json
import logging
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.service import SECRET, Service
from tests.e2e.users import expect, register

ROOT = Path(__file__).resolve().parents[2]


def gateway_event(
    method: str,
    path: str,
    *,
    headers: dict[str, str] | None = None,
    body: str | None = None,
    base64_encoded: bool = False,
) -> dict[str, Any]:
    """An API Gateway HTTP API (payload format 2.0) event."""
    return {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": path,
        "rawQueryString": "",
        "headers": {"host": "api.example.com", **(headers or {})},
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "api",
            "domainName": "api.example.com",
            "domainPrefix": "api",
            "http": {
                "method": method,
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": "192.0.2.1",
                "userAgent": "test",
            },
            "requestId": "gw-req-7",
            "routeKey": "$default",
            "stage": "$default",
            "time": "25/Nov/2026:09:00:00 +0000",
            "timeEpoch": 1795594800000,
        },
        "body": body,
        "isBase64Encoded": base64_encoded,
    }


def test_the_http_handler_serves_api_gateway_events_in_a_fresh_interpreter() -> None:
    script = textwrap.dedent(
        """
        import json, sys
        from infra.lambda_http import handler
        from infra.tokens import mint_token
        events = json.load(sys.stdin)
        token = mint_token(events["secret"], "lambda-user")
        events["me"]["headers"]["authorization"] = "Bearer " + token
        print(json.dumps([handler(events["health"], None), handler(events["me"], None)]))
        """
    )
    events = {
        "secret": SECRET,
        "health": gateway_event("GET", "/health"),
        "me": gateway_event("GET", "/v1/me", headers={}),
    }
    env = {**os.environ, "FLOWLOGIC_PROFILE": "memory", "FLOWLOGIC_JWT_SECRET": SECRET}

    done = subprocess.run(  # noqa: S603 (our own interpreter and script)
        [sys.executable, "-c", script],
        input=json.dumps(events),
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
        check=True,
    )

    health, me = json.loads(done.stdout.strip().splitlines()[-1])
    assert (health["statusCode"], json.loads(health["body"])) == (200, {"status": "ok"})
    assert me["statusCode"] == 404
    assert me["isBase64Encoded"] is False
    assert me["headers"]["content-type"] == "application/problem+json"
    assert me["headers"]["x-request-id"] == "gw-req-7"
    assert json.loads(me["body"])["code"] == "NOT_FOUND"


@pytest.fixture
def webhook_module(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """infra.lambda_webhook, imported on the memory profile; its logging set-up undone after."""
    monkeypatch.setenv("FLOWLOGIC_PROFILE", "memory")
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    import infra.lambda_webhook as module

    yield module
    root.handlers[:] = handlers
    root.setLevel(level)


def _paid_deliveries(service: Service) -> list[tuple[bytes, str]]:
    """The simulator's signed events of one checkout, captured instead of delivered."""
    user = register(service, "lambda-payer", "payer@example.com")
    captured: list[tuple[bytes, str]] = []
    service.container.webhook_relay().target = lambda payload, sig: captured.append((payload, sig))
    body = {"tier": "basic", "success_url": "https://a.example/", "cancel_url": "https://a.b/"}
    checkout = expect(service.client.post("/v1/me/checkout", json=body, headers=user.headers), 201)
    confirmed = service.client.post(checkout["url"] + "/confirm", follow_redirects=False)
    assert confirmed.status_code == 303
    assert len(captured) == 2
    return captured


def test_the_webhook_handler_applies_a_signed_event(service: Service, webhook_module: Any) -> None:
    deliveries = _paid_deliveries(service)

    answers = [
        webhook_module.handle(
            service.container,
            gateway_event(
                "POST",
                "/v1/stripe/webhook",
                headers={"Stripe-Signature": signature, "content-type": "application/json"},
                body=payload.decode(),
            ),
        )
        for payload, signature in deliveries
    ]

    assert [answer["statusCode"] for answer in answers] == [200, 200]
    assert json.loads(answers[0]["body"])["outcome"] == "applied"
    profile = service.client.get("/v1/me", headers=service.headers("lambda-payer"))
    assert profile.json()["tier"] == "basic"


def test_the_webhook_handler_reads_base64_bodies(service: Service, webhook_module: Any) -> None:
    payload, signature = _paid_deliveries(service)[1]
    event = gateway_event(
        "POST",
        "/v1/stripe/webhook",
        headers={"stripe-signature": signature},
        body=base64.b64encode(payload).decode(),
        base64_encoded=True,
    )

    answer = webhook_module.handle(service.container, event)

    assert answer["statusCode"] == 200


@pytest.mark.parametrize("tamper", ["payload", "signature", "missing", "base64"])
def test_the_webhook_handler_refuses_what_does_not_verify(
    service: Service, webhook_module: Any, tamper: str
) -> None:
    payload, signature = _paid_deliveries(service)[1]
    headers = {"Stripe-Signature": signature}
    body = payload.decode()
    encoded = False
    if tamper == "payload":
        assert '"livemode": false' in body
        body = body.replace('"livemode": false', '"livemode": true', 1)
    elif tamper == "signature":
        headers["Stripe-Signature"] = signature[:-1] + ("0" if signature[-1] != "0" else "1")
    elif tamper == "missing":
        headers = {}
    else:
        body, encoded = "not base64!", True

    answer = webhook_module.handle(
        service.container,
        gateway_event(
            "POST", "/v1/stripe/webhook", headers=headers, body=body, base64_encoded=encoded
        ),
    )

    assert answer["statusCode"] == 400
    assert answer["headers"]["content-type"] == "application/problem+json"
    expected = "MALFORMED_REQUEST" if tamper == "base64" else "INVALID_SIGNATURE"
    assert json.loads(answer["body"])["code"] == expected
    profile = service.client.get("/v1/me", headers=service.headers("lambda-payer"))
    assert profile.json()["tier"] == "free"


def test_building_the_aws_app_imports_neither_stripe_nor_a_jwt_library() -> None:
    script = textwrap.dedent(
        """
        import json, sys
        from dependency_injector import providers
        from infra.container import create_container
        from infra.openapi import http_app
        container = create_container()
        container.storage.override(providers.Object("memory"))  # no AWS here
        http_app(container)
        heavy = ("stripe", "jwt", "cryptography", "uvicorn", "moto", "starlette.testclient")
        print(json.dumps([name for name in heavy if name in sys.modules]))
        """
    )
    env = {
        **os.environ,
        "FLOWLOGIC_PROFILE": "aws",
        "FLOWLOGIC_JWT_SECRET": SECRET,
        "STRIPE_API_KEY": "sk_test_not_used",
        "STRIPE_WEBHOOK_SECRET": "whsec_not_used",
    }

    done = subprocess.run(  # noqa: S603 (our own interpreter and script)
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
        check=True,
    )

    assert json.loads(done.stdout.strip().splitlines()[-1]) == []


def _adapter_types(component: Any) -> dict[str, type]:
    return {name: type(value) for name, value in vars(component).items()}


def test_the_aws_webhook_and_reminder_job_wire_the_adapters_the_container_wires(
    webhook_module: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import infra.lambda_init
    import infra.lambda_reminders as reminders
    from infra.container import create_container
    from infra.settings import Settings

    settings = Settings.model_validate(
        {"FLOWLOGIC_PROFILE": "aws", "STRIPE_WEBHOOK_SECRET": "whsec_wiring"}
    )
    container = create_container(settings)
    monkeypatch.setattr(infra.lambda_init, "start", lambda: settings)
    reminders._aws_job.cache_clear()

    lean = webhook_module.aws_apply_payment_event(settings)
    job = reminders._aws_job()
    reminders._aws_job.cache_clear()

    assert _adapter_types(lean) == _adapter_types(container.use_cases().apply_payment_event)
    wired = reminders.Job.of(container)
    assert [type(job.calendar), type(job.events), type(job.clock)] == [
        type(wired.calendar),
        type(wired.events),
        type(wired.clock),
    ]
    assert vars(job.events).keys() == vars(wired.events).keys()
