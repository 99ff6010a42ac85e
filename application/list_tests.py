"""GET /v1/tests: the movement-test catalog (SPEC.md 3)."""

from __future__ import annotations

from dataclasses import dataclass

from domain.catalog import CATALOG, MovementTest


@dataclass(frozen=True, slots=True)
class ListTestsRequest:
    """The catalog takes no parameters."""


class ListTests:
    """Lists the 15 catalog tests by id, each with its name and the regions it screens.

    Rules enforced:
    - The catalog is fixed in code; it is the same for every caller, signed in or not.
    """

    def execute(self, request: ListTestsRequest | None = None) -> tuple[MovementTest, ...]:
        return tuple(sorted(CATALOG, key=lambda test: test.test_id))
