"""Opaque pagination cursors: base64url of a small JSON object naming the last item returned.

Every listing's cursor also names what was listed (user, month, test, date), so a cursor of one
listing never silently continues another (docs/decisions/068-cross-user-listings.md).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from typing import Any

from domain.errors import ValidationFailed
from ports.errors import InvalidCursor


def encode(position: Mapping[str, str | int]) -> str:
    """The position as base64url JSON without padding."""
    text = json.dumps(dict(position), sort_keys=True, separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode(cursor: str, fields: Mapping[str, type]) -> dict[str, Any]:
    """The position inside `cursor`, holding exactly `fields` with their types, or InvalidCursor."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        position = json.loads(raw.decode())
    except (binascii.Error, ValueError, UnicodeDecodeError) as error:
        raise InvalidCursor("the cursor was not issued by this listing") from error
    if not isinstance(position, dict) or set(position) != set(fields):
        raise InvalidCursor("the cursor was not issued by this listing")
    for name, kind in fields.items():
        value = position[name]
        if not isinstance(value, kind) or isinstance(value, bool):
            raise InvalidCursor("the cursor was not issued by this listing")
    return position


def require_same(position: Mapping[str, Any], name: str, expected: str | int) -> None:
    """A cursor of another user, month, test or date does not continue this listing."""
    if position[name] != expected:
        raise InvalidCursor("the cursor belongs to another listing")


def require_limit(limit: int) -> None:
    """A page holds at least one item (DynamoDB's `Limit` is at least 1)."""
    if limit < 1:
        raise ValidationFailed(f"limit must be at least 1, got {limit}")
