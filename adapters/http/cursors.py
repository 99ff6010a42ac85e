"""Pagination cursors that clients cannot forge, alter or carry to another listing.

The store's own cursor is wrapped as `base64url(cursor).base64url(mac)`, the MAC being an
HMAC-SHA256 over the caller, the listing (route and filters) and the cursor. A cursor changed by
one bit, issued to another user or for another filter fails verification: INVALID_CURSOR (422).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac

from domain.errors import ValidationFailed

MAC_BYTES = 16
MAX_CURSOR_LENGTH = 2048
_DOMAIN = b"flowlogic-cursor-v1"


class InvalidCursorToken(ValidationFailed):
    """A cursor that this service did not issue for this caller and listing."""

    code = "INVALID_CURSOR"


class CursorSeal:
    """Seals store cursors for one caller and listing, and opens what it sealed."""

    def __init__(self, secret: bytes) -> None:
        if len(secret) < 16:
            raise ValueError("the cursor secret needs at least 16 bytes")
        self._secret = secret

    def seal(self, cursor: str | None, *, owner: str, listing: str) -> str | None:
        """The client-facing cursor for the store's `cursor` (None stays None: the last page)."""
        if cursor is None:
            return None
        raw = cursor.encode()
        return f"{_b64(raw)}.{_b64(self._mac(raw, owner, listing))}"

    def open(self, token: str | None, *, owner: str, listing: str) -> str | None:
        """The store cursor inside `token`, or InvalidCursorToken when it was not sealed so."""
        if token is None:
            return None
        body, dot, mac = token.partition(".")
        if not dot or len(token) > MAX_CURSOR_LENGTH:
            raise InvalidCursorToken("the cursor is not one this service issued")
        try:
            raw = _unb64(body)
            given = _unb64(mac)
            cursor = raw.decode()
        except (ValueError, UnicodeDecodeError):
            raise InvalidCursorToken("the cursor is not one this service issued") from None
        if not hmac.compare_digest(given, self._mac(raw, owner, listing)):
            raise InvalidCursorToken("the cursor is not one this service issued for this listing")
        return cursor

    def _mac(self, raw: bytes, owner: str, listing: str) -> bytes:
        message = b"\x00".join((_DOMAIN, owner.encode(), listing.encode(), raw))
        return hmac.new(self._secret, message, hashlib.sha256).digest()[:MAC_BYTES]


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    if not text.isascii():
        raise ValueError("not base64url")
    try:
        # Canonical form only: re-encoding must give the same text, so no two tokens are equal.
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except binascii.Error as error:
        raise ValueError("not base64url") from error
    if _b64(raw) != text:
        raise ValueError("not canonical base64url")
    return raw
