"""The whole journey of SPEC.md over HTTP: registration, assessments, an upgrade through the
Stripe simulator, a plan, the calendar, and a streak over two days; then export and erasure."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from starlette.testclient import TestClient

from tests.e2e.service import Service

SUB = "journey-user-1"
EMAIL = "ada@example.com"
WORKER = "analysis-worker"


def ok(response: Any, status: int = 200) -> Any:
    """The JSON body of a response that must have `status`."""
    assert response.status_code == status, response.text
    return response.json() if response.content else None


def complete_day(client: TestClient, headers: dict[str, str], day: date) -> dict[str, Any]:
    """Complete every task of `day`; returns the progress after the last one."""
    tasks = ok(client.get("/v1/me/calendar", params={"from": day.isoformat()}, headers=headers))
    assert tasks["tasks"], f"no tasks on {day}"
    progress: dict[str, Any] = {}
    for task in tasks["tasks"]:
        done = ok(
            client.put(
                f"/v1/me/calendar/{task['task_date']}/{task['task_id']}",
                json={"completed": True},
                headers=headers,
            )
        )
        assert done["task"]["completed"] is True
        progress = done["progress"]
    return progress


def test_a_user_goes_from_registration_to_a_two_day_streak(service: Service) -> None:
    client = service.client
    me = service.headers(SUB, EMAIL)
    worker = service.headers(WORKER, groups=["worker"])

    assert ok(client.get("/health")) == {"status": "ok"}
    assert [t["test_id"] for t in ok(client.get("/v1/tests"))] == list(range(1, 16))

    # Registration is idempotent, and the profile starts free without the disclaimer.
    created = ok(client.put("/v1/me", json={"email": " Ada@Example.com "}, headers=me), 201)
    assert (created["user_id"], created["email"], created["tier"]) == (SUB, EMAIL, "free")
    assert created["wellness_disclaimer_accepted"] is False
    ok(client.put("/v1/me", json={"email": EMAIL, "timezone": "UTC"}, headers=me), 200)
    assert ok(client.post("/v1/me/login", headers=me))["last_login_at"] is not None

    refused = client.post("/v1/me/assessments", json={"test_id": 1}, headers=me)
    assert (refused.status_code, refused.json()["code"]) == (403, "DISCLAIMER_REQUIRED")
    accepted = ok(client.post("/v1/me/disclaimer", headers=me))
    assert accepted["wellness_disclaimer_accepted_at"] is not None

    # Two tests filmed and analysed: limited ankle on the squat, significant on the shoulder.
    verdicts = {
        1: {"score": "limited", "confidence": 0.9, "problem_areas": ["ankle"]},
        6: {"score": "significant", "confidence": 0.8, "problem_areas": ["thoracic_spine"]},
    }
    for test_id, verdict in verdicts.items():
        service.clock.set(service.clock.now() + timedelta(minutes=1))
        started = ok(client.post("/v1/me/assessments", json={"test_id": test_id}, headers=me), 201)
        assert started["status"] == "processing"
        assert started["upload_url"].startswith("https://")
        path = f"/v1/worker/assessments/{SUB}/{started['assessment_id']}/result"
        report = {
            "quality_score": 0.9,
            "confidence_avg": 0.9,
            "motion_variance": 0.3,
            "result": {**verdict, "normalized_output": {"frames": 240}},
        }
        assert ok(client.post(path, json=report, headers=worker))["status"] == "completed"
    listed = ok(client.get("/v1/me/assessments", headers=me))
    assert [a["test_id"] for a in listed["items"]] == [6, 1]
    limits = ok(client.get("/v1/me/limits", headers=me))
    assert (limits["video_quota_used_daily"], limits["video_quota_day"]) == (2, 9)

    # Plans need a paid tier: upgrade to pro through the (simulated) Stripe Checkout.
    refused = client.post("/v1/me/plans", headers=me)
    assert (refused.status_code, refused.json()["code"]) == (403, "TIER_REQUIRED")
    checkout = ok(
        client.post(
            "/v1/me/checkout",
            json={
                "tier": "pro",
                "success_url": "https://app.example/done",
                "cancel_url": "https://app.example/cancel",
            },
            headers=me,
        ),
        201,
    )
    page = client.get(checkout["url"])
    assert page.status_code == 200
    assert "Confirm" in page.text
    confirmed = client.post(checkout["url"] + "/confirm", follow_redirects=False)
    assert confirmed.status_code == 303
    assert ok(client.get("/v1/me", headers=me))["tier"] == "pro"
    (subscription,) = ok(client.get("/v1/me/subscriptions", headers=me))
    assert (subscription["tier"], subscription["status"]) == ("pro", "active")
    assert ok(client.get("/v1/me/limits", headers=me))["video_quota_day"] == 21

    # The plan: thoracic spine weighs 2 and causes nothing flagged; ankle is a root cause too.
    plan = ok(client.post("/v1/me/plans", headers=me), 201)
    assert plan["version"] == 1
    assert plan["is_active"] is True
    assert sorted(plan["based_on_tests"]) == [1, 6]
    assert plan["problem_areas"]["p1"] == ["thoracic_spine", "ankle"]
    assert ok(client.get("/v1/me/plans/active", headers=me))["plan_id"] == plan["plan_id"]

    # Two weeks of exercises from today; completing today's starts a streak.
    today = service.clock.now().date()
    scheduled = ok(client.post("/v1/me/calendar", json={}, headers=me), 201)
    dates = {task["task_date"] for task in scheduled["tasks"]}
    assert min(dates) == today.isoformat()
    assert max(dates) == (today + timedelta(days=13)).isoformat()
    first = complete_day(client, me, today)
    assert (first["completion_percentage"], first["streak"], first["streak_points"]) == (100, 1, 2)

    # The next day, in the user's time zone, the streak grows.
    service.clock.set(service.clock.now() + timedelta(days=1))
    tomorrow = today + timedelta(days=1)
    second = complete_day(client, me, tomorrow)
    assert second["streak"] == 2
    report = ok(
        client.get(
            "/v1/me/progress",
            params={"from": today.isoformat(), "to": tomorrow.isoformat()},
            headers=me,
        )
    )
    assert (report["current_streak"], report["best_streak"]) == (2, 2)
    assert [day["date"] for day in report["days"]] == [today.isoformat(), tomorrow.isoformat()]
    top = ok(client.get("/v1/me/streaks/top", params={"limit": 5}, headers=me))
    assert [day["streak"] for day in top] == [2, 1]

    # Cancelling keeps access to the period's end; export holds it all; erasure removes it.
    (cancelled,) = ok(client.post("/v1/me/subscription/cancel", headers=me))
    assert cancelled["cancel_at_period_end"] is True
    assert ok(client.get("/v1/me", headers=me))["tier"] == "pro"
    exported = ok(client.get("/v1/me/export", headers=me))
    assert {"users", "assessments", "plans", "calendar-tasks", "progress"} <= set(exported)
    assert len(exported["assessments"]) == 2
    ok(client.delete("/v1/me", headers=me), 204)
    gone = client.get("/v1/me", headers=me)
    assert (gone.status_code, gone.json()["code"]) == (404, "NOT_FOUND")
