"""Bearer tokens for the local profiles (HS256 with FLOWLOGIC_JWT_SECRET)."""

from __future__ import annotations

import time
from collections.abc import Sequence

import jwt

ISSUER = "flowlogic-local"


def mint_token(
    secret: str,
    sub: str,
    email: str | None = None,
    groups: Sequence[str] = (),
    ttl_seconds: int = 3600,
    now: float | None = None,
) -> str:
    """A signed token with the claims API Gateway's JWT authorizer would pass on."""
    issued = int(now if now is not None else time.time())
    claims: dict[str, object] = {
        "sub": sub,
        "iss": ISSUER,
        "iat": issued,
        "exp": issued + ttl_seconds,
        "cognito:groups": list(groups),
    }
    if email:
        claims["email"] = email
    return jwt.encode(claims, secret, algorithm="HS256")
