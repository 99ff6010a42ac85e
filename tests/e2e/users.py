"""Users set up over HTTP, step by step as a client would: for tests that need one ready."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from tests.e2e.service import Service

WORKER_SUB = "test-worker"


def expect(response: Any, status: int) -> Any:
    """The JSON body of a response that must have `status` (None when it has no body)."""
    assert response.status_code == status, f"{response.status_code}: {response.text}"
    return response.json() if response.content else None


@dataclass
class SeededUser:
    """A registered pro user with completed results, an active plan and a scheduled calendar."""

    sub: str
    email: str
    headers: dict[str, str]
    assessment_ids: list[str] = field(default_factory=list)
    plan_id: str = ""
    tasks: list[dict[str, Any]] = field(default_factory=list)
    subscription_id: str = ""

    def identifiers(self) -> list[str]:
        """Every id of this user's data that another caller must never see."""
        ids = [self.sub, self.email, self.plan_id, self.subscription_id, *self.assessment_ids]
        return [value for value in ids + [t["task_id"] for t in self.tasks] if value]


def register(service: Service, sub: str, email: str, groups: Sequence[str] = ()) -> SeededUser:
    """A new free user who accepted the disclaimer."""
    user = SeededUser(sub, email, service.headers(sub, email, groups))
    expect(service.client.put("/v1/me", json={"email": email}, headers=user.headers), 201)
    expect(service.client.post("/v1/me/disclaimer", headers=user.headers), 200)
    return user


def assess(service: Service, user: SeededUser, test_id: int, areas: Sequence[str]) -> str:
    """Start an attempt of `test_id` and have the worker complete it as `limited` on `areas`."""
    service.clock.set(service.clock.now() + timedelta(seconds=1))  # distinct start times
    started = expect(
        service.client.post("/v1/me/assessments", json={"test_id": test_id}, headers=user.headers),
        201,
    )
    report = {
        "quality_score": 0.9,
        "confidence_avg": 0.9,
        "motion_variance": 0.5,
        "result": {"score": "limited", "confidence": 0.9, "problem_areas": list(areas)},
    }
    path = f"/v1/worker/assessments/{user.sub}/{started['assessment_id']}/result"
    expect(
        service.client.post(
            path, json=report, headers=service.headers(WORKER_SUB, groups=["worker"])
        ),
        200,
    )
    user.assessment_ids.append(started["assessment_id"])
    assessment_id: str = started["assessment_id"]
    return assessment_id


def upgrade(service: Service, user: SeededUser, tier: str = "pro") -> None:
    """Pay for `tier` on the simulator's checkout page."""
    body = {"tier": tier, "success_url": "https://a.example/ok", "cancel_url": "https://a.example/"}
    checkout = expect(service.client.post("/v1/me/checkout", json=body, headers=user.headers), 201)
    confirmed = service.client.post(checkout["url"] + "/confirm", follow_redirects=False)
    assert confirmed.status_code == 303, confirmed.text
    subscriptions = expect(service.client.get("/v1/me/subscriptions", headers=user.headers), 200)
    user.subscription_id = subscriptions[0]["subscription_id"]


def seeded(service: Service, sub: str, email: str, groups: Sequence[str] = ()) -> SeededUser:
    """A pro user with two results, a plan, a week of tasks and today's first task done."""
    user = register(service, sub, email, groups)
    assess(service, user, 1, ["ankle"])
    assess(service, user, 2, ["core"])
    upgrade(service, user)
    user.plan_id = expect(service.client.post("/v1/me/plans", headers=user.headers), 201)["plan_id"]
    scheduled = expect(
        service.client.post("/v1/me/calendar", json={"days": 7}, headers=user.headers), 201
    )
    user.tasks = scheduled["tasks"]
    first = user.tasks[0]
    expect(
        service.client.put(
            f"/v1/me/calendar/{first['task_date']}/{first['task_id']}",
            json={"completed": True},
            headers=user.headers,
        ),
        200,
    )
    return user
