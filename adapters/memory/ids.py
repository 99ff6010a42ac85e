"""Deterministic identifiers for tests."""

from __future__ import annotations

import uuid


class SequentialIds:
    """Version-4-shaped UUIDs numbered from `start`: 00000000-0000-4000-8000-000000000001, ..."""

    def __init__(self, start: int = 1) -> None:
        self._next = start
        self.issued: list[str] = []

    def new_id(self) -> str:
        """The next id in the sequence."""
        new = str(uuid.UUID(int=self._next, version=4))
        self._next += 1
        self.issued.append(new)
        return new
