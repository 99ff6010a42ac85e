"""Who is calling: bearer JWTs (HS256) locally, the JWT authorizer's claims behind API Gateway.

An authenticator turns a request into a `Principal` or raises `Unauthenticated`. Routes act on
`Principal.sub` only; worker and admin routes also need the group (`Forbidden` otherwise).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from domain.errors import Forbidden

WORKER = "worker"
ADMIN = "admin"
GROUPS_CLAIM = "cognito:groups"
MAX_SUB_LENGTH = 128
# Printable ASCII without spaces, like domain.user.validate_user_id: the sub becomes a user id.
# No `#` either: it separates the parts of storage keys (decision 121).
_SUB = re.compile(r"[!\"$-~]{1,128}")
_BEARER = re.compile(r"(?i:bearer) +([A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]*)", re.ASCII)


class Unauthenticated(Exception):
    """No token, or one that is malformed, expired, tampered with or signed another way."""


@dataclass(frozen=True, slots=True)
class Principal:
    """The authenticated caller: `sub` is the user id every user route acts on."""

    sub: str
    email: str | None = None
    groups: frozenset[str] = frozenset()


Authenticator = Callable[[Request], Principal]


def principal_from_claims(claims: Mapping[str, Any]) -> Principal:
    """The principal named by verified claims; a missing or odd `sub` is Unauthenticated."""
    sub = claims.get("sub")
    if not isinstance(sub, str) or _SUB.fullmatch(sub) is None:
        raise Unauthenticated("the token has no usable subject")
    email = claims.get("email")
    return Principal(
        sub=sub,
        email=email if isinstance(email, str) and email else None,
        groups=_groups(claims.get(GROUPS_CLAIM)),
    )


def _groups(value: object) -> frozenset[str]:
    # A JSON list in our own tokens; API Gateway's HTTP API authorizer flattens a list claim
    # to the string "[worker admin]".
    if isinstance(value, list):
        return frozenset(item for item in value if isinstance(item, str))
    if isinstance(value, str):
        return frozenset(value.strip("[]").replace(",", " ").split())
    return frozenset()


def bearer_token(request: Request) -> str:
    """The compact JWT of the Authorization header, or Unauthenticated."""
    header = request.headers.get("authorization")
    match = _BEARER.fullmatch(header.strip()) if header else None
    if match is None:
        raise Unauthenticated("send Authorization: Bearer <token>")
    return match.group(1)


def hs256_authenticator(secret: str, *, issuer: str | None = None) -> Authenticator:
    """Verifies HS256 tokens signed with `secret` (local profiles); `exp` and `sub` required."""
    if not secret:
        raise ValueError("an HS256 secret is required")
    import jwt  # lazily: the aws profile never verifies tokens itself

    def authenticate(request: Request) -> Principal:
        token = bearer_token(request)
        try:
            claims = jwt.decode(
                token,
                secret,
                algorithms=["HS256"],
                issuer=issuer,
                options={"require": ["exp", "sub"], "verify_aud": False},
            )
        except jwt.PyJWTError as error:
            raise Unauthenticated(f"the token does not verify ({type(error).__name__})") from None
        return principal_from_claims(claims)

    return authenticate


def api_gateway_authenticator() -> Authenticator:
    """Reads the claims API Gateway's JWT authorizer verified (HTTP API v2 event, via Mangum)."""

    def authenticate(request: Request) -> Principal:
        event = request.scope.get("aws.event")
        try:
            claims = event["requestContext"]["authorizer"]["jwt"]["claims"]  # type: ignore[index]
        except (KeyError, TypeError):
            raise Unauthenticated("no authorizer claims on the request") from None
        if not isinstance(claims, Mapping):
            raise Unauthenticated("no authorizer claims on the request")
        return principal_from_claims(claims)

    return authenticate


_bearer_scheme = HTTPBearer(
    bearerFormat="JWT",
    auto_error=False,
    description="A JWT with `sub`, `email` and `cognito:groups`; HS256 in local profiles.",
)
# Declared for the OpenAPI document (the docs' Authorize button); verification is the
# authenticator's, which reads the header itself or API Gateway's claims.
_Documented = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer_scheme)]


async def _caller(request: Request, _: _Documented) -> Principal:
    # The application factory puts its authenticator on the app's state.
    authenticate: Authenticator = request.app.state.authenticate
    return authenticate(request)


def _member_of(group: str) -> Callable[..., Awaitable[Principal]]:
    async def member(request: Request, _: _Documented) -> Principal:
        principal = await _caller(request, _)
        if group not in principal.groups:
            raise Forbidden(f"this route needs the {group} group")
        return principal

    return member


Caller = Annotated[Principal, Depends(_caller)]
"""A route parameter: the authenticated caller (401 without a valid token)."""

Worker = Annotated[Principal, Depends(_member_of(WORKER))]
"""A route parameter: an authenticated member of `worker` (403 for anyone else)."""

Admin = Annotated[Principal, Depends(_member_of(ADMIN))]
"""A route parameter: an authenticated member of `admin` (403 for anyone else)."""
