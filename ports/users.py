"""The users table, with the email reservation that makes addresses unique."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from domain.limits import UserLimits
from domain.user import User


@runtime_checkable
class UserRepository(Protocol):
    """Users by id and by email; registration and tier changes are atomic with the limits row."""

    def get(self, user_id: str) -> User | None:
        """The user, read consistently, or None."""
        ...

    def get_by_email(self, email: str) -> User | None:
        """The user owning this normalised email, or None (email-index, eventually consistent)."""
        ...

    def add(self, user: User, limits: UserLimits) -> None:
        """Create the user, reserve the email and create the limits row, all or nothing.

        Raises AlreadyRegistered when the user id exists, EmailTaken when the email is reserved.
        """
        ...

    def update_profile(self, user: User, read: User | None = None) -> None:
        """Write profile fields (name, timezone, login, disclaimer); never email or tier.

        With `read` (the profile the change was decided from), only the fields that differ from
        it are written, and only while the stored ones still hold their `read` values: another
        value is ConcurrentModification, so concurrent changes of other fields are never undone.
        Raises NotFound when the user does not exist.
        """
        ...

    def change_tier(self, user: User, limits: UserLimits) -> UserLimits:
        """Write `users.tier` and the limits row (guarded by its revision) in one atomic write.

        Returns the limits as stored. Raises ConcurrentModification when the limits moved meanwhile.
        """
        ...
