"""Each request gets an id (X-Request-Id in and out) and one access line without personal data."""

from __future__ import annotations

import json
import logging

import pytest

from tests.e2e.service import Service
from tests.e2e.users import assess, register


def _access_lines(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "flowlogic.http.access"]


def test_a_safe_request_id_is_echoed(service: Service) -> None:
    response = service.client.get("/health", headers={"X-Request-Id": "req-42.a_b:c"})

    assert response.headers["x-request-id"] == "req-42.a_b:c"


@pytest.mark.parametrize("given", ["", "has space", "x" * 65, "semi;colon", "é"])
def test_an_unsafe_request_id_is_replaced_by_a_fresh_one(service: Service, given: str) -> None:
    response = service.client.get("/health", headers=[(b"x-request-id", given.encode())])

    echoed = response.headers["x-request-id"]
    assert echoed != given
    assert len(echoed) == 32
    assert int(echoed, 16) >= 0


def test_requests_without_an_id_get_distinct_ones(service: Service) -> None:
    first = service.client.get("/health").headers["x-request-id"]
    second = service.client.get("/health").headers["x-request-id"]

    assert first != second


def test_the_access_line_names_the_route_template_never_ids_or_emails(
    service: Service, caplog: pytest.LogCaptureFixture
) -> None:
    user = register(service, "logged-user", "logged@example.com")
    assessment_id = assess(service, user, 1, ["ankle"])
    caplog.clear()

    with caplog.at_level(logging.INFO, logger="flowlogic.http.access"):
        service.client.get(
            f"/v1/me/assessments/{assessment_id}",
            params={"test_id": 1},
            headers={**user.headers, "X-Request-Id": "trace-1"},
        )

    (line,) = _access_lines(caplog)
    fields = {key: getattr(line, key) for key in ("method", "route", "status")}
    assert fields == {
        "method": "GET",
        "route": "/v1/me/assessments/{assessment_id}",
        "status": 200,
    }
    assert line.duration_ms >= 0  # type: ignore[attr-defined]
    text = json.dumps({k: str(v) for k, v in vars(line).items()})
    for secret in (assessment_id, "logged-user", "logged@example.com"):
        assert secret not in text


def test_unmatched_routes_and_errors_are_logged_with_their_status(
    service: Service, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="flowlogic.http.access"):
        service.client.get("/v1/users/someone@example.com")
        service.client.get("/v1/me")

    missing, unauthenticated = _access_lines(caplog)
    assert (missing.route, missing.status) == ("unmatched", 404)  # type: ignore[attr-defined]
    assert unauthenticated.status == 401  # type: ignore[attr-defined]
    assert "someone@example.com" not in json.dumps(
        [str(vars(r)) for r in (missing, unauthenticated)]
    )
