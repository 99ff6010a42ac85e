"""The use cases themselves under concurrency, on the DynamoDB adapters: fifty starts of one
user at once admit exactly the hourly quota, and concurrent plan generations leave one plan
active (issue: DynamoDB adapters, item 5)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import TYPE_CHECKING

import pytest

from adapters.dynamodb.layout import Layout
from adapters.memory.clock import FixedClock
from adapters.memory.video_storage import FakeVideoStorage
from adapters.system.ids import Uuid4Ids
from application.generate_plan import GeneratePlan, GeneratePlanRequest
from application.start_attempt import StartAttempt, StartAttemptRequest
from domain.assessment import AssessmentStatus
from domain.errors import Banned, DomainError, QuotaExceeded
from domain.tiers import Tier
from domain.user import accept_disclaimer, change_tier
from tests.integration.racing import all_at_once, frequent_switches, stored_attempts
from tests.support.factories import T0, a_user, an_assessment, limits_for
from tests.support.stores import Stores

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

USER = "racer-1"
NOW = T0 + timedelta(minutes=10)


@pytest.fixture(autouse=True)
def frequent_thread_switches() -> Iterator[None]:
    with frequent_switches():
        yield


def test_fifty_simultaneous_start_attempt_requests_admit_exactly_five(
    stores: Stores, client: DynamoDBClient, layout: Layout
) -> None:
    user = accept_disclaimer(a_user(USER), T0)
    stores.users.add(user, limits_for(user))
    clock = FixedClock(NOW)
    use_case = StartAttempt(
        stores.snapshots, stores.limits, stores.assessments, FakeVideoStorage(), Uuid4Ids(), clock
    )

    outcomes = all_at_once(50, lambda n: use_case.execute(StartAttemptRequest(USER, n % 3 + 1)))

    admitted = [o for o in outcomes if not isinstance(o, BaseException)]
    refused = [o for o in outcomes if isinstance(o, BaseException)]
    assert len(admitted) == 5
    assert all(isinstance(error, QuotaExceeded | Banned) for error in refused), refused
    assert stored_attempts(client, layout, USER) == 5
    limits = stores.limits.get(USER)
    assert limits is not None
    assert limits.video_quota_used_hourly == 5
    # 45 refusals by the hourly quota: the 10th strike banned the user for abuse.
    assert limits.ban_reason == "VIDEO_ABUSE"


def test_simultaneous_plan_generations_leave_exactly_one_active_plan(stores: Stores) -> None:
    user = change_tier(accept_disclaimer(a_user(USER), T0), Tier.PRO, T0)
    stores.users.add(user, limits_for(user))
    stored_limits = stores.limits.get(USER)
    assert stored_limits is not None
    stores.assessments.start(
        an_assessment(USER, "a-1", status=AssessmentStatus.COMPLETED, created_at=NOW),
        stored_limits,
    )
    clock = FixedClock(NOW)
    use_case = GeneratePlan(stores.snapshots, stores.plans, stores.calendar, stores.progress, clock)

    outcomes = all_at_once(4, lambda _: use_case.execute(GeneratePlanRequest(USER)))

    errors = [o for o in outcomes if isinstance(o, BaseException)]
    assert all(isinstance(e, DomainError) and e.code == "CONFLICT" for e in errors), errors
    plans = stores.plans.list_for_user(USER)
    assert len(plans) >= 1
    assert sum(plan.is_active for plan in plans) == 1
    active = stores.plans.get_active(USER)
    assert active is not None
    assert active.version == max(plan.version for plan in plans)
