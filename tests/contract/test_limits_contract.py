"""LimitsRepository: revision-guarded writes of the limits row."""

from __future__ import annotations

import dataclasses

import pytest

from domain.errors import ConcurrentModification
from tests.support.factories import limits_for
from tests.support.stores import Stores


def test_an_unknown_users_limits_read_as_none(stores: Stores) -> None:
    assert stores.limits.get("nobody") is None


def test_a_new_row_is_written_at_revision_zero_and_stored_at_one(stores: Stores) -> None:
    limits = limits_for("user-1")
    stored = stores.limits.save(limits)
    assert stored == dataclasses.replace(limits, revision=1)
    assert stores.limits.get("user-1") == stored


def test_each_guarded_write_moves_the_revision_by_one(stores: Stores) -> None:
    first = stores.limits.save(limits_for("user-1"))
    second = stores.limits.save(dataclasses.replace(first, strikes=1))
    assert second.revision == first.revision + 1
    assert stores.limits.get("user-1") == second


def test_a_write_from_a_stale_read_is_refused_and_changes_nothing(stores: Stores) -> None:
    read = stores.limits.save(limits_for("user-1"))
    winner = stores.limits.save(dataclasses.replace(read, strikes=1))
    with pytest.raises(ConcurrentModification):
        stores.limits.save(dataclasses.replace(read, strikes=2))
    assert stores.limits.get("user-1") == winner


def test_a_new_row_over_an_existing_one_is_refused(stores: Stores) -> None:
    existing = stores.limits.save(limits_for("user-1"))
    with pytest.raises(ConcurrentModification):
        stores.limits.save(limits_for("user-1", strikes=3))
    assert stores.limits.get("user-1") == existing


def test_a_guarded_write_of_a_row_that_is_not_stored_is_refused(stores: Stores) -> None:
    with pytest.raises(ConcurrentModification):
        stores.limits.save(limits_for("user-1", revision=4))
    assert stores.limits.get("user-1") is None
