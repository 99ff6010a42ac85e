"""Every failure leaves as application/problem+json: domain errors, input, auth, routing, bugs."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from adapters.http.auth import Unauthenticated
from adapters.http.problems import (
    INTERNAL_ERROR,
    MALFORMED_REQUEST,
    METHOD_NOT_ALLOWED,
    PROBLEM_JSON,
    UNAUTHENTICATED,
    Problem,
    problem,
    problem_of,
)
from domain.errors import DomainError

_log = logging.getLogger("flowlogic.http")

# Pydantic error types that mean the body was not JSON at all, rather than the wrong JSON.
_MALFORMED = frozenset({"json_invalid"})


class ProblemResponse(JSONResponse):
    media_type = PROBLEM_JSON


def respond(found: Problem) -> ProblemResponse:
    """The HTTP response carrying a problem."""
    return ProblemResponse(dict(found.body), status_code=found.status, headers=dict(found.headers))


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` entries documenting problem+json answers for `statuses`."""
    schema = {"schema": {"$ref": "#/components/schemas/ProblemOut"}}
    return {
        status: {
            "description": _DESCRIPTIONS.get(status, "Problem"),
            "content": {PROBLEM_JSON: schema},
        }
        for status in statuses
    }


_DESCRIPTIONS: Mapping[int, str] = {
    400: "Malformed input",
    401: "Missing or invalid bearer token (UNAUTHENTICATED)",
    403: "FORBIDDEN, TIER_REQUIRED, DISCLAIMER_REQUIRED or BANNED (with ban_until)",
    404: "NOT_FOUND",
    409: "EMAIL_TAKEN, ALREADY_REGISTERED, INVALID_TRANSITION or CONFLICT (retry)",
    413: "The body is larger than the service accepts",
    422: "VALIDATION_ERROR, INVALID_CURSOR or a domain refusal",
    429: "A quota is used up; Retry-After and resets_at say when it resets",
    502: "PAYMENT_PROVIDER_ERROR",
    503: "STORAGE_UNAVAILABLE; Retry-After",
}


def install_error_handlers(app: FastAPI, now: Callable[[], datetime]) -> None:
    """Register the handlers that turn every exception into a problem response."""

    async def domain_error(_: Request, error: Exception) -> ProblemResponse:
        assert isinstance(error, DomainError)
        found = problem_of(error, now())
        if found.status >= 500:
            _log.warning("dependency failure", extra={"code": error.code})
        return respond(found)

    async def unauthenticated(_: Request, error: Exception) -> ProblemResponse:
        found = problem(401, UNAUTHENTICATED, str(error) or "authentication required")
        return respond(
            Problem(found.status, found.body, {"WWW-Authenticate": 'Bearer realm="flowlogic"'})
        )

    async def invalid_request(_: Request, error: Exception) -> ProblemResponse:
        assert isinstance(error, RequestValidationError)
        details = _errors(error.errors())
        if any(item["type"] in _MALFORMED for item in details):
            return respond(problem(400, MALFORMED_REQUEST, "the body is not valid JSON"))
        return respond(
            problem(422, "VALIDATION_ERROR", "the request does not match the API", errors=details)
        )

    async def http_error(_: Request, error: Exception) -> ProblemResponse:
        assert isinstance(error, StarletteHTTPException)
        status = error.status_code
        code = {404: "NOT_FOUND", 405: METHOD_NOT_ALLOWED}.get(status, MALFORMED_REQUEST)
        found = problem(status, code, str(error.detail))
        return respond(Problem(found.status, found.body, dict(error.headers or {})))

    async def unexpected(_: Request, error: Exception) -> ProblemResponse:
        _log.error("unhandled error", exc_info=(type(error), error, error.__traceback__))
        return respond(problem(500, INTERNAL_ERROR, "an unexpected error; it has been logged"))

    app.add_exception_handler(DomainError, domain_error)
    app.add_exception_handler(Unauthenticated, unauthenticated)
    app.add_exception_handler(RequestValidationError, invalid_request)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(Exception, unexpected)


def _errors(raw: Sequence[Any]) -> list[dict[str, Any]]:
    """Pydantic's errors without the input values (they may be personal or huge)."""
    return [
        {
            "loc": [part if isinstance(part, int | str) else str(part) for part in item["loc"]],
            "msg": str(item.get("msg", "")),
            "type": str(item.get("type", "")),
        }
        for item in raw
    ]
