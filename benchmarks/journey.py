"""One user's whole journey through every use case, step by step, on the `local` profile.

The benchmarks run it to count the DynamoDB requests and capacity of each use case. Steps are
named after the use case they exercise; `measure(name, action)` wraps each one.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from dependency_injector import providers

from adapters.memory.clock import FixedClock
from application.accept_disclaimer import AcceptDisclaimerRequest
from application.apply_payment_event import ApplyPaymentEventRequest
from application.assessment_analytics import AssessmentAnalyticsRequest
from application.ban_user import BanUserRequest
from application.cancel_subscription import CancelSubscriptionRequest
from application.complete_attempt import CompleteAttemptRequest
from application.erase_account import EraseAccountRequest
from application.export_account import ExportAccountRequest
from application.fail_attempt import FailAttemptRequest
from application.generate_plan import GeneratePlanRequest
from application.get_active_plan import GetActivePlanRequest
from application.get_assessment import GetAssessmentRequest
from application.get_limits import GetLimitsRequest
from application.get_profile import GetProfileRequest
from application.get_progress import GetProgressRequest
from application.list_assessments import ListAssessmentsRequest
from application.list_subscriptions import ListSubscriptionsRequest
from application.list_tasks import ListTasksRequest
from application.record_login import RecordLoginRequest
from application.register_user import RegisterUserRequest
from application.schedule_calendar import ScheduleCalendarRequest
from application.send_reminders import SendRemindersRequest
from application.set_task_completion import SetTaskCompletionRequest
from application.start_attempt import StartAttemptRequest
from application.start_checkout import StartCheckoutRequest
from application.sweep_stale_attempts import SweepStaleAttemptsRequest
from application.top_streaks import TopStreaksRequest
from application.unban_user import UnbanUserRequest
from application.use_cases import UseCases
from domain.assessment import AssessmentResult, WorkerReport
from domain.calendar import today_in
from domain.regions import Region
from domain.scores import Score
from domain.windows import month_key
from infra.container import Container, create_container
from infra.settings import Settings
from ports.payments import PaymentEvent

TIMEZONE = "Europe/Berlin"
Measure = Callable[[str, Callable[[], Any]], Any]


@dataclass
class Bench:
    """A local-profile container with a movable clock and captured payment events."""

    container: Container
    use_cases: UseCases
    clock: FixedClock
    events: list[PaymentEvent]


def local_bench(endpoint: str | None = None, layout: str = "multi") -> Bench:
    values = {
        "FLOWLOGIC_PROFILE": "local",
        "FLOWLOGIC_STAGE": f"bench-{uuid.uuid4().hex[:8]}",
        "FLOWLOGIC_TABLE_LAYOUT": layout,
    }
    if endpoint:
        values["AWS_ENDPOINT_URL_DYNAMODB"] = endpoint
    container = create_container(Settings.model_validate(values))
    # Real time: the webhook verifier checks the simulator's signatures against the real clock.
    clock = FixedClock(datetime.now(UTC).replace(microsecond=0))
    container.clock.override(providers.Object(clock))
    captured: list[PaymentEvent] = []

    def capture(payload: bytes, signature: str) -> None:
        # Verified like the webhook route does; applied later, one event per measured step.
        captured.append(container.payments().parse_event(payload, signature))

    container.webhook_relay().target = capture
    return Bench(container, container.use_cases(), clock, captured)


def _report(score: Score, areas: tuple[Region, ...]) -> WorkerReport:
    return WorkerReport(0.9, 0.9, 0.4, AssessmentResult(score, 0.88, areas, {"knee_valgus": 0.2}))


def run_journey(bench: Bench, measure: Measure) -> None:
    """Every use case once (a few twice), in the order a real user meets them."""
    uc, clock = bench.use_cases, bench.clock
    user = f"bench-{uuid.uuid4()}"
    start = clock.now()
    measure(
        "register_user",
        lambda: uc.register_user.execute(
            RegisterUserRequest(user, f"{user[-12:]}@example.com", "Bench", TIMEZONE)
        ),
    )
    measure("get_profile", lambda: uc.get_profile.execute(GetProfileRequest(user)))
    measure("record_login", lambda: uc.record_login.execute(RecordLoginRequest(user)))
    measure(
        "accept_disclaimer", lambda: uc.accept_disclaimer.execute(AcceptDisclaimerRequest(user))
    )
    measure("list_tests", lambda: uc.list_tests.execute(None))
    attempts = []
    for test_id in (1, 3, 6):
        started = measure(
            "start_attempt",
            functools.partial(uc.start_attempt.execute, StartAttemptRequest(user, test_id)),
        )
        attempts.append(started.assessment.assessment_id)
    measure(
        "complete_attempt",
        lambda: uc.complete_attempt.execute(
            CompleteAttemptRequest(
                user, attempts[0], _report(Score.SIGNIFICANT, (Region.ANKLE, Region.KNEE))
            )
        ),
    )
    measure(
        "complete_attempt",
        lambda: uc.complete_attempt.execute(
            CompleteAttemptRequest(
                user, attempts[2], _report(Score.LIMITED, (Region.THORACIC_SPINE,))
            )
        ),
    )
    measure(
        "fail_attempt",
        lambda: uc.fail_attempt.execute(FailAttemptRequest(user, attempts[1], "worker crashed")),
    )
    measure("get_limits", lambda: uc.get_limits.execute(GetLimitsRequest(user)))
    measure(
        "list_assessments",
        lambda: uc.list_assessments.execute(ListAssessmentsRequest(user, limit=20)),
    )
    measure(
        "get_assessment", lambda: uc.get_assessment.execute(GetAssessmentRequest(user, attempts[0]))
    )

    session = measure(
        "start_checkout",
        lambda: uc.start_checkout.execute(
            StartCheckoutRequest(
                user, "pro", "https://app.example/ok", "https://app.example/cancel"
            )
        ),
    )
    bench.events.clear()
    bench.container.stripe_simulator().confirm_checkout(session.session_id)
    for event in list(bench.events):
        measure(
            "apply_payment_event",
            functools.partial(uc.apply_payment_event.execute, ApplyPaymentEventRequest(event)),
        )
    measure(
        "list_subscriptions", lambda: uc.list_subscriptions.execute(ListSubscriptionsRequest(user))
    )

    clock.set(start + timedelta(minutes=5))
    measure("generate_plan", lambda: uc.generate_plan.execute(GeneratePlanRequest(user)))
    measure("get_active_plan", lambda: uc.get_active_plan.execute(GetActivePlanRequest(user)))
    today = today_in(TIMEZONE, clock.now())
    tasks = measure(
        "schedule_calendar",
        lambda: uc.schedule_calendar.execute(ScheduleCalendarRequest(user, today, 14)),
    )
    measure("list_tasks", lambda: uc.list_tasks.execute(ListTasksRequest(user, today)))
    measure(
        "list_tasks",
        lambda: uc.list_tasks.execute(ListTasksRequest(user, today, today + timedelta(days=13))),
    )
    for task in [t for t in tasks if t.task_date == today]:
        measure(
            "set_task_completion",
            functools.partial(
                uc.set_task_completion.execute,
                SetTaskCompletionRequest(user, task.task_date, task.task_id, True),
            ),
        )
    measure(
        "get_progress",
        lambda: uc.get_progress.execute(
            GetProgressRequest(user, today, today + timedelta(days=13))
        ),
    )
    measure("top_streaks", lambda: uc.top_streaks.execute(TopStreaksRequest(user, 10)))
    measure(
        "send_reminders",
        lambda: uc.send_reminders.execute(SendRemindersRequest(today + timedelta(days=1))),
    )
    measure(
        "count_assessments",
        lambda: uc.count_assessments.execute(AssessmentAnalyticsRequest(month_key(start))),
    )
    measure(
        "sweep_stale_attempts", lambda: uc.sweep_stale_attempts.execute(SweepStaleAttemptsRequest())
    )
    measure(
        "ban_user",
        lambda: uc.ban_user.execute(
            BanUserRequest(user, clock.now() + timedelta(days=1), "benchmark")
        ),
    )
    measure("unban_user", lambda: uc.unban_user.execute(UnbanUserRequest(user)))
    bench.events.clear()
    measure(
        "cancel_subscription",
        lambda: uc.cancel_subscription.execute(CancelSubscriptionRequest(user)),
    )
    measure("export_account", lambda: uc.export_account.execute(ExportAccountRequest(user)))
    measure("erase_account", lambda: uc.erase_account.execute(EraseAccountRequest(user)))
