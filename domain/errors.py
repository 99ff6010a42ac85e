"""One hierarchy of domain errors, each with a stable code that the outside contract names.

Adapters translate technology errors into these; the HTTP adapter maps codes to statuses.
"""

from __future__ import annotations

from datetime import datetime


class DomainError(Exception):
    """Base of every error the core raises on purpose. `code` is stable and part of the API."""

    code: str = "DOMAIN_ERROR"

    def __init__(self, detail: str = "") -> None:
        super().__init__(detail or self.code)
        self.detail = detail or self.code


class ValidationFailed(DomainError):
    code = "VALIDATION_ERROR"


class InvalidEmail(ValidationFailed):
    code = "INVALID_EMAIL"


class NotFound(DomainError):
    code = "NOT_FOUND"


class Forbidden(DomainError):
    code = "FORBIDDEN"


class TierRequired(DomainError):
    code = "TIER_REQUIRED"


class DisclaimerRequired(DomainError):
    code = "DISCLAIMER_REQUIRED"


class Banned(DomainError):
    code = "BANNED"

    def __init__(self, ban_until: datetime, reason: str) -> None:
        super().__init__(f"banned until {ban_until.isoformat()} ({reason})")
        self.ban_until = ban_until
        self.reason = reason


class EmailTaken(DomainError):
    code = "EMAIL_TAKEN"


class AlreadyRegistered(DomainError):
    code = "ALREADY_REGISTERED"


class InvalidTransition(DomainError):
    code = "INVALID_TRANSITION"


class NoAssessments(DomainError):
    code = "NO_ASSESSMENTS"


class FutureTask(DomainError):
    code = "FUTURE_TASK"


class TooLate(DomainError):
    code = "TOO_LATE"


class QuotaExceeded(DomainError):
    """A start was refused by a limit; `resets_at` says when that limit's window ends."""

    code = "QUOTA"

    def __init__(self, resets_at: datetime, detail: str = "") -> None:
        super().__init__(detail or f"{self.code}: resets at {resets_at.isoformat()}")
        self.resets_at = resets_at


class HourlyQuotaExceeded(QuotaExceeded):
    code = "QUOTA_HOURLY"


class DailyQuotaExceeded(QuotaExceeded):
    code = "QUOTA_DAILY"


class MonthlyTestsQuotaExceeded(QuotaExceeded):
    code = "QUOTA_MONTHLY_TESTS"


class AttemptsPerTestExceeded(QuotaExceeded):
    code = "ATTEMPTS_PER_TEST"


class ConcurrentModification(DomainError):
    """Optimistic concurrency lost too many times in a row; safe to retry the request."""

    code = "CONFLICT"


class InvalidSignature(DomainError):
    """A webhook whose signature is bad, missing or stale."""

    code = "INVALID_SIGNATURE"


class UnknownPrice(DomainError):
    """A Stripe price id that maps to no tier."""

    code = "UNKNOWN_PRICE"
