"""Where new identifiers come from."""

from __future__ import annotations

from typing import Protocol, runtime_checkable


@runtime_checkable
class IdSource(Protocol):
    """Hands out fresh unique identifiers."""

    def new_id(self) -> str:
        """A new UUID4 string."""
        ...
