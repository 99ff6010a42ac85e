"""Keys that cannot collide (decision 121): identifiers from outside (a token subject, an email, a
Stripe id, a path segment) that spell other items' keys address nothing but their own item, on
every backend and layout."""

from __future__ import annotations

import dataclasses

import pytest

from domain.assessment import AssessmentStatus
from domain.errors import ValidationFailed
from domain.user import register
from ports.snapshots import SnapshotRequest
from tests.contract.storing import registered, stored
from tests.support.factories import (
    DAY0,
    T0,
    a_progress,
    a_subscription,
    a_task,
    a_user,
    an_assessment,
    limits_for,
)
from tests.support.stores import Stores

# Ids that spell (parts of) the keys of both layouts: kinds, separators, constant sort keys.
HOSTILE_IDS = [
    "PROFILE",
    "LIMITS",
    "EMAIL",
    "USER",
    "MIGRATIONS",
    "ASSESSMENT",
    "SUB#sub_1",
    "PLAN#x",
    "TASK#2026-11-25#x",
    "PROGRESS#2026-11-25",
    "SCHEDULE#7973-88-74#PROGRESS",
    "7973-88-74#TASK#x",
    "#",
    "user-1",
    "user-1#",
    "a@example.com",
    "EMAIL#user-1@example.com",
]


@pytest.mark.parametrize(
    "subject", ["EMAIL#user-1@example.com", "USER#user-1", "user-1#PROFILE", "MIGRATIONS#001"]
)
def test_a_subject_that_spells_a_key_is_refused_before_anything_is_stored(
    stores: Stores, subject: str
) -> None:
    with pytest.raises(ValidationFailed):
        register(subject, "someone@example.com", None, None, T0)
    registered(stores, "user-1")  # the address the subject spells is still free for its owner
    assert stores.users.get_by_email("user-1@example.com") is not None


@pytest.mark.parametrize("hostile", HOSTILE_IDS)
def test_an_outside_id_that_spells_another_items_key_finds_nothing(
    stores: Stores, hostile: str
) -> None:
    registered(stores, "user-1")
    stored(stores, an_assessment("user-1", status=AssessmentStatus.COMPLETED))
    stores.calendar.add_tasks([a_task("user-1")], [a_progress("user-1", total=1)])
    stores.subscriptions.apply(a_subscription("user-1"), None)

    assert stores.assessments.get("user-1", hostile) is None
    assert stores.calendar.get("user-1", DAY0, hostile) is None
    assert stores.subscriptions.get("user-1", hostile) is None
    assert stores.subscriptions.by_customer(hostile) == []
    assert stores.users.get_by_email(hostile) is None
    seen = stores.snapshots.read(
        SnapshotRequest("user-1", assessment_id=hostile, task=(DAY0, hostile))
    )
    assert (seen.assessment, seen.task) == (None, None)


@pytest.mark.parametrize("hostile", HOSTILE_IDS)
def test_a_stripe_id_that_spells_a_key_stays_a_subscription_of_its_user(
    stores: Stores, hostile: str
) -> None:
    registered(stores, "user-1")
    registered(stores, "user-2")
    limits = stores.limits.get("user-1")
    subscription = a_subscription("user-1", hostile, customer=hostile)

    stores.subscriptions.apply(subscription, None)

    assert stores.subscriptions.get("user-1", hostile) == subscription
    assert stores.subscriptions.by_customer(hostile) == [subscription]
    assert stores.subscriptions.list_for_user("user-2") == []
    assert stores.limits.get("user-1") == limits  # no other item of the user was touched
    user = stores.users.get("user-1")
    assert user is not None
    assert user.user_id == "user-1"


@pytest.mark.parametrize(
    "email",
    ["user-2#x@example.com", "a#PROFILE@example.com", "user-1@example.com#", "email#email@x.io"],
)
def test_an_email_with_the_separator_reserves_only_itself(stores: Stores, email: str) -> None:
    first = a_user("user-1", "user-1@example.com")
    other = dataclasses.replace(a_user("user-2"), email=email)
    stores.users.add(first, limits_for(first))

    stores.users.add(other, limits_for(other))

    assert stores.users.get_by_email(email) == other
    assert stores.users.get_by_email("user-1@example.com") == first
    stores.account.erase("user-2", None)
    assert stores.users.get_by_email("user-1@example.com") == first
    third = dataclasses.replace(a_user("user-3"), email=email)
    stores.users.add(third, limits_for(third))  # the erased user's address is free again
    assert stores.users.get_by_email(email) == third


def test_users_whose_ids_share_a_prefix_never_see_each_others_items(stores: Stores) -> None:
    for user_id in ("user", "user-1", "user-10"):
        registered(stores, user_id)
        stores.calendar.add_tasks([a_task(user_id)], [a_progress(user_id, total=1)])
        stored(stores, an_assessment(user_id, f"attempt-{user_id}"))

    export = stores.account.export("user-1")

    owners = {item["user_id"] for items in export.values() for item in items}
    assert owners == {"user-1"}
    assert stores.account.erase("user", None) == 3 + 2 + 1
    assert stores.users.get("user-1") is not None
    assert [t.user_id for t in stores.calendar.on_date("user-10", DAY0)] == ["user-10"]
