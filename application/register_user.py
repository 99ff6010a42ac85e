"""PUT /v1/me: create the caller's profile, or return it when it already exists (SPEC.md 2)."""

from __future__ import annotations

from dataclasses import dataclass, replace

from application.retry import retry_on_conflict
from domain.errors import AlreadyRegistered, ConcurrentModification, NotFound
from domain.limits import new_limits
from domain.user import User, register, validate_name, validate_timezone
from ports.clock import Clock
from ports.users import UserRepository


@dataclass(frozen=True, slots=True)
class RegisterUserRequest:
    user_id: str
    email: str
    name: str | None = None
    timezone: str | None = None


@dataclass(frozen=True, slots=True)
class Registration:
    """The profile as stored, and whether this call created it (201) or found it (200)."""

    user: User
    created: bool


class RegisterUser:
    """Registers a user with the limits row of the free tier, in one atomic write.

    Rules enforced:
    - The email is trimmed, lower-cased and validated (INVALID_EMAIL); name, timezone and
      user id are validated (VALIDATION_ERROR) before anything is read or written.
    - A new user is `free`, has not accepted the disclaimer, and gets a fresh limits row in
      the same write (UserRepository.add).
    - The same request again is idempotent: an existing profile with the same normalised
      email is returned with created=False; a `name` or `timezone` given in the request is
      applied to it (PUT semantics, decision 070); an omitted one is kept.
    - An existing profile with another email: ALREADY_REGISTERED (the email never changes).
    - An email reserved by someone else: EMAIL_TAKEN.
    The write is tried first and the profile read only when it is refused as registered
    already, so a new user costs one request (decision 116).
    """

    def __init__(self, users: UserRepository, clock: Clock) -> None:
        self._users = users
        self._clock = clock

    def execute(self, request: RegisterUserRequest) -> Registration:
        now = self._clock.now()
        candidate = register(request.user_id, request.email, request.name, request.timezone, now)
        try:
            self._users.add(candidate, new_limits(candidate.user_id, candidate.tier, now))
            return Registration(candidate, created=True)
        except AlreadyRegistered:
            # A repeat, or a concurrent PUT of the same caller that came first: answer alike.
            existing = self._users.get(candidate.user_id)
            if existing is None:
                raise
        if existing.email != candidate.email:
            raise AlreadyRegistered("this account is registered with another email")
        updated = self._with_requested_fields(existing, request)
        return Registration(updated, created=False)

    def _with_requested_fields(self, user: User, request: RegisterUserRequest) -> User:
        try:
            return self._apply_requested_fields(user, request)
        except ConcurrentModification:
            # Another write moved the profile since it was read: decide again from a fresh read.
            def again() -> User:
                fresh = self._users.get(user.user_id)
                if fresh is None:
                    raise NotFound("the profile was erased meanwhile")
                return self._apply_requested_fields(fresh, request)

            return retry_on_conflict(again)

    def _apply_requested_fields(self, user: User, request: RegisterUserRequest) -> User:
        name = user.name if request.name is None else validate_name(request.name)
        timezone = (
            user.timezone if request.timezone is None else validate_timezone(request.timezone)
        )
        if (name, timezone) == (user.name, user.timezone):
            return user
        updated = replace(user, name=name, timezone=timezone, updated_at=self._clock.now())
        self._users.update_profile(updated, read=user)
        return updated
