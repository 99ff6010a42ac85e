"""Paying changes the tier, and the end of a cancelled period takes it back, all over HTTP and
through the offline Stripe simulator's signed webhooks (issue: Stripe sync)."""

from __future__ import annotations

from typing import Any

from starlette.testclient import TestClient

from tests.e2e.service import Service

SUB = "upgrade-user-1"
EMAIL = "grace@example.com"
SIMULATOR_KEY = {"Authorization": "Bearer sk_test_flowlogic_local_simulator"}


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def _upgrade(client: TestClient, me: dict[str, str], tier: str) -> None:
    checkout = ok(
        client.post(
            "/v1/me/checkout",
            json={
                "tier": tier,
                "success_url": "https://a.example/ok",
                "cancel_url": "https://a.example/no",
            },
            headers=me,
        ),
        201,
    )
    ok_redirect = client.post(checkout["url"] + "/confirm", follow_redirects=False)
    assert ok_redirect.status_code == 303


def _limits(client: TestClient, me: dict[str, str]) -> tuple[str, int, int]:
    limits = ok(client.get("/v1/me/limits", headers=me))
    return limits["plan"], limits["video_quota_day"], limits["test_quota_month"]


def test_a_user_upgrades_to_pro_cancels_and_is_free_again_when_the_period_ends(
    service: Service,
) -> None:
    client, me = service.client, service.headers(SUB, EMAIL)
    ok(client.put("/v1/me", json={"email": EMAIL}, headers=me), 201)
    assert _limits(client, me) == ("free", 9, 3)

    _upgrade(client, me, "pro")
    assert ok(client.get("/v1/me", headers=me))["tier"] == "pro"
    assert _limits(client, me) == ("pro", 21, 7)

    (cancelled,) = ok(client.post("/v1/me/subscription/cancel", headers=me))
    assert cancelled["cancel_at_period_end"] is True
    assert ok(client.get("/v1/me", headers=me))["tier"] == "pro"  # paid until the period ends

    ended = client.post(
        f"/stripe-sim/v1/test_helpers/subscriptions/{cancelled['subscription_id']}/advance_period",
        headers=SIMULATOR_KEY,
    )
    assert ended.status_code == 200, ended.text
    assert ok(client.get("/v1/me", headers=me))["tier"] == "free"
    assert _limits(client, me) == ("free", 9, 3)
    (subscription,) = ok(client.get("/v1/me/subscriptions", headers=me))
    assert subscription["status"] in {"canceled", "expired"}
    refused = client.post("/v1/me/plans", headers=me)
    assert (refused.status_code, refused.json()["code"]) == (403, "TIER_REQUIRED")


def test_a_failed_renewal_keeps_the_tier_while_past_due(service: Service) -> None:
    client, me = service.client, service.headers(SUB, EMAIL)
    ok(client.put("/v1/me", json={"email": EMAIL}, headers=me), 201)
    _upgrade(client, me, "basic")
    (subscription,) = ok(client.get("/v1/me/subscriptions", headers=me))

    failed = client.post(
        f"/stripe-sim/v1/test_helpers/subscriptions/{subscription['subscription_id']}/fail_payment",
        headers=SIMULATOR_KEY,
    )

    assert failed.status_code == 200, failed.text
    (past_due,) = ok(client.get("/v1/me/subscriptions", headers=me))
    assert past_due["status"] == "past_due"
    assert ok(client.get("/v1/me", headers=me))["tier"] == "basic"


def test_a_tampered_webhook_changes_nothing(service: Service) -> None:
    client, me = service.client, service.headers(SUB, EMAIL)
    ok(client.put("/v1/me", json={"email": EMAIL}, headers=me), 201)
    body = (
        b'{"id": "evt_forged", "object": "event", "type": "customer.subscription.created", '
        b'"created": 1, "data": {"object": {}}}'
    )

    for signature in (None, "t=1,v1=deadbeef", "garbage"):
        headers = {"Content-Type": "application/json"}
        if signature is not None:
            headers["Stripe-Signature"] = signature
        answer = client.post("/v1/stripe/webhook", content=body, headers=headers)
        assert answer.status_code == 400
        assert answer.headers["content-type"].startswith("application/problem+json")

    assert ok(client.get("/v1/me", headers=me))["tier"] == "free"
    assert ok(client.get("/v1/me/subscriptions", headers=me)) == []
