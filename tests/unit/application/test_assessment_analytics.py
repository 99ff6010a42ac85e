"""Admin analytics over the month index."""

from __future__ import annotations

from datetime import timedelta

import pytest

from application import assessment_analytics
from application.assessment_analytics import AssessmentAnalyticsRequest, CountAssessments
from domain.assessment import AssessmentStatus
from domain.errors import ValidationFailed
from domain.limits import new_limits
from domain.tiers import Tier
from tests.support.factories import T0, an_assessment
from tests.support.stores import Stores


def _started(stores: Stores, user_id: str, assessment_id: str, test_id: int, day: int) -> None:
    limits = new_limits(user_id, Tier.PROPLUS, T0)
    current = stores.limits.get(user_id)
    if current is not None:
        limits = current
    stores.assessments.start(
        an_assessment(user_id, assessment_id, test_id=test_id, created_at=T0 + timedelta(days=day)),
        limits,
    )


def test_attempts_are_counted_per_test_and_status_for_the_month(stores: Stores) -> None:
    _started(stores, "ann", "a1", 1, 0)
    _started(stores, "ann", "a2", 1, 1)
    _started(stores, "bob", "b1", 7, 2)
    _started(stores, "bob", "b2", 7, 10)  # 2026-12-05: another month

    result = CountAssessments(stores.assessments).execute(AssessmentAnalyticsRequest("2026-11"))

    by_test = {row.test_id: row for row in result.tests}
    assert result.total == 3
    assert by_test[1].counts[AssessmentStatus.PROCESSING.value] == 2
    assert by_test[7].total == 1
    assert by_test[2].total == 0
    assert len(result.tests) == 15


def test_every_page_of_the_month_is_read(stores: Stores, monkeypatch: pytest.MonkeyPatch) -> None:
    for n in range(5):
        _started(stores, f"user-{n}", f"a{n}", 3, 0)
    monkeypatch.setattr(assessment_analytics, "PAGE_SIZE", 2)  # force several pages
    result = CountAssessments(stores.assessments).execute(AssessmentAnalyticsRequest("2026-11"))

    assert result.total == 5


@pytest.mark.parametrize("month", ["2026-13", "2026-1", "26-11", "", "2026-11-01"])
def test_a_malformed_month_is_a_validation_error(stores: Stores, month: str) -> None:
    with pytest.raises(ValidationFailed):
        CountAssessments(stores.assessments).execute(AssessmentAnalyticsRequest(month))
