"""The in-memory database: transactions, cursors, stored precision and thread safety."""

from __future__ import annotations

import dataclasses
import threading
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.memory.database import (
    InMemoryDatabase,
    as_stored,
    decode_cursor,
    encode_cursor,
    page_of,
)
from domain.errors import ConcurrentModification, NotFound
from ports.errors import InvalidCursor
from tests.support.backends import memory_stores
from tests.support.factories import an_assessment, limits_for


def test_a_failing_condition_cancels_every_write_of_the_transaction() -> None:
    db = InMemoryDatabase()
    tx = db.transaction()
    tx.put(db.email_reservations, "a@b.co", "user-1")
    tx.require(lambda: True, lambda: NotFound("first"))
    tx.require(lambda: False, lambda: ConcurrentModification("second"))
    tx.require(lambda: False, lambda: NotFound("third"))
    with pytest.raises(ConcurrentModification):
        tx.commit()
    assert db.email_reservations == {}


def test_a_transaction_may_not_write_one_item_twice() -> None:
    db = InMemoryDatabase()
    tx = db.transaction()
    tx.put(db.email_reservations, "a@b.co", "user-1")
    with pytest.raises(ValueError, match="twice"):
        tx.delete(db.email_reservations, "a@b.co")


def test_stored_times_keep_milliseconds_only_in_utc() -> None:
    moment = datetime(2026, 1, 1, 9, 0, 0, 123987, tzinfo=UTC)
    assessment = as_stored(an_assessment(created_at=moment))
    assert assessment.created_at == datetime(2026, 1, 1, 9, 0, 0, 123000, tzinfo=UTC)


@given(st.dictionaries(st.sampled_from(["a", "b", "c"]), st.text()))
def test_a_cursor_decodes_to_the_key_it_encodes(key: dict[str, str]) -> None:
    fields = dict.fromkeys(key, str)
    assert decode_cursor(encode_cursor(key), fields) == key


def test_a_cursor_with_other_fields_or_types_is_invalid() -> None:
    with pytest.raises(InvalidCursor):
        decode_cursor(encode_cursor({"a": "x"}), {"b": str})
    with pytest.raises(InvalidCursor):
        decode_cursor(encode_cursor({"a": 1}), {"a": str})


@given(st.lists(st.integers(0, 50), unique=True), st.integers(1, 7))
def test_paging_lists_every_item_once_in_order(values: list[int], limit: int) -> None:
    ordered = sorted(f"{v:03d}" for v in values)
    seen: list[str] = []
    after: tuple[str, ...] | None = None
    while True:
        page, last = page_of(ordered, lambda item: (item,), after, limit)
        assert len(page) <= limit
        seen.extend(page)
        if last is None:
            break
        after = (last,)
    assert seen == ordered


def test_racing_starts_on_one_limits_row_admit_exactly_one_per_revision() -> None:
    stores = memory_stores()
    read = stores.limits.save(limits_for("user-1"))
    wins: list[str] = []
    barrier = threading.Barrier(8)

    def start(n: int) -> None:
        barrier.wait()
        try:
            stores.assessments.start(
                an_assessment(assessment_id=f"a{n}"),
                dataclasses.replace(read, video_quota_used_hourly=1),
            )
            wins.append(f"a{n}")
        except ConcurrentModification:
            pass

    threads = [threading.Thread(target=start, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(wins) == 1
    page = stores.assessments.list_for_user("user-1", test_id=None, limit=10, cursor=None)
    assert [a.assessment_id for a in page.items] == wins
