"""The users table and its email reservations, in memory."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from adapters.memory.database import (
    InMemoryDatabase,
    as_stored,
    next_revision,
    require_revision,
)
from domain.errors import AlreadyRegistered, ConcurrentModification, EmailTaken, NotFound
from domain.limits import UserLimits
from domain.user import PROFILE_FIELDS, User, changed_profile_fields


class InMemoryUserRepository:
    """Users by id and by email; registration and tier changes are atomic with the limits row."""

    def __init__(self, db: InMemoryDatabase) -> None:
        self._db = db

    def get(self, user_id: str) -> User | None:
        """The user, or None."""
        with self._db.lock:
            return self._db.users.get(user_id)

    def get_by_email(self, email: str) -> User | None:
        """The user owning this normalised email, or None."""
        with self._db.lock:
            return next((u for u in self._db.users.values() if u.email == email), None)

    def add(self, user: User, limits: UserLimits) -> None:
        """Create the user, reserve the email and create the limits row, all or nothing."""
        if limits.user_id != user.user_id:
            raise ValueError("the limits row belongs to another user")
        db = self._db
        tx = db.transaction()
        # Checked in this order, as the items of the DynamoDB transaction (decision 051).
        tx.require(
            lambda: user.user_id not in db.users and user.user_id not in db.limits,
            lambda: AlreadyRegistered("this user is registered already"),
        )
        tx.require(
            lambda: user.email not in db.email_reservations,
            lambda: EmailTaken("this email belongs to another account"),
        )
        tx.put(db.users, user.user_id, as_stored(user))
        tx.put(db.email_reservations, user.email, user.user_id)
        tx.put(db.limits, limits.user_id, as_stored(dataclasses.replace(limits, revision=1)))
        tx.commit()

    def update_profile(self, user: User, read: User | None = None) -> None:
        """Write profile fields (name, timezone, login, disclaimer); never email or tier.

        With `read`, only the fields changed since it, while still stored as read.
        """
        db = self._db
        tx = db.transaction()
        tx.require(lambda: user.user_id in db.users, lambda: NotFound("no such user"))
        stored_form = as_stored(user)
        fields: tuple[str, ...] = PROFILE_FIELDS
        if read is not None:
            before = as_stored(read)
            fields = changed_profile_fields(before, stored_form)
            tx.require(
                lambda: all(
                    getattr(db.users[user.user_id], f) == getattr(before, f) for f in fields
                ),
                lambda: ConcurrentModification("the profile moved since it was read"),
            )
        changes = {f: getattr(stored_form, f) for f in (*fields, "updated_at")}
        tx.update(db.users, user.user_id, lambda stored: dataclasses.replace(stored, **changes))
        tx.commit()

    def change_tier(self, user: User, limits: UserLimits) -> UserLimits:
        """Write `users.tier` and the limits row (guarded by its revision) in one atomic write."""
        if limits.user_id != user.user_id:
            raise ValueError("the limits row belongs to another user")
        db = self._db
        tx = db.transaction()
        tx.require(lambda: user.user_id in db.users, lambda: NotFound("no such user"))
        require_revision(tx, db.limits, limits.user_id, limits)
        tx.update(db.users, user.user_id, tier_of(user))
        stored = as_stored(next_revision(limits))
        tx.put(db.limits, limits.user_id, stored)
        tx.commit()
        return stored


def tier_of(user: User) -> Callable[[User], User]:
    """The change that writes only `tier` and `updated_at` of `user` onto the stored user."""
    updated_at = as_stored(user).updated_at

    def change(stored: User) -> User:
        return dataclasses.replace(stored, tier=user.tier, updated_at=updated_at)

    return change
