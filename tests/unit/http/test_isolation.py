"""For every user route: a second user can neither read nor change the first user's data.

Both users are fully set up (results, a pro subscription, a plan, a calendar, progress). The
second user calls each route, pointing every identifier the route accepts (ids, dates, cursors,
emails) at the first user's data. The first user's export must not change, and no answer to the
second user may contain any identifier of the first user.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from tests.e2e.service import Service, running
from tests.e2e.users import SeededUser, expect, seeded
from tests.unit.http.conftest import operations


@dataclass
class World:
    service: Service
    first: SeededUser
    second: SeededUser
    first_cursor: str


Request = Callable[[World], dict[str, Any]]


def _first_task(world: World) -> dict[str, Any]:
    return world.first.tasks[0]


def _range(world: World) -> dict[str, str]:
    dates = sorted(task["task_date"] for task in world.first.tasks)
    return {"from": dates[0], "to": dates[-1]}


# What the second user sends to each user route, aimed at the first user's data.
REQUESTS: dict[tuple[str, str], list[Request]] = {
    ("PUT", "/v1/me"): [lambda w: {"json": {"email": w.first.email}}],
    ("GET", "/v1/me"): [lambda w: {}],
    ("DELETE", "/v1/me"): [lambda w: {}],
    ("POST", "/v1/me/login"): [lambda w: {}],
    ("POST", "/v1/me/disclaimer"): [lambda w: {}],
    ("GET", "/v1/me/limits"): [lambda w: {}],
    ("GET", "/v1/me/export"): [lambda w: {}],
    ("POST", "/v1/me/assessments"): [lambda w: {"json": {"test_id": 1}}],
    ("GET", "/v1/me/assessments"): [
        lambda w: {},
        lambda w: {"params": {"limit": 1, "cursor": w.first_cursor}},
        lambda w: {"params": {"test_id": 1}},
    ],
    ("GET", "/v1/me/assessments/{assessment_id}"): [
        lambda w: {"path": {"assessment_id": w.first.assessment_ids[0]}}
    ],
    ("POST", "/v1/me/plans"): [lambda w: {}],
    ("GET", "/v1/me/plans/active"): [lambda w: {}],
    ("POST", "/v1/me/calendar"): [
        lambda w: {"json": {"start_date": _first_task(w)["task_date"], "days": 7}}
    ],
    ("GET", "/v1/me/calendar"): [lambda w: {"params": _range(w)}],
    ("PUT", "/v1/me/calendar/{task_date}/{task_id}"): [
        lambda w: {
            "path": {
                "task_date": _first_task(w)["task_date"],
                "task_id": _first_task(w)["task_id"],
            },
            "json": {"completed": False},
        },
        lambda w: {
            "path": {
                "task_date": w.first.tasks[1]["task_date"],
                "task_id": w.first.tasks[1]["task_id"],
            },
            "json": {"completed": True},
        },
    ],
    ("GET", "/v1/me/progress"): [lambda w: {"params": _range(w)}],
    ("GET", "/v1/me/streaks/top"): [lambda w: {"params": {"limit": 50}}],
    ("POST", "/v1/me/checkout"): [
        lambda w: {
            "json": {
                "tier": "proplus",
                "success_url": "https://a.example/ok",
                "cancel_url": "https://a.example/",
            }
        }
    ],
    ("GET", "/v1/me/subscriptions"): [lambda w: {}],
    ("POST", "/v1/me/subscription/cancel"): [lambda w: {}],
}

USER_OPERATIONS = [
    (method, path)
    for method, path in operations(secured=True)
    if not path.startswith(("/v1/worker/", "/v1/admin/"))
]


def test_the_table_covers_every_user_route() -> None:
    assert sorted(REQUESTS) == USER_OPERATIONS


@pytest.fixture
def world() -> Iterator[World]:
    with running("memory") as service:
        first = seeded(service, "first-user", "first@example.com")
        second = seeded(service, "second-user", "second@example.com")
        listed = expect(
            service.client.get("/v1/me/assessments", params={"limit": 1}, headers=first.headers),
            200,
        )
        assert listed["next_cursor"]
        yield World(service, first, second, listed["next_cursor"])


def _export(world: World) -> Any:
    return expect(world.service.client.get("/v1/me/export", headers=world.first.headers), 200)


@pytest.mark.parametrize(("method", "path"), USER_OPERATIONS, ids=" ".join)
def test_a_second_user_neither_reads_nor_changes_the_first_users_data(
    world: World, method: str, path: str
) -> None:
    before = _export(world)
    for build in REQUESTS[(method, path)]:
        request = build(world)
        url = path.format(**request.pop("path", {}))

        response = world.service.client.request(
            method, url, headers=world.second.headers, **request
        )

        assert response.status_code < 500, response.text
        leaked = [value for value in world.first.identifiers() if value in response.text]
        assert leaked == [], f"{method} {url} showed the first user's {leaked}"
    assert _export(world) == before


def test_the_first_users_assessment_is_not_found_for_the_second_user(world: World) -> None:
    path = f"/v1/me/assessments/{world.first.assessment_ids[0]}"

    response = world.service.client.get(path, headers=world.second.headers)

    assert (response.status_code, response.json()["code"]) == (404, "NOT_FOUND")


def test_the_first_users_task_cannot_be_completed_by_the_second_user(world: World) -> None:
    task = world.first.tasks[1]
    path = f"/v1/me/calendar/{task['task_date']}/{task['task_id']}"

    response = world.service.client.put(
        path, json={"completed": True}, headers=world.second.headers
    )

    assert (response.status_code, response.json()["code"]) == (404, "NOT_FOUND")


def test_the_first_users_cursor_does_not_page_the_second_users_list(world: World) -> None:
    response = world.service.client.get(
        "/v1/me/assessments",
        params={"cursor": world.first_cursor},
        headers=world.second.headers,
    )

    assert (response.status_code, response.json()["code"]) == (422, "INVALID_CURSOR")


def test_registering_with_the_first_users_email_is_refused(world: World) -> None:
    response = world.service.client.put(
        "/v1/me", json={"email": world.first.email}, headers=world.second.headers
    )

    assert (response.status_code, response.json()["code"]) == (403, "FORBIDDEN")
