"""The analysis verdict of a movement test and its severity (SPEC.md sections 4 and 7)."""

from __future__ import annotations

from enum import StrEnum


class Score(StrEnum):
    PASS = "pass"  # noqa: S105 (a verdict, not a password)
    LIMITED = "limited"
    SIGNIFICANT = "significant"

    @property
    def severity(self) -> int:
        """pass=0, limited=1, significant=2: used for plan weights and test improvements."""
        return _SEVERITY[self]

    @property
    def flags_regions(self) -> bool:
        return self is not Score.PASS


_SEVERITY = {Score.PASS: 0, Score.LIMITED: 1, Score.SIGNIFICANT: 2}
