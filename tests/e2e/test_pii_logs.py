"""SPEC.md 11: no email and no user id in the logs, over the whole journey, at DEBUG.

The journey runs on the local profile (real DynamoDB adapters, the Stripe simulator, the HTTP
app) with logging configured as the service configures it, into a captured stream. Two users
walk it: one with a readable id, one with a UUID (the shape identity providers give); the
needles are their ids and emails in every letter case, and the UUID's undashed hex too.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

import pytest

from infra.logs import configure_logging
from tests.e2e import test_journey
from tests.e2e.service import Service, running
from tests.e2e.users import WORKER_SUB, SeededUser, expect, seeded

ADMIN_SUB = "journey-admin"


@dataclass
class Captured:
    stream: io.StringIO

    def lines(self) -> list[str]:
        return [line for line in self.stream.getvalue().splitlines() if line.strip()]


@pytest.fixture
def captured() -> Iterator[Captured]:
    """Logging as the service configures it, at DEBUG, into a string; restored afterwards."""
    root = logging.getLogger()
    saved_level = root.level
    saved_levels = {name: logging.getLogger(name).level for name in logging.root.manager.loggerDict}
    stream = io.StringIO()
    configure_logging("DEBUG", stream)
    try:
        yield Captured(stream)
    finally:
        for handler in list(root.handlers):
            if getattr(handler, "_flowlogic", False):
                root.removeHandler(handler)
        root.setLevel(saved_level)
        for name, level in saved_levels.items():
            logging.getLogger(name).setLevel(level)


def needles(ids: list[str], emails: list[str]) -> list[str]:
    """What must not appear: every id and email, and a UUID's undashed hex form."""
    found = [*ids, *emails]
    for value in ids:
        with contextlib.suppress(ValueError):
            found.append(uuid.UUID(value).hex)
    return found


def leaks(text: str, forbidden: list[str]) -> list[str]:
    """The forbidden values that occur in `text`, in any letter case."""
    lowered = text.lower()
    return [value for value in forbidden if value.lower() in lowered]


def second_journey(service: Service, sub: str, email: str) -> SeededUser:
    """Register, results, a worker failure, checkout, plan, calendar, progress, export, erase;
    plus the errors and admin routes that carry the user's id or email."""
    client = service.client
    user = seeded(service, sub, email.upper())
    # Another caller asking for the same address, an invalid address, a bad token.
    taken = client.put("/v1/me", json={"email": email}, headers=service.headers("intruder-1"))
    assert taken.status_code == 409
    invalid = client.put("/v1/me", json={"email": f"{sub}@@x"}, headers=user.headers)
    assert invalid.status_code in (409, 422)
    assert client.get("/v1/me", headers={"Authorization": f"Bearer {sub}"}).status_code == 401
    # A failed attempt: the worker reports the video unusable.
    started = expect(
        client.post("/v1/me/assessments", json={"test_id": 3}, headers=user.headers), 201
    )
    worker = service.headers(WORKER_SUB, groups=["worker"])
    failure = f"/v1/worker/assessments/{sub}/{started['assessment_id']}/failure"
    failed = expect(
        client.post(failure, json={"feedback": f"blurry, {email}"}, headers=worker), 200
    )
    assert failed["status"] in ("failed", "invalid")
    missing = client.post(f"/v1/worker/assessments/{sub}/nope/result", json={}, headers=worker)
    assert missing.status_code in (404, 422)
    # An admin bans and unbans the user by id.
    admin = service.headers(ADMIN_SUB, groups=["admin"])
    until = (service.clock.now() + timedelta(days=1)).isoformat().replace("+00:00", "Z")
    expect(
        client.put(
            f"/v1/admin/users/{sub}/ban", json={"until": until, "reason": email}, headers=admin
        ),
        200,
    )
    expect(client.delete(f"/v1/admin/users/{sub}/ban", headers=admin), 204)
    month = service.clock.now().strftime("%Y-%m")
    expect(
        client.get("/v1/admin/analytics/assessments", params={"month": month}, headers=admin), 200
    )
    # Progress, streaks, export, cancellation, erasure.
    today = service.clock.now().date().isoformat()
    expect(
        client.get("/v1/me/progress", params={"from": today, "to": today}, headers=user.headers),
        200,
    )
    expect(client.get("/v1/me/streaks/top", headers=user.headers), 200)
    expect(client.get("/v1/me/export", headers=user.headers), 200)
    expect(client.post("/v1/me/subscription/cancel", headers=user.headers), 200)
    expect(client.delete("/v1/me", headers=user.headers), 204)
    return user


def test_the_whole_journey_logs_json_lines_without_any_email_or_user_id(
    captured: Captured,
) -> None:
    uuid_sub = str(uuid.uuid4())
    uuid_email = "Grace.Hopper+Flow@Example.org"

    with running("local") as service:
        test_journey.test_a_user_goes_from_registration_to_a_two_day_streak(service)
        second_journey(service, uuid_sub, uuid_email)

    lines = captured.lines()
    records = [json.loads(line) for line in lines]  # every line is one JSON object
    assert len(records) > 20
    assert all("request_id" in record and "message" in record for record in records)
    assert any(record["request_id"] != "-" for record in records)
    access = [record for record in records if record["logger"] == "flowlogic.http.access"]
    assert len(access) > 50  # one per request of the two journeys
    forbidden = needles(
        [test_journey.SUB, uuid_sub, "intruder-1", test_journey.WORKER, WORKER_SUB, ADMIN_SUB],
        [test_journey.EMAIL, uuid_email, uuid_email.lower()],
    )
    found = leaks(captured.stream.getvalue(), forbidden)
    assert found == [], [line for line in lines if leaks(line, found)][:5]


def test_the_check_catches_a_raw_id_in_the_logs_and_the_filter_masks_a_uuid(
    captured: Captured,
) -> None:
    user_id = str(uuid.uuid4())

    logging.getLogger("flowlogic.test").warning("carelessly naming %s", "journey-user-1")
    logging.getLogger("flowlogic.test").warning("masked by the filter %s", user_id.upper())

    found = leaks(captured.stream.getvalue(), needles(["journey-user-1", user_id], []))
    assert found == ["journey-user-1"]
