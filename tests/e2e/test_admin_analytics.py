"""Admin analytics over HTTP: users start attempts, the worker finishes some, an admin reads
the month's counts per test and status; everyone else is refused (API.md, decision 083)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tests.e2e.service import Service
from tests.e2e.users import WORKER_SUB, SeededUser, expect, register

ANALYTICS = "/v1/admin/analytics/assessments"
MID_MONTH = datetime(2026, 11, 10, 9, 0, tzinfo=UTC)
LAST_SECOND = datetime(2026, 11, 30, 23, 59, 59, tzinfo=UTC)


def start(service: Service, user: SeededUser, test_id: int) -> str:
    """Start an attempt a second after the previous one; its id."""
    service.clock.advance(timedelta(seconds=1))
    started = expect(
        service.client.post("/v1/me/assessments", json={"test_id": test_id}, headers=user.headers),
        201,
    )
    assessment_id: str = started["assessment_id"]
    return assessment_id


def report(service: Service, user: SeededUser, assessment_id: str, quality: float) -> str:
    """The worker's analysis of the attempt; the status it leaves."""
    body = {
        "quality_score": quality,
        "confidence_avg": 0.9,
        "motion_variance": 0.5,
        "result": {"score": "pass", "confidence": 0.9, "problem_areas": []},
    }
    path = f"/v1/worker/assessments/{user.sub}/{assessment_id}/result"
    done = expect(service.client.post(path, json=body, headers=worker(service)), 200)
    status: str = done["status"]
    return status


def fail(service: Service, user: SeededUser, assessment_id: str) -> None:
    path = f"/v1/worker/assessments/{user.sub}/{assessment_id}/failure"
    body = {"feedback": "the analysis crashed"}
    assert expect(service.client.post(path, json=body, headers=worker(service)), 200)["status"] == (
        "failed"
    )


def worker(service: Service) -> dict[str, str]:
    return service.headers(WORKER_SUB, groups=["worker"])


def admin(service: Service) -> dict[str, str]:
    return service.headers("analytics-admin", groups=["admin"])


def counts_by_test(body: dict[str, Any]) -> dict[int, dict[str, int]]:
    """The non-zero rows of an analytics answer, after checking every row adds up."""
    rows = body["tests"]
    assert [row["test_id"] for row in rows] == list(range(1, 16))
    for row in rows:
        assert row["total"] == sum(row["counts"].values())
    assert body["total"] == sum(row["total"] for row in rows)
    return {row["test_id"]: row["counts"] for row in rows if row["total"]}


def counts(processing: int = 0, completed: int = 0, failed: int = 0, invalid: int = 0) -> Any:
    return {"processing": processing, "completed": completed, "failed": failed, "invalid": invalid}


def test_an_admin_reads_a_months_attempts_per_test_and_status(service: Service) -> None:
    service.clock.set(MID_MONTH)
    ada = register(service, "analytics-ada", "ada@example.com")
    bob = register(service, "analytics-bob", "bob@example.com")
    assert report(service, ada, start(service, ada, 1), quality=0.9) == "completed"
    fail(service, ada, start(service, ada, 1))
    start(service, ada, 2)  # left processing
    assert report(service, bob, start(service, bob, 1), quality=0.05) == "invalid"
    service.clock.set(LAST_SECOND - timedelta(seconds=1))
    start(service, bob, 4)  # the month's very last second still counts
    start(service, bob, 3)  # the first second of December

    november = expect(
        service.client.get(ANALYTICS, params={"month": "2026-11"}, headers=admin(service)), 200
    )
    december = expect(
        service.client.get(ANALYTICS, params={"month": "2026-12"}, headers=admin(service)), 200
    )
    october = expect(
        service.client.get(ANALYTICS, params={"month": "2026-10"}, headers=admin(service)), 200
    )

    assert november["month"] == "2026-11"
    assert counts_by_test(november) == {
        1: counts(completed=1, failed=1, invalid=1),
        2: counts(processing=1),
        4: counts(processing=1),
    }
    assert november["total"] == 5
    assert counts_by_test(december) == {3: counts(processing=1)}
    assert counts_by_test(october) == {}
    assert october["total"] == 0


def test_analytics_are_for_the_admin_group_only(service: Service) -> None:
    ada = register(service, "analytics-ada", "ada@example.com")
    params = {"month": "2026-11"}
    for headers in (ada.headers, worker(service)):
        refused = service.client.get(ANALYTICS, params=params, headers=headers)
        assert (refused.status_code, refused.json()["code"]) == (403, "FORBIDDEN")
        assert refused.headers["content-type"] == "application/problem+json"
    anonymous = service.client.get(ANALYTICS, params=params)
    assert (anonymous.status_code, anonymous.json()["code"]) == (401, "UNAUTHENTICATED")
    # The group is checked before the query: a bad month from a non-admin is still 403.
    odd = service.client.get(ANALYTICS, params={"month": "2026-13"}, headers=ada.headers)
    assert odd.status_code == 403


BAD_MONTHS = ["2026-13", "2026-00", "2026-1", "november", "2026-11-01", "２０２６-11", ""]


def test_a_month_that_is_not_yyyy_mm_is_a_validation_error(service: Service) -> None:
    for query in [*({"month": month} for month in BAD_MONTHS), {}]:
        refused = service.client.get(ANALYTICS, params=query, headers=admin(service))
        assert (refused.status_code, refused.json()["code"]) == (422, "VALIDATION_ERROR"), query
