"""Admin analytics: attempts of a month, counted per test and status (SPEC.md 4; issue 8)."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from domain.assessment import AssessmentStatus
from domain.catalog import CATALOG
from domain.errors import ValidationFailed
from ports.assessments import AssessmentRepository

PAGE_SIZE = 500
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


@dataclass(frozen=True, slots=True)
class AssessmentAnalyticsRequest:
    month: str


@dataclass(frozen=True, slots=True)
class TestCounts:
    test_id: int
    test_name: str
    counts: dict[str, int]  # every status, zero included
    total: int

    __test__ = False  # a result row, not a pytest class


@dataclass(frozen=True, slots=True)
class AssessmentAnalytics:
    month: str
    tests: tuple[TestCounts, ...]
    total: int


class CountAssessments:
    """Counts every user's attempts of one month by test and status.

    Rules enforced:
    - `month` is `YYYY-MM` (VALIDATION_ERROR otherwise).
    - Reads the month index page by page (no scan); every catalog test is listed, zeros included.
    """

    def __init__(self, assessments: AssessmentRepository) -> None:
        self._assessments = assessments

    def execute(self, request: AssessmentAnalyticsRequest) -> AssessmentAnalytics:
        if not _MONTH.match(request.month):
            raise ValidationFailed("month must be YYYY-MM")
        counted: Counter[tuple[int, str]] = Counter()
        cursor: str | None = None
        while True:
            page = self._assessments.of_month(request.month, limit=PAGE_SIZE, cursor=cursor)
            counted.update((a.test_id, a.status.value) for a in page.items)
            cursor = page.next_cursor
            if cursor is None:
                break
        rows = tuple(
            TestCounts(
                test_id=test.test_id,
                test_name=test.name,
                counts={s.value: counted[(test.test_id, s.value)] for s in AssessmentStatus},
                total=sum(counted[(test.test_id, s.value)] for s in AssessmentStatus),
            )
            for test in CATALOG
        )
        return AssessmentAnalytics(request.month, rows, sum(row.total for row in rows))
