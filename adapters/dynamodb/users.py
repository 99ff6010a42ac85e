"""The users table on DynamoDB, with the email reservation that makes addresses unique (051)."""

from __future__ import annotations

import dataclasses

from adapters.dynamodb import keys
from adapters.dynamodb.atomic import (
    Condition,
    Write,
    absent,
    exists,
    put,
    set_or_remove,
    update,
    write_atomically,
)
from adapters.dynamodb.attributes import AttributeValue, Item, b, opt_s, opt_t, s, t
from adapters.dynamodb.base import DynamoDBRepository
from adapters.dynamodb.calls import get_item, storage_errors
from adapters.dynamodb.layout import Layout
from adapters.dynamodb.mappers.user_limits import limits_to_item
from adapters.dynamodb.mappers.users import (
    reservation_item,
    user_from_item,
    user_to_item,
)
from domain.errors import (
    AlreadyRegistered,
    ConcurrentModification,
    DomainError,
    EmailTaken,
    NotFound,
)
from domain.limits import UserLimits
from domain.user import PROFILE_FIELDS, User, changed_profile_fields


class DynamoDBUserRepository(DynamoDBRepository):
    """Users by id (consistent read) and by email (an index); atomic registration."""

    def get(self, user_id: str) -> User | None:
        """The user, read consistently, or None (an email reservation is not a user)."""
        table = self._table(keys.USERS)
        item = get_item(self._client, table, self._layout.user_key(user_id))
        if item is None or self._layout.entity_of(table, item) != keys.USERS:
            return None
        return user_from_item(item)

    def get_by_email(self, email: str) -> User | None:
        """The user owning this normalised email, or None (an index read: eventually consistent)."""
        with storage_errors():
            response = self._client.query(**self._layout.by_email(email), Limit=2)
        users = [user_from_item(item) for item in response.get("Items", [])]
        return users[0] if users else None

    def add(self, user: User, limits: UserLimits) -> None:
        """Create the user, reserve the email and create the limits row in one transaction.

        AlreadyRegistered when the user or their limits row exists, EmailTaken when the email is
        reserved; the user's conditions come first, as in the in-memory adapter.
        """
        if limits.user_id != user.user_id:
            raise ValueError("the limits row belongs to another user")
        layout = self._layout
        # A new row is stored as revision 1, whatever revision the caller built it with.
        stored_limits = limits_to_item(dataclasses.replace(limits, revision=1))
        reservation = layout.email_key(user.email)
        write_atomically(
            self._client,
            [
                put(
                    self._table(keys.USERS),
                    layout.user_key(user.user_id),
                    layout.stored(keys.USERS, user_to_item(user)),
                    absent(layout.key_attribute(keys.USERS)),
                    _registered,
                ),
                put(
                    self._table(keys.USER_LIMITS),
                    layout.limits_key(limits.user_id),
                    layout.stored(keys.USER_LIMITS, stored_limits),
                    absent(layout.key_attribute(keys.USER_LIMITS)),
                    _registered,
                ),
                put(
                    self._table(keys.EMAIL_RESERVATION),
                    reservation,
                    layout.stored(
                        keys.EMAIL_RESERVATION,
                        reservation_item(user.user_id, user.created_at),
                        reservation,
                    ),
                    absent(layout.key_attribute(keys.EMAIL_RESERVATION)),
                    _email_taken,
                ),
            ],
        )

    def update_profile(self, user: User, read: User | None = None) -> None:
        """Write name, timezone, last login and disclaimer; never email or tier (else NotFound).

        With `read`, only the fields changed since it, each conditioned on its `read` value.
        """
        fields = PROFILE_FIELDS if read is None else changed_profile_fields(read, user)
        attributes = {f: _profile_value(user, f) for f in fields}
        expression, names, values = set_or_remove({**attributes, "updated_at": t(user.updated_at)})
        condition = _is_a_user(self._layout)
        if read is not None:
            for number, field in enumerate(fields):
                condition = condition & _still(number, field, _profile_value(read, field))
        write = update(
            self._table(keys.USERS),
            self._layout.user_key(user.user_id),
            expression,
            names,
            values,
            condition,
            _no_such_user if read is None else _user_moved,
        )
        write_atomically(self._client, [write])

    def change_tier(self, user: User, limits: UserLimits) -> UserLimits:
        """Write `users.tier` and the limits row (revision-guarded) in one transaction."""
        if limits.user_id != user.user_id:
            raise ValueError("the limits row belongs to another user")
        limits_write, stored = self._limits_write(limits)
        write_atomically(self._client, [self._tier_write(user), limits_write])
        return stored

    def _tier_write(self, user: User) -> Write:
        return tier_write(self._layout, user)


def tier_write(layout: Layout, user: User) -> Write:
    """The update of `tier` and `updated_at` only, on an existing user (NotFound otherwise)."""
    return update(
        layout.table(keys.USERS),
        layout.user_key(user.user_id),
        "SET #tier = :tier, #updated = :updated",
        {"#tier": "tier", "#updated": "updated_at"},
        {":tier": s(user.tier.value), ":updated": t(user.updated_at)},
        _is_a_user(layout),
        _no_such_user,
    )


def _is_a_user(layout: Layout) -> Condition:
    """A user item, not an email reservation (those carry no `email`)."""
    stored = exists(layout.key_attribute(keys.USERS))
    return stored & Condition("attribute_exists(#email)", {"#email": "email"})


def _registered(_old: Item | None) -> DomainError:
    return AlreadyRegistered("this user is registered already")


def _email_taken(_old: Item | None) -> DomainError:
    return EmailTaken("this email belongs to another account")


def _no_such_user(_old: Item | None) -> DomainError:
    return NotFound("no such user")


def _profile_value(user: User, field: str) -> AttributeValue | None:
    """A profile field as stored; None for an absent optional one."""
    value = getattr(user, field)
    if field == "wellness_disclaimer_accepted":
        return b(value)
    if field in ("last_login_at", "wellness_disclaimer_accepted_at"):
        return opt_t(value)
    if field == "timezone":
        return s(value)
    return opt_s(value)


def _still(number: int, field: str, value: AttributeValue | None) -> Condition:
    """The stored field still holds the value read (absent when it was None)."""
    if value is None:
        return Condition(f"attribute_not_exists(#g{number})", {f"#g{number}": field})
    return Condition(f"#g{number} = :g{number}", {f"#g{number}": field}, {f":g{number}": value})


def _user_moved(old: Item | None) -> DomainError:
    if old is None or "email" not in old:
        return NotFound("no such user")
    return ConcurrentModification("the profile moved since it was read")
