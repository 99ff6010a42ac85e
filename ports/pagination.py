"""A page of a longer listing and the opaque cursor to the next one."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """`next_cursor` is opaque to callers; None means this was the last page."""

    items: Sequence[T]
    next_cursor: str | None = None
