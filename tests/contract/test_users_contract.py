"""UserRepository: registration with the email reservation, profile and tier writes."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest

from domain.errors import AlreadyRegistered, ConcurrentModification, EmailTaken, NotFound
from domain.limits import limits_for_tier
from domain.tiers import Tier
from domain.user import accept_disclaimer, record_login
from tests.support.factories import T0, a_user, limits_for
from tests.support.stores import Stores

LATER = T0 + timedelta(hours=1)


def test_a_registered_user_reads_back_by_id_and_by_email(stores: Stores) -> None:
    user = a_user("user-1", "ada@example.com")
    stores.users.add(user, limits_for(user))
    assert stores.users.get("user-1") == user
    assert stores.users.get_by_email("ada@example.com") == user


def test_registration_creates_the_limits_row_at_revision_one(stores: Stores) -> None:
    user = a_user()
    limits = limits_for(user)
    stores.users.add(user, limits)
    assert stores.limits.get(user.user_id) == dataclasses.replace(limits, revision=1)


def test_an_unknown_user_or_email_reads_as_none(stores: Stores) -> None:
    stores.users.add(a_user("user-1"), limits_for("user-1"))
    assert stores.users.get("user-2") is None
    assert stores.users.get_by_email("nobody@example.com") is None


def test_registering_an_existing_id_again_is_already_registered_and_reserves_nothing(
    stores: Stores,
) -> None:
    first = a_user("user-1", "first@example.com")
    stores.users.add(first, limits_for(first))
    again = a_user("user-1", "second@example.com")
    with pytest.raises(AlreadyRegistered):
        stores.users.add(again, limits_for(again))
    assert stores.users.get("user-1") == first
    # The failed attempt left no reservation behind: the address is still free.
    other = a_user("user-2", "second@example.com")
    stores.users.add(other, limits_for(other))
    assert stores.users.get_by_email("second@example.com") == other


def test_registering_a_taken_email_leaves_no_user_and_no_limits_row(stores: Stores) -> None:
    first = a_user("user-1", "ada@example.com")
    stores.users.add(first, limits_for(first))
    thief = a_user("user-2", "ada@example.com")
    with pytest.raises(EmailTaken):
        stores.users.add(thief, limits_for(thief))
    assert stores.users.get("user-2") is None
    assert stores.limits.get("user-2") is None
    assert stores.users.get_by_email("ada@example.com") == first


def test_a_profile_update_writes_profile_fields_but_never_email_or_tier(stores: Stores) -> None:
    user = a_user("user-1", "ada@example.com")
    stores.users.add(user, limits_for(user))
    changed = record_login(accept_disclaimer(user, LATER), LATER)
    changed = dataclasses.replace(
        changed, name="Ada", timezone="Europe/Paris", email="eve@example.com", tier=Tier.PRO
    )
    stores.users.update_profile(changed)
    assert stores.users.get("user-1") == dataclasses.replace(
        changed, email="ada@example.com", tier=Tier.FREE
    )


def test_a_profile_update_of_an_unknown_user_is_not_found_and_creates_nothing(
    stores: Stores,
) -> None:
    with pytest.raises(NotFound):
        stores.users.update_profile(a_user("ghost"))
    assert stores.users.get("ghost") is None


def test_a_guarded_profile_update_writes_only_what_changed_since_the_read(
    stores: Stores,
) -> None:
    user = a_user()
    stores.users.add(user, limits_for(user))
    accepted = accept_disclaimer(user, LATER)
    stores.users.update_profile(accepted, read=user)
    # Decided from the profile before the acceptance: the login alone lands (issue 12).
    logged_in = record_login(user, LATER + timedelta(minutes=1))
    stores.users.update_profile(logged_in, read=user)
    stored = stores.users.get(user.user_id)
    assert stored is not None
    assert stored.wellness_disclaimer_accepted_at == LATER
    assert stored.last_login_at == LATER + timedelta(minutes=1)


def test_a_guarded_profile_update_of_a_field_that_moved_is_a_conflict(stores: Stores) -> None:
    user = a_user()
    stores.users.add(user, limits_for(user))
    first = accept_disclaimer(user, LATER)
    stores.users.update_profile(first, read=user)
    with pytest.raises(ConcurrentModification):
        stores.users.update_profile(accept_disclaimer(user, LATER + timedelta(hours=1)), read=user)
    assert stores.users.get(user.user_id) == first
    with pytest.raises(NotFound):
        stores.users.update_profile(a_user("ghost"), read=a_user("ghost"))


def test_a_tier_change_writes_the_tier_and_returns_the_limits_as_stored(stores: Stores) -> None:
    user = a_user()
    stores.users.add(user, limits_for(user))
    current = stores.limits.get(user.user_id)
    assert current is not None
    upgraded = dataclasses.replace(user, tier=Tier.PRO, updated_at=LATER)
    returned = stores.users.change_tier(upgraded, limits_for_tier(current, Tier.PRO, LATER))
    assert returned.revision == current.revision + 1
    assert returned.plan is Tier.PRO
    assert stores.limits.get(user.user_id) == returned
    assert stores.users.get(user.user_id) == upgraded


def test_a_tier_change_with_stale_limits_changes_neither_tier_nor_limits(stores: Stores) -> None:
    user = a_user()
    stores.users.add(user, limits_for(user))
    read = stores.limits.get(user.user_id)
    assert read is not None
    moved = stores.limits.save(dataclasses.replace(read, strikes=1))
    upgraded = dataclasses.replace(user, tier=Tier.PRO, updated_at=LATER)
    with pytest.raises(ConcurrentModification):
        stores.users.change_tier(upgraded, limits_for_tier(read, Tier.PRO, LATER))
    assert stores.users.get(user.user_id) == user
    assert stores.limits.get(user.user_id) == moved
