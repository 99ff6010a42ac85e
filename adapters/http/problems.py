"""Errors as RFC 9457 problem documents with the stable codes of the outside contract.

Framework-free on purpose: the FastAPI handlers and the lean webhook Lambda build the same bodies.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from http import HTTPStatus
from typing import Any

from domain.errors import Banned, DomainError, QuotaExceeded
from domain.time import iso

PROBLEM_JSON = "application/problem+json"

# Codes raised by the HTTP layer itself, beside the domain's.
UNAUTHENTICATED = "UNAUTHENTICATED"
MALFORMED_REQUEST = "MALFORMED_REQUEST"
METHOD_NOT_ALLOWED = "METHOD_NOT_ALLOWED"
PAYLOAD_TOO_LARGE = "PAYLOAD_TOO_LARGE"
INTERNAL_ERROR = "INTERNAL_ERROR"

# How long a client should wait before retrying a lost race or an unavailable store.
RETRY_AFTER_CONFLICT_SECONDS = 1
RETRY_AFTER_UNAVAILABLE_SECONDS = 5

STATUS_OF_CODE: Mapping[str, int] = {
    MALFORMED_REQUEST: 400,
    "INVALID_SIGNATURE": 400,
    UNAUTHENTICATED: 401,
    "FORBIDDEN": 403,
    "TIER_REQUIRED": 403,
    "DISCLAIMER_REQUIRED": 403,
    "BANNED": 403,
    "NOT_FOUND": 404,
    METHOD_NOT_ALLOWED: 405,
    "EMAIL_TAKEN": 409,
    "ALREADY_REGISTERED": 409,
    "INVALID_TRANSITION": 409,
    "CONFLICT": 409,
    PAYLOAD_TOO_LARGE: 413,
    "VALIDATION_ERROR": 422,
    "INVALID_CURSOR": 422,
    "INVALID_EMAIL": 422,
    "NO_ASSESSMENTS": 422,
    "FUTURE_TASK": 422,
    "TOO_LATE": 422,
    "UNKNOWN_PRICE": 422,
    "QUOTA_HOURLY": 429,
    "QUOTA_DAILY": 429,
    "QUOTA_MONTHLY_TESTS": 429,
    "ATTEMPTS_PER_TEST": 429,
    INTERNAL_ERROR: 500,
    "PAYMENT_PROVIDER_ERROR": 502,
    "STORAGE_UNAVAILABLE": 503,
}

TITLE_OF_CODE: Mapping[str, str] = {
    MALFORMED_REQUEST: "The request body is not well-formed JSON",
    "INVALID_SIGNATURE": "The webhook signature does not verify",
    UNAUTHENTICATED: "A valid bearer token is required",
    "FORBIDDEN": "This route needs a role the caller does not have",
    "TIER_REQUIRED": "Plans, calendar and progress need the basic tier or higher",
    "DISCLAIMER_REQUIRED": "Accept the wellness disclaimer first",
    "BANNED": "Starting assessments is banned for now",
    "NOT_FOUND": "Not found",
    "EMAIL_TAKEN": "The email belongs to another account",
    "ALREADY_REGISTERED": "This account is registered with another email",
    "INVALID_TRANSITION": "The assessment has already finished",
    "CONFLICT": "A concurrent change won; retry the request",
    "VALIDATION_ERROR": "The request is not valid",
    "INVALID_CURSOR": "The cursor was not issued for this listing",
    "INVALID_EMAIL": "The email address is not valid",
    "NO_ASSESSMENTS": "No completed assessment in the last 90 days",
    "FUTURE_TASK": "The task is in the future",
    "TOO_LATE": "The task is too old to change",
    "UNKNOWN_PRICE": "The price maps to no tier",
    "QUOTA_HOURLY": "Hourly video quota reached",
    "QUOTA_DAILY": "Daily video quota reached",
    "QUOTA_MONTHLY_TESTS": "Monthly test quota reached",
    "ATTEMPTS_PER_TEST": "Attempts of this test today reached",
    "PAYMENT_PROVIDER_ERROR": "The payment provider failed",
    "STORAGE_UNAVAILABLE": "Storage is unavailable; retry later",
}


@dataclass(frozen=True, slots=True)
class Problem:
    """A problem response: status, JSON body and extra headers (Retry-After)."""

    status: int
    body: Mapping[str, Any]
    headers: Mapping[str, str] = field(default_factory=dict)


def problem_type(code: str) -> str:
    """The problem's `type` URI: stable per code, resolvable by nobody on purpose."""
    return "urn:flowlogic:problem:" + code.lower().replace("_", "-")


def status_of(error: DomainError) -> int:
    """The HTTP status of a domain error: by its code, else by the nearest known ancestor's."""
    for cls in type(error).__mro__:
        code = vars(cls).get("code")
        if isinstance(code, str) and code in STATUS_OF_CODE:
            return STATUS_OF_CODE[code]
    return 422  # a refusal of the request that no table names yet


def problem(
    status: int, code: str, detail: str, *, headers: Mapping[str, str] | None = None, **extra: Any
) -> Problem:
    """A problem document with the given status, stable code and detail."""
    body: dict[str, Any] = {
        "type": problem_type(code),
        "title": TITLE_OF_CODE.get(code) or HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "code": code,
    }
    body.update(extra)
    return Problem(status, body, dict(headers or {}))


def problem_of(error: DomainError, now: datetime) -> Problem:
    """The problem answering a domain error; quotas and bans say when they end."""
    status = status_of(error)
    if isinstance(error, QuotaExceeded):
        return problem(
            status,
            error.code,
            error.detail,
            headers={"Retry-After": str(seconds_until(error.resets_at, now))},
            resets_at=iso(error.resets_at),
        )
    if isinstance(error, Banned):
        return problem(status, error.code, error.detail, ban_until=iso(error.ban_until))
    if status == 503:
        headers = {"Retry-After": str(RETRY_AFTER_UNAVAILABLE_SECONDS)}
        return problem(status, error.code, error.detail, headers=headers)
    if error.code == "CONFLICT":
        headers = {"Retry-After": str(RETRY_AFTER_CONFLICT_SECONDS)}
        return problem(status, error.code, error.detail, headers=headers)
    return problem(status, error.code, error.detail)


def seconds_until(moment: datetime, now: datetime) -> int:
    """Whole seconds from `now` until `moment`, rounded up, at least 1 (a Retry-After value)."""
    return max(1, math.ceil((moment - now).total_seconds()))
