"""GET /v1/me/export: every item of the caller, by table (SPEC.md 2)."""

from __future__ import annotations

import json

import pytest

from adapters.memory.clock import FixedClock
from adapters.memory.ids import SequentialIds
from adapters.memory.video_storage import FakeVideoStorage
from application.accept_disclaimer import AcceptDisclaimer, AcceptDisclaimerRequest
from application.export_account import ExportAccount, ExportAccountRequest
from application.register_user import RegisterUser, RegisterUserRequest
from application.start_attempt import StartAttempt, StartAttemptRequest
from domain.errors import NotFound
from tests.support.stores import Stores


def test_the_export_holds_the_callers_items_of_every_table(
    stores: Stores, clock: FixedClock, ids: SequentialIds, videos: FakeVideoStorage
) -> None:
    for user_id in ("user-1", "user-2"):
        RegisterUser(stores.users, clock).execute(
            RegisterUserRequest(user_id, f"{user_id}@example.com")
        )
        AcceptDisclaimer(stores.users, clock).execute(AcceptDisclaimerRequest(user_id))
        StartAttempt(
            stores.snapshots, stores.limits, stores.assessments, videos, ids, clock
        ).execute(StartAttemptRequest(user_id, 2))
    export = ExportAccount(stores.account).execute(ExportAccountRequest("user-1"))
    sizes = {table: len(items) for table, items in export.items()}
    assert sizes == {
        "users": 1,
        "subscriptions": 0,
        "assessments": 1,
        "plans": 0,
        "calendar-tasks": 0,
        "progress": 0,
        "user-limits": 1,
    }
    assert export["users"][0]["email"] == "user-1@example.com"
    assert all(item["user_id"] == "user-1" for items in export.values() for item in items)
    json.dumps(export)  # one JSON document


def test_an_account_with_nothing_stored_is_not_found(stores: Stores) -> None:
    with pytest.raises(NotFound):
        ExportAccount(stores.account).execute(ExportAccountRequest("nobody"))
