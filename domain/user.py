"""Users: registration, email and profile rules, the disclaimer, logins and tiers (SPEC.md 2).

Pure rules: nothing here reads the clock or touches storage. Uniqueness of the email is a storage
concern (an atomic write), not checked here.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from domain.errors import DisclaimerRequired, InvalidEmail, TierRequired, ValidationFailed
from domain.tiers import Tier, quota_of

DEFAULT_TIMEZONE = "UTC"
MAX_EMAIL_LENGTH = 254
MAX_LOCAL_PART_LENGTH = 64
MAX_DOMAIN_LABEL_LENGTH = 63
MAX_TIMEZONE_LENGTH = 64
MAX_NAME_LENGTH = 100
MAX_USER_ID_LENGTH = 128


@dataclass(frozen=True, slots=True)
class User:
    """A row of the users table, plus the optional IANA `timezone` that defines the user's today."""

    user_id: str
    email: str
    name: str | None
    tier: Tier
    wellness_disclaimer_accepted: bool
    wellness_disclaimer_accepted_at: datetime | None
    created_at: datetime
    updated_at: datetime
    last_login_at: datetime | None
    timezone: str = DEFAULT_TIMEZONE

    def __post_init__(self) -> None:
        _require_aware("created_at", self.created_at)
        _require_aware("updated_at", self.updated_at)
        if self.wellness_disclaimer_accepted_at is not None:
            _require_aware("wellness_disclaimer_accepted_at", self.wellness_disclaimer_accepted_at)
        if self.last_login_at is not None:
            _require_aware("last_login_at", self.last_login_at)
        # The flag and its time travel together: an acceptance without a time cannot be audited.
        if self.wellness_disclaimer_accepted != (self.wellness_disclaimer_accepted_at is not None):
            raise ValueError("wellness_disclaimer_accepted and its time must be set together")


# --- email -----------------------------------------------------------------------------------

# RFC 5322 dot-atom: the characters allowed unquoted in a local part. Quoted local parts and
# comments are valid in theory but unused in practice and a classic injection vector: refused.
_LOCAL_PART = re.compile(r"[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*")
_DOMAIN_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?")
# A TLD is letters only, or an internationalised TLD in its ASCII (punycode) form, e.g. xn--p1ai.
_TLD = re.compile(r"[a-z]{2,63}|xn--[a-z0-9-]{1,59}[a-z0-9]")


def normalize_email(raw: str) -> str:
    """Trim and lower-case an address and check it is a real-looking one, or raise InvalidEmail."""
    # Details never repeat the address: error messages end up in logs, and emails must not.
    email = raw.strip().lower()
    if not email:
        raise InvalidEmail("email is empty")
    if len(email) > MAX_EMAIL_LENGTH:
        raise InvalidEmail(f"email is longer than {MAX_EMAIL_LENGTH} characters")
    if not email.isascii():
        raise InvalidEmail("email must be ASCII (internationalised domains in punycode)")
    if any(ch.isspace() or not ch.isprintable() for ch in email):
        raise InvalidEmail("email contains spaces or control characters")
    if email.count("@") != 1:
        raise InvalidEmail("email must contain exactly one @")
    local, domain = email.split("@")
    _check_local_part(local)
    _check_domain(domain)
    return email


def _check_local_part(local: str) -> None:
    if not local:
        raise InvalidEmail("email has nothing before the @")
    if len(local) > MAX_LOCAL_PART_LENGTH:
        raise InvalidEmail(f"email part before the @ is longer than {MAX_LOCAL_PART_LENGTH}")
    if _LOCAL_PART.fullmatch(local) is None:
        raise InvalidEmail("email part before the @ has a character or dot it may not have")


def _check_domain(domain: str) -> None:
    labels = domain.split(".")
    if len(labels) < 2:
        raise InvalidEmail("email domain needs a dot")
    for label in labels:
        if len(label) > MAX_DOMAIN_LABEL_LENGTH or _DOMAIN_LABEL.fullmatch(label) is None:
            raise InvalidEmail(
                "email domain labels are letters, digits and inner hyphens, 1 to 63 long"
            )
    if _TLD.fullmatch(labels[-1]) is None:
        raise InvalidEmail("email top-level domain must be at least two letters")


# --- profile fields --------------------------------------------------------------------------

# IANA names: segments of letters, digits, `_`, `+`, `-` separated by single slashes. The shape
# check alone already rules out paths, `..` and anything a filesystem lookup could misread.
_TIMEZONE_SHAPE = re.compile(r"[A-Za-z][A-Za-z0-9_+-]*(?:/[A-Za-z0-9_+-]+)*")
# Present in the zoneinfo directory but not places a person lives: machine-specific or technical.
_NOT_USER_ZONES = frozenset({"localtime", "posixrules", "Factory"})


@lru_cache(maxsize=1)
def _known_timezones() -> frozenset[str]:
    # An exact-case set lookup behaves the same on every filesystem (macOS would accept
    # "europe/paris" through ZoneInfo itself and store a non-canonical key).
    return frozenset(available_timezones()) - _NOT_USER_ZONES


def validate_timezone(name: str) -> str:
    """An IANA time zone name known to zoneinfo, returned unchanged, or ValidationFailed."""
    if not name:
        raise ValidationFailed("timezone is empty")
    if len(name) > MAX_TIMEZONE_LENGTH:
        raise ValidationFailed(f"timezone is longer than {MAX_TIMEZONE_LENGTH} characters")
    if name.startswith("/") or ".." in name or _TIMEZONE_SHAPE.fullmatch(name) is None:
        raise ValidationFailed("timezone must be an IANA name such as Europe/Paris")
    if name != DEFAULT_TIMEZONE and name not in _known_timezones():
        raise ValidationFailed("timezone is not a known IANA time zone")
    return name


_FORBIDDEN_NAME_CATEGORIES = frozenset({"Cc", "Cs", "Zl", "Zp"})


def validate_name(name: str | None) -> str | None:
    """An optional display name, trimmed and NFC-normalised, 1..100 characters; blank means none."""
    if name is None:
        return None
    cleaned = unicodedata.normalize("NFC", name).strip()
    if not cleaned:
        return None
    if len(cleaned) > MAX_NAME_LENGTH:
        raise ValidationFailed(f"name is longer than {MAX_NAME_LENGTH} characters")
    # Control characters, lone surrogates and line/paragraph separators break logs, CSV exports
    # and DynamoDB's UTF-8 encoding; no real name needs them.
    if any(unicodedata.category(ch) in _FORBIDDEN_NAME_CATEGORIES for ch in cleaned):
        raise ValidationFailed("name contains control characters")
    return cleaned


# Storage keys separate their parts with it, so no user id can spell another item's key
# (docs/decisions/121-keys-that-cannot-collide.md).
KEY_SEPARATOR = "#"


def validate_user_id(user_id: str) -> str:
    """A UUID or identity-provider subject: 1..128 printable ASCII characters without spaces
    or `#`."""
    if not user_id or len(user_id) > MAX_USER_ID_LENGTH:
        raise ValidationFailed(f"user_id must be 1 to {MAX_USER_ID_LENGTH} characters")
    if not user_id.isascii() or not all(ch.isprintable() and not ch.isspace() for ch in user_id):
        raise ValidationFailed("user_id must be printable ASCII without spaces")
    if KEY_SEPARATOR in user_id:
        raise ValidationFailed(f"user_id must not contain {KEY_SEPARATOR!r}")
    return user_id


# --- life cycle ------------------------------------------------------------------------------


def register(
    user_id: str, email: str, name: str | None, timezone: str | None, now: datetime
) -> User:
    """A new user on the free tier who has not accepted the disclaimer yet."""
    moment = _utc(now)
    return User(
        user_id=validate_user_id(user_id),
        email=normalize_email(email),
        name=validate_name(name),
        tier=Tier.FREE,
        wellness_disclaimer_accepted=False,
        wellness_disclaimer_accepted_at=None,
        created_at=moment,
        updated_at=moment,
        last_login_at=None,
        timezone=DEFAULT_TIMEZONE if timezone is None else validate_timezone(timezone),
    )


def accept_disclaimer(user: User, now: datetime) -> User:
    """Record the first acceptance of the wellness disclaimer; accepting again changes nothing."""
    if user.wellness_disclaimer_accepted:
        return user
    moment = _utc(now)
    return replace(
        user,
        wellness_disclaimer_accepted=True,
        wellness_disclaimer_accepted_at=moment,
        updated_at=moment,
    )


def record_login(user: User, now: datetime) -> User:
    """The user as of a login at `now`."""
    moment = _utc(now)
    return replace(user, last_login_at=moment, updated_at=moment)


def change_tier(user: User, tier: Tier, now: datetime) -> User:
    """The user on `tier`; the same tier again changes nothing (not even `updated_at`)."""
    if user.tier is tier:
        return user
    return replace(user, tier=tier, updated_at=_utc(now))


def require_disclaimer(user: User) -> None:
    """Raise DisclaimerRequired unless the user has accepted the wellness disclaimer."""
    if not user.wellness_disclaimer_accepted:
        raise DisclaimerRequired("accept the wellness disclaimer before the first assessment")


def require_plan_features(tier: Tier) -> None:
    """Raise TierRequired unless the tier opens plans, calendar and progress (basic or higher)."""
    if not quota_of(tier).has_plans:
        raise TierRequired("plans, calendar and progress need the basic tier or higher")


def local_today(user: User, now: datetime) -> date:
    """The calendar date it is for the user at `now`, in the user's time zone."""
    return _utc(now).astimezone(_zone(user.timezone)).date()


def _zone(name: str) -> tzinfo:
    if name == DEFAULT_TIMEZONE:
        return UTC  # no dependency on the system's tz database for the default
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        # A zone stored earlier but missing from this machine's tz database: UTC beats a 500.
        return UTC


# --- logs ------------------------------------------------------------------------------------


def mask(value: str) -> str:
    """A stable, non-reversible short tag standing for an email or user id in logs."""
    return "u_" + hashlib.sha256(value.encode("utf-8")).hexdigest()[:10]


# --- helpers ---------------------------------------------------------------------------------


def _require_aware(field: str, value: datetime) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{field} must be a timezone-aware datetime")


def _utc(now: datetime) -> datetime:
    _require_aware("now", now)
    return now.astimezone(UTC)


PROFILE_FIELDS = (
    "name",
    "timezone",
    "last_login_at",
    "wellness_disclaimer_accepted",
    "wellness_disclaimer_accepted_at",
)
"""The fields a profile update may write (never email, tier or creation time)."""


def changed_profile_fields(read: User, updated: User) -> tuple[str, ...]:
    """The profile fields `updated` changes relative to `read`: what a guarded update writes."""
    return tuple(f for f in PROFILE_FIELDS if getattr(read, f) != getattr(updated, f))
