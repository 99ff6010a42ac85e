"""Errors leave as problem+json with the stable code and the status the contract names."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import pytest
from dependency_injector import providers
from starlette.testclient import TestClient

from adapters.http.problems import PROBLEM_JSON, STATUS_OF_CODE, problem_of, seconds_until
from domain import errors as domain_errors
from domain.errors import (
    Banned,
    ConcurrentModification,
    DomainError,
    HourlyQuotaExceeded,
    QuotaExceeded,
    ValidationFailed,
)
from infra.openapi import http_app
from ports.errors import InvalidCursor, StorageUnavailable
from tests.e2e.service import Service, running
from tests.e2e.users import register

NOW = datetime(2026, 11, 25, 9, 0, 30, tzinfo=UTC)

# The outside contract (docs/rules.md), code by code.
CONTRACT: dict[str, int] = {
    "INVALID_SIGNATURE": 400,
    "FORBIDDEN": 403,
    "TIER_REQUIRED": 403,
    "DISCLAIMER_REQUIRED": 403,
    "BANNED": 403,
    "NOT_FOUND": 404,
    "EMAIL_TAKEN": 409,
    "ALREADY_REGISTERED": 409,
    "INVALID_TRANSITION": 409,
    "CONFLICT": 409,
    "VALIDATION_ERROR": 422,
    "INVALID_EMAIL": 422,
    "NO_ASSESSMENTS": 422,
    "FUTURE_TASK": 422,
    "TOO_LATE": 422,
    "QUOTA_HOURLY": 429,
    "QUOTA_DAILY": 429,
    "QUOTA_MONTHLY_TESTS": 429,
    "ATTEMPTS_PER_TEST": 429,
    "STORAGE_UNAVAILABLE": 503,
    "PAYMENT_PROVIDER_ERROR": 502,
}


def _domain_error_classes() -> list[type[DomainError]]:
    found = [
        value
        for value in vars(domain_errors).values()
        if isinstance(value, type) and issubclass(value, DomainError)
    ]
    return [*found, StorageUnavailable, InvalidCursor]


def _instance(cls: type[DomainError]) -> DomainError:
    if issubclass(cls, QuotaExceeded):
        return cls(NOW + timedelta(minutes=10))
    if issubclass(cls, Banned):
        return cls(NOW + timedelta(hours=24), "VIDEO_ABUSE")
    return cls("what went wrong")


@pytest.mark.parametrize("code", sorted(CONTRACT))
def test_each_code_of_the_contract_has_its_status(code: str) -> None:
    assert STATUS_OF_CODE[code] == CONTRACT[code]


@pytest.mark.parametrize("cls", _domain_error_classes(), ids=lambda cls: cls.__name__)
def test_every_domain_error_becomes_a_problem_with_its_code(cls: type[DomainError]) -> None:
    error = _instance(cls)

    found = problem_of(error, NOW)

    assert found.status == CONTRACT.get(error.code, 422)
    assert found.body["code"] == error.code
    assert found.body["status"] == found.status
    assert found.body["detail"] == error.detail
    assert found.body["type"].startswith("urn:flowlogic:problem:")


def test_an_unknown_subclass_takes_the_status_of_its_nearest_known_ancestor() -> None:
    class NewRule(ValidationFailed):
        code = "SOME_NEW_RULE"

    assert problem_of(NewRule("x"), NOW).status == 422


def test_a_quota_answer_says_when_to_retry_and_when_it_resets() -> None:
    found = problem_of(HourlyQuotaExceeded(datetime(2026, 11, 25, 10, tzinfo=UTC)), NOW)

    assert found.status == 429
    assert found.headers["Retry-After"] == "3570"
    assert found.body["resets_at"] == "2026-11-25T10:00:00.000Z"


def test_retry_after_rounds_up_and_is_never_below_one_second() -> None:
    assert seconds_until(NOW + timedelta(milliseconds=1), NOW) == 1
    assert seconds_until(NOW + timedelta(seconds=2, milliseconds=1), NOW) == 3
    assert seconds_until(NOW - timedelta(seconds=5), NOW) == 1


def test_a_ban_answer_carries_its_end() -> None:
    found = problem_of(Banned(NOW + timedelta(hours=24), "VIDEO_ABUSE"), NOW)

    assert (found.status, found.body["ban_until"]) == (403, "2026-11-26T09:00:30.000Z")


def test_unavailable_storage_and_lost_races_invite_a_retry() -> None:
    assert problem_of(StorageUnavailable("throttled"), NOW).headers["Retry-After"] == "5"
    assert problem_of(ConcurrentModification("lost"), NOW).headers["Retry-After"] == "1"


class Raising:
    """A use case that fails with a given error."""

    def __init__(self, error: Exception) -> None:
        self.error = error

    def execute(self, request: Any) -> Any:
        raise self.error


@pytest.fixture
def broken(request: pytest.FixtureRequest) -> Iterator[tuple[TestClient, dict[str, str]]]:
    """A client of an app whose GET /v1/me raises the parametrized error, and caller headers."""
    with running("memory") as service:
        use_cases = dataclasses.replace(
            service.container.use_cases(), get_profile=cast(Any, Raising(request.param))
        )
        service.container.use_cases.override(providers.Object(use_cases))
        app = http_app(service.container)
        with TestClient(app, raise_server_exceptions=False) as client:
            yield client, service.headers("someone")


@pytest.mark.parametrize(
    ("broken", "status", "code"),
    [
        (StorageUnavailable("throttled"), 503, "STORAGE_UNAVAILABLE"),
        (ConcurrentModification("lost"), 409, "CONFLICT"),
        (RuntimeError("a bug"), 500, "INTERNAL_ERROR"),
    ],
    indirect=["broken"],
)
def test_failures_behind_a_route_are_problems_too(
    broken: tuple[TestClient, dict[str, str]], status: int, code: str
) -> None:
    client, headers = broken

    response = client.get("/v1/me", headers=headers)

    assert response.status_code == status
    assert response.headers["content-type"] == PROBLEM_JSON
    assert response.json()["code"] == code


def test_malformed_json_is_400(service: Service) -> None:
    response = service.client.put(
        "/v1/me",
        content=b'{"email": ',
        headers={**service.headers("u"), "Content-Type": "application/json"},
    )

    assert (response.status_code, response.json()["code"]) == (400, "MALFORMED_REQUEST")


def test_a_body_off_the_schema_is_422_naming_the_field_without_echoing_it(
    service: Service,
) -> None:
    response = service.client.put(
        "/v1/me", json={"email": "a@example.com", "tier": "proplus"}, headers=service.headers("u")
    )

    body = response.json()
    assert (response.status_code, body["code"]) == (422, "VALIDATION_ERROR")
    assert body["errors"][0]["loc"] == ["body", "tier"]
    assert "proplus" not in response.text


@pytest.mark.parametrize(
    "payload",
    [
        {"test_id": "1"},  # strict: no string for a number
        {"test_id": 1.0},
        {"test_id": True},
        {"test_id": 0},
        {"test_id": 16},
        {"test_id": 1, "extra": 1},
    ],
)
def test_bodies_are_strict_and_bounded(service: Service, payload: dict[str, Any]) -> None:
    user = register(service, "strict-user", "strict@example.com")

    response = service.client.post("/v1/me/assessments", json=payload, headers=user.headers)

    assert (response.status_code, response.json()["code"]) == (422, "VALIDATION_ERROR")


@pytest.mark.parametrize(
    "until",
    ["2030-01-01T00:00:00", "2030-01-01", "tomorrow", 1893456000, "2030-13-01T00:00:00Z"],
)
def test_a_ban_end_must_be_an_iso_time_with_an_offset(service: Service, until: Any) -> None:
    response = service.client.put(
        "/v1/admin/users/someone/ban",
        json={"until": until, "reason": "abuse"},
        headers=service.headers("admin", groups=["admin"]),
    )

    assert (response.status_code, response.json()["code"]) == (422, "VALIDATION_ERROR")


@pytest.mark.parametrize("day", ["2026-1-01", "20260101", "2026-02-30", "1700000000"])
def test_dates_are_yyyy_mm_dd_only(service: Service, day: str) -> None:
    response = service.client.get(
        "/v1/me/calendar", params={"from": day}, headers=service.headers("u")
    )

    assert (response.status_code, response.json()["code"]) == (422, "VALIDATION_ERROR")


def test_an_attempt_over_the_limit_is_429_with_retry_after(service: Service) -> None:
    user = register(service, "eager-user", "eager@example.com")
    for _ in range(3):
        started = service.client.post(
            "/v1/me/assessments", json={"test_id": 4}, headers=user.headers
        )
        assert started.status_code == 201

    refused = service.client.post("/v1/me/assessments", json={"test_id": 4}, headers=user.headers)

    body = refused.json()
    assert (refused.status_code, body["code"]) == (429, "ATTEMPTS_PER_TEST")
    resets_at = datetime.fromisoformat(body["resets_at"].replace("Z", "+00:00"))
    expected = max(1, -int(-(resets_at - service.clock.now()).total_seconds() // 1))
    assert int(refused.headers["Retry-After"]) == expected


def test_a_banned_user_is_403_with_the_ban_end(service: Service) -> None:
    user = register(service, "banned-user", "banned@example.com")
    until = (service.clock.now() + timedelta(days=2)).isoformat()
    admin = service.headers("admin", groups=["admin"])
    banned = service.client.put(
        "/v1/admin/users/banned-user/ban", json={"until": until, "reason": "spam"}, headers=admin
    )
    assert banned.status_code == 200

    refused = service.client.post("/v1/me/assessments", json={"test_id": 1}, headers=user.headers)

    assert (refused.status_code, refused.json()["code"]) == (403, "BANNED")
    assert refused.json()["ban_until"].startswith(until[:19])


def test_unknown_routes_and_methods_are_problems(service: Service) -> None:
    missing = service.client.get("/v1/nothing-here")
    wrong = service.client.patch("/v1/me")

    assert (missing.status_code, missing.json()["code"]) == (404, "NOT_FOUND")
    assert (wrong.status_code, wrong.json()["code"]) == (405, "METHOD_NOT_ALLOWED")
    assert wrong.headers["content-type"] == PROBLEM_JSON


def test_a_body_over_the_limit_is_413_before_anything_reads_it(service: Service) -> None:
    big = json.dumps({"feedback": "x" * 300_000})

    response = service.client.post(
        "/v1/worker/assessments/u/a/failure",
        content=big,
        headers={**service.headers("w", groups=["worker"]), "Content-Type": "application/json"},
    )

    assert (response.status_code, response.json()["code"]) == (413, "PAYLOAD_TOO_LARGE")


@pytest.mark.parametrize(
    "output",
    [
        b'{"x": NaN}',
        b'{"x": [1, Infinity]}',
        b'{"x": -Infinity}',
        b'{"a": ' * 20 + b"1" + b"}" * 20,
    ],
)
def test_a_worker_report_whose_output_no_store_could_keep_is_422(
    service: Service, output: bytes
) -> None:
    user = register(service, "reported-user", "reported@example.com")
    started = service.client.post("/v1/me/assessments", json={"test_id": 1}, headers=user.headers)
    body = (
        b'{"quality_score": 0.9, "confidence_avg": 0.9, "motion_variance": 0.5, "result": '
        b'{"score": "pass", "confidence": 0.9, "normalized_output": ' + output + b"}}"
    )

    response = service.client.post(
        f"/v1/worker/assessments/reported-user/{started.json()['assessment_id']}/result",
        content=body,
        headers={**service.headers("w", groups=["worker"]), "Content-Type": "application/json"},
    )

    assert (response.status_code, response.json()["code"]) == (422, "VALIDATION_ERROR")


def test_non_finite_numbers_are_refused_wherever_they_appear(service: Service) -> None:
    response = service.client.post(
        "/v1/worker/assessments/u/a/failure",
        content=b'{"feedback": NaN}',
        headers={**service.headers("w", groups=["worker"]), "Content-Type": "application/json"},
    )

    assert response.status_code == 422
