"""Every protected route refuses a missing, expired, tampered or wrongly signed token with 401,
and worker and admin routes refuse callers without their group with 403."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from mangum import Mangum
from mangum.adapter import DEFAULT_TEXT_MIME_TYPES

from adapters.http.app import create_app
from adapters.http.auth import api_gateway_authenticator
from infra.openapi import cursor_secret
from infra.tokens import mint_token
from tests.e2e.service import SECRET, Service, settings_for
from tests.unit.http.conftest import concrete, operations

SUB = "caller-1"
PROTECTED = operations(secured=True)
PUBLIC = operations(secured=False)
NO_CONTEXT: Any = None  # Lambda's context object; the app never reads it


def _claims(**changes: Any) -> dict[str, Any]:
    now = int(time.time())
    claims: dict[str, Any] = {"sub": SUB, "iat": now, "exp": now + 600, "cognito:groups": []}
    claims.update(changes)
    return claims


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _tampered_payload() -> str:
    header, _, signature = mint_token(SECRET, SUB).split(".")
    return ".".join((header, _b64(_claims(sub="someone-else")), signature))


def _tampered_signature() -> str:
    token = mint_token(SECRET, SUB)
    last = token[-2]
    return token[:-2] + ("A" if last != "A" else "B") + token[-1]


def _rs256() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return jwt.encode(_claims(), key, algorithm="RS256")


BAD_AUTHORIZATION: dict[str, Callable[[], str | None]] = {
    "missing": lambda: None,
    "expired": lambda: "Bearer " + mint_token(SECRET, SUB, now=time.time() - 7200),
    "tampered payload": lambda: "Bearer " + _tampered_payload(),
    "tampered signature": lambda: "Bearer " + _tampered_signature(),
    "wrong secret": lambda: "Bearer " + mint_token("another-secret-of-enough-length!!!", SUB),
    "HS512": lambda: "Bearer " + jwt.encode(_claims(), SECRET, algorithm="HS512"),
    "alg none": lambda: "Bearer " + jwt.encode(_claims(), "", algorithm="none"),
    "RS256": lambda: "Bearer " + _rs256(),
    "no sub": lambda: "Bearer " + jwt.encode(_claims(sub=None), SECRET, algorithm="HS256"),
    # a subject spelling a storage key (decision 121)
    "key-spelling sub": lambda: "Bearer " + mint_token(SECRET, "EMAIL#ada@example.com"),
    "no exp": lambda: (
        "Bearer "
        + jwt.encode({k: v for k, v in _claims().items() if k != "exp"}, SECRET, algorithm="HS256")
    ),
    "not a JWT": lambda: "Bearer not-a-token",
    "basic scheme": lambda: "Basic " + base64.b64encode(b"user:password").decode(),
}


@pytest.mark.parametrize("kind", sorted(BAD_AUTHORIZATION))
def test_every_protected_route_answers_401_to_a_bad_token(service: Service, kind: str) -> None:
    authorization = BAD_AUTHORIZATION[kind]()
    headers = {} if authorization is None else {"Authorization": authorization}
    for method, path in PROTECTED:
        response = service.client.request(method, concrete(path), headers=headers)
        assert response.status_code == 401, (kind, method, path, response.text)
        assert response.headers["content-type"] == "application/problem+json"
        assert response.headers["www-authenticate"].startswith("Bearer")
        assert response.json()["code"] == "UNAUTHENTICATED"


def test_the_public_routes_are_the_catalog_health_and_the_stripe_webhook() -> None:
    assert PUBLIC == [("GET", "/health"), ("GET", "/v1/tests"), ("POST", "/v1/stripe/webhook")]


def test_a_valid_token_passes_authentication_on_every_protected_route(service: Service) -> None:
    headers = service.headers(SUB, groups=["worker", "admin"])
    for method, path in PROTECTED:
        response = service.client.request(method, concrete(path), headers=headers)
        assert response.status_code != 401, (method, path, response.text)


@pytest.mark.parametrize(
    ("groups", "prefix"),
    [
        ((), "/v1/worker/"),
        ((), "/v1/admin/"),
        (("admin",), "/v1/worker/"),
        (("worker",), "/v1/admin/"),
        (("workers", "Admin"), "/v1/admin/"),
    ],
)
def test_worker_and_admin_routes_need_their_own_group(
    service: Service, groups: tuple[str, ...], prefix: str
) -> None:
    headers = service.headers(SUB, groups=groups)
    guarded = [(m, p) for m, p in PROTECTED if p.startswith(prefix)]
    assert guarded
    for method, path in guarded:
        response = service.client.request(method, concrete(path), headers=headers)
        assert response.status_code == 403, (method, path, response.text)
        assert response.json()["code"] == "FORBIDDEN"


def test_the_group_opens_its_routes(service: Service) -> None:
    worker = service.headers("w", groups=["worker"])
    admin = service.headers("a", groups=["admin"])
    path = concrete("/v1/worker/assessments/{user_id}/{assessment_id}/failure")
    found = service.client.post(path, json={"feedback": "crashed"}, headers=worker)
    assert (found.status_code, found.json()["code"]) == (404, "NOT_FOUND")
    unban = service.client.delete(concrete("/v1/admin/users/{user_id}/ban"), headers=admin)
    assert (unban.status_code, unban.json()["code"]) == (404, "NOT_FOUND")


def _gateway_event(path: str, claims: dict[str, Any] | None, method: str = "GET") -> dict[str, Any]:
    context: dict[str, Any] = {
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
        "requestId": "gw-request-1",
        "routeKey": "$default",
        "stage": "$default",
        "time": "25/Nov/2026:09:00:00 +0000",
        "timeEpoch": 1795594800000,
    }
    if claims is not None:
        context["authorizer"] = {"jwt": {"claims": claims, "scopes": None}}
    return {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": path,
        "rawQueryString": "",
        "headers": {"host": "api.example.com"},
        "requestContext": context,
        "isBase64Encoded": False,
    }


def _behind_api_gateway(service: Service) -> Mangum:
    app = create_app(
        service.container.use_cases(),
        api_gateway_authenticator(),
        service.container.payments().parse_event,
        cursor_secret(settings_for("memory")),
    )
    # As infra/lambda_http.py configures it: problem documents are text.
    return Mangum(app, lifespan="off", text_mime_types=[*DEFAULT_TEXT_MIME_TYPES, "+json"])


def test_behind_api_gateway_the_authorizer_claims_name_the_caller(service: Service) -> None:
    handler = _behind_api_gateway(service)
    claims = {"sub": SUB, "email": "ada@example.com", "cognito:groups": "[worker admin]"}

    profile = handler(_gateway_event("/v1/me", claims), NO_CONTEXT)
    failure = handler(
        _gateway_event(concrete("/v1/admin/users/{user_id}/ban"), claims, "DELETE"), NO_CONTEXT
    )

    assert profile["statusCode"] == 404  # authenticated, not registered yet
    assert profile["headers"]["x-request-id"] == "gw-request-1"
    assert failure["statusCode"] == 404  # the flattened groups claim opened the admin route


def test_behind_api_gateway_a_request_without_claims_is_401(service: Service) -> None:
    handler = _behind_api_gateway(service)

    response = handler(_gateway_event("/v1/me", None), NO_CONTEXT)

    assert response["statusCode"] == 401
    assert json.loads(response["body"])["code"] == "UNAUTHENTICATED"


def test_the_aws_gateway_never_accepts_webhooks_signed_with_the_development_secret() -> None:
    import stripe

    from domain.errors import InvalidSignature
    from infra.settings import DEV_STRIPE_WEBHOOK_SECRET, Settings
    from infra.stripe_local import real_gateway

    gateway = real_gateway(Settings.model_validate({"FLOWLOGIC_PROFILE": "aws"}))
    payload = b'{"id": "evt_1", "object": "event", "type": "ping", "created": 1, "data": {}}'
    header = stripe.WebhookSignature.generate_signature_header(
        payload.decode(), DEV_STRIPE_WEBHOOK_SECRET, int(time.time())
    )

    with pytest.raises(InvalidSignature):
        gateway.parse_event(payload, header)
