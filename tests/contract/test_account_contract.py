"""AccountStore: every item of a user, exported as JSON and erased, across seven tables."""

from __future__ import annotations

import json

from domain.assessment import AssessmentStatus
from domain.dosage import hold
from tests.contract.storing import registered, stored
from tests.support.factories import DAY0, a_plan, a_progress, a_subscription, a_task, an_assessment
from tests.support.stores import Stores

TABLES = {
    "users",
    "subscriptions",
    "assessments",
    "plans",
    "calendar-tasks",
    "progress",
    "user-limits",
}


def populate(stores: Stores, user_id: str) -> int:
    """One item of every kind for the user; returns how many items (reservation included)."""
    registered(stores, user_id)  # user, email reservation, limits row
    stores.subscriptions.apply(a_subscription(user_id, f"sub-{user_id}"), None)
    stored(stores, an_assessment(user_id, status=AssessmentStatus.COMPLETED))
    stores.plans.activate(a_plan(user_id), None)
    stores.calendar.add_tasks(
        [
            a_task(user_id, exercise_id="a", dosage=hold(2, 35, 30)),
            a_task(user_id, exercise_id="b", completed=True),
        ],
        [a_progress(user_id, total=2, completed=1)],
    )
    return 3 + 1 + 1 + 1 + 2 + 1


def test_an_export_holds_every_table_with_the_users_items_only(stores: Stores) -> None:
    populate(stores, "user-1")
    populate(stores, "user-2")
    export = stores.account.export("user-1")
    assert set(export) == TABLES
    counts = {table: len(items) for table, items in export.items()}
    assert counts == {
        "users": 1,
        "subscriptions": 1,
        "assessments": 1,
        "plans": 1,
        "calendar-tasks": 2,
        "progress": 1,
        "user-limits": 1,
    }
    assert all(item["user_id"] == "user-1" for items in export.values() for item in items)


def test_an_export_is_json_with_the_schemas_attribute_names(stores: Stores) -> None:
    populate(stores, "user-1")
    export = json.loads(json.dumps(stores.account.export("user-1")))
    [user] = export["users"]
    assert (user["email"], user["tier"], user["wellness_disclaimer_accepted"]) == (
        "user-1@example.com",
        "free",
        False,
    )
    assert user["created_at"] == "2026-11-25T09:00:00.000Z"
    [sub] = export["subscriptions"]
    assert (sub["subscription_id"], sub["stripe_customer_id"], sub["status"]) == (
        "sub-user-1",
        "cus_1",
        "active",
    )
    [assessment] = export["assessments"]
    assert (assessment["test_id"], assessment["status"], assessment["month_key"]) == (
        1,
        "completed",
        "2026-11",
    )
    assert assessment["result"]["score"] == "pass"
    [plan] = export["plans"]
    assert (plan["is_active"], plan["version"]) == (True, 1)
    assert plan["problem_areas"]["p1"] == ["ankle"]
    assert plan["phases"][0]["exercises"] == ["ankle-circles"]
    assert plan["exercises"][0]["dosage"] == {"sets": 2, "reps": 10, "rest_seconds": 30}
    tasks = export["calendar-tasks"]
    assert sorted((t["exercise_id"], t.get("dosage")) for t in tasks) == [
        ("a", {"sets": 2, "hold_seconds": 35, "rest_seconds": 30}),
        ("b", None),
    ]
    assert {t["task_date"] for t in tasks} == {"2026-11-25"}
    assert sorted(t["completed"] for t in tasks) == [False, True]
    [progress] = export["progress"]
    assert (progress["date"], progress["tasks_total"], progress["tasks_completed"]) == (
        "2026-11-25",
        2,
        1,
    )
    assert progress["completion_percentage"] == 50
    [limits] = export["user-limits"]
    assert (limits["plan"], limits["video_quota_hour"]) == ("free", 5)


def test_an_unknown_user_exports_every_table_empty(stores: Stores) -> None:
    export = stores.account.export("nobody")
    assert set(export) == TABLES
    assert all(len(items) == 0 for items in export.values())


def test_erasure_deletes_every_item_and_says_how_many(stores: Stores) -> None:
    items = populate(stores, "user-1")
    assert stores.account.erase("user-1", "user-1@example.com") == items
    export = stores.account.export("user-1")
    assert all(len(rows) == 0 for rows in export.values())
    assert stores.users.get("user-1") is None
    assert stores.limits.get("user-1") is None


def test_erasure_frees_the_email_for_a_new_account(stores: Stores) -> None:
    populate(stores, "user-1")
    stores.account.erase("user-1", "user-1@example.com")
    newcomer = registered(stores, "user-9", email="user-1@example.com")
    assert stores.users.get_by_email("user-1@example.com") == newcomer


def test_erasing_again_deletes_nothing_more(stores: Stores) -> None:
    populate(stores, "user-1")
    stores.account.erase("user-1", "user-1@example.com")
    assert stores.account.erase("user-1", "user-1@example.com") == 0


def test_erasure_leaves_other_users_alone(stores: Stores) -> None:
    populate(stores, "user-1")
    populate(stores, "user-2")
    before = stores.account.export("user-2")
    stores.account.erase("user-1", "user-1@example.com")
    assert stores.account.export("user-2") == before
    assert stores.users.get_by_email("user-2@example.com") is not None


def test_an_erased_users_open_tasks_no_longer_call_for_a_reminder(stores: Stores) -> None:
    registered(stores)
    stores.calendar.add_tasks([a_task()], [a_progress(total=1)])
    stores.account.erase("user-1", "user-1@example.com")
    users, _ = stores.calendar.users_with_open_tasks(DAY0, limit=10, cursor=None)
    assert list(users) == []
