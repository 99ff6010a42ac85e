"""A plan and a calendar read as a physiotherapist's prescription, over HTTP (issue 15): dosage
on every exercise, progressed week by week on the calendar, and a retest that taking the test
again completes."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from tests.e2e.service import Service
from tests.e2e.users import assess, expect, register, upgrade


def tasks_of(service: Service, headers: dict[str, str], day: date) -> dict[str, dict[str, Any]]:
    listed = expect(
        service.client.get("/v1/me/calendar", params={"from": day.isoformat()}, headers=headers),
        200,
    )
    return {task["exercise_id"]: task for task in listed["tasks"]}


def test_a_plan_prescribes_and_the_calendar_progresses_and_retests(service: Service) -> None:
    user = register(service, "rx-user", "rx@example.com")
    assess(service, user, 1, ["ankle", "knee"])
    upgrade(service, user, "basic")
    plan = expect(service.client.post("/v1/me/plans", headers=user.headers), 201)
    assert plan["based_on_tests"] == [1]
    for exercise in plan["exercises"]:
        dosage = exercise["dosage"]
        assert dosage["sets"] in (2, 3)
        assert (dosage["reps"] is None) != (dosage["hold_seconds"] is None)
        assert dosage["rest_seconds"] > 0

    today = service.clock.now().date()
    expect(service.client.post("/v1/me/calendar", json={"days": 14}, headers=user.headers), 201)
    first, second_week = (
        tasks_of(service, user.headers, today),
        tasks_of(service, user.headers, today + timedelta(days=7)),
    )
    for exercise_id, task in first.items():
        later = second_week[exercise_id]["dosage"]
        assert task["name"]
        assert task["description"]
        assert later["sets"] == task["dosage"]["sets"]
        if task["dosage"]["reps"] is not None:
            assert later["reps"] == task["dosage"]["reps"] + 2
        else:
            assert later["hold_seconds"] == task["dosage"]["hold_seconds"] + 5

    retest_day = today + timedelta(days=13)
    retest = tasks_of(service, user.headers, retest_day)["retest-1"]
    assert (retest["name"], retest["priority"], retest["dosage"]) == (
        "Overhead Squat",
        "must",
        None,
    )
    assert retest["completed"] is False

    # On the retest day the user films the test again: the retest task completes by itself.
    service.clock.set(service.clock.now() + timedelta(days=13))
    assess(service, user, 1, ["ankle"])
    retest = tasks_of(service, user.headers, retest_day)["retest-1"]
    assert retest["completed"] is True
    report = expect(
        service.client.get(
            "/v1/me/progress",
            params={"from": retest_day.isoformat(), "to": retest_day.isoformat()},
            headers=user.headers,
        ),
        200,
    )
    [day] = report["days"]
    assert day["tasks_completed"] == 1
    assert day["test_improvements"] == [{"test_id": 1, "improvement_percentage": 0}]

    exported = expect(service.client.get("/v1/me/export", headers=user.headers), 200)
    assert all("dosage" in e for e in exported["plans"][0]["exercises"])
    stored = exported["calendar-tasks"]
    assert all(("dosage" in t) != t["exercise_id"].startswith("retest-") for t in stored)
