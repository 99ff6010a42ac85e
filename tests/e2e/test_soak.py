"""A short soak (benchmarks/soak.py) as part of the suite: ten seconds of concurrent virtual
users over HTTP on the local profile, then every invariant checked from outside."""

from __future__ import annotations

import pytest

from benchmarks import soak
from tests.support.dynamodb_backend import embedded_server


@pytest.mark.slow
def test_ten_seconds_of_concurrent_users_leave_no_violation_and_no_5xx() -> None:
    outcome = soak.run(10, accounts=3, seed=7, endpoint=embedded_server().start())

    report = outcome.report
    assert report.violations == []
    assert report.requests > 50
    assert not [s for codes in report.statuses.values() for s in codes if s >= 500]
    # The mix reached the writing routes, not only the reads.
    for route in ("PUT /v1/me", "POST /v1/me/assessments", "POST /v1/stripe/webhook"):
        assert report.statuses[route], route
