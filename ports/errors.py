"""Errors that any port may raise, independent of the technology behind it."""

from __future__ import annotations

from domain.errors import DomainError


class StorageUnavailable(DomainError):
    """The store stayed throttled or unreachable after bounded retries; nothing was written."""

    code = "STORAGE_UNAVAILABLE"


class InvalidCursor(DomainError):
    """A pagination cursor that this store did not issue."""

    code = "VALIDATION_ERROR"
