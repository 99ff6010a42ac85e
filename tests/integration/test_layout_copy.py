"""`flowlogic layout copy`: a stage moved between layouts answers as before, a copy killed
halfway and run again ends identical, and the verification notices any difference."""

from __future__ import annotations

import contextlib
import functools
import io
import json
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from dependency_injector import providers

from adapters.dynamodb.attributes import Item
from adapters.dynamodb.layout import Layout, layout_for
from adapters.dynamodb.layout_copy import convert, scan_items
from adapters.dynamodb.layout_verify import verify
from adapters.memory.clock import FixedClock
from application.accept_disclaimer import AcceptDisclaimerRequest
from application.apply_payment_event import ApplyPaymentEventRequest
from application.complete_attempt import CompleteAttemptRequest
from application.export_account import ExportAccountRequest
from application.generate_plan import GeneratePlanRequest
from application.get_active_plan import GetActivePlanRequest
from application.get_limits import GetLimitsRequest
from application.get_profile import GetProfileRequest
from application.get_progress import GetProgressRequest
from application.list_assessments import ListAssessmentsRequest
from application.list_tasks import ListTasksRequest
from application.record_login import RecordLoginRequest
from application.register_user import RegisterUserRequest
from application.schedule_calendar import ScheduleCalendarRequest
from application.set_task_completion import SetTaskCompletionRequest
from application.start_attempt import StartAttemptRequest
from application.start_checkout import StartCheckoutRequest
from application.top_streaks import TopStreaksRequest
from application.use_cases import UseCases
from domain.assessment import AssessmentResult, WorkerReport
from domain.calendar import today_in
from domain.regions import Region
from domain.scores import Score
from infra.cli import main
from infra.container import Container, create_container
from infra.embedded import EmbeddedDynamoDB
from infra.layout_copy import copy_layout
from infra.settings import Settings
from ports.payments import PaymentEvent

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

TIMEZONE = "Europe/Berlin"


@dataclass
class Stage:
    """A stage on the test server: its settings per layout, one clock for every container."""

    name: str
    endpoint: str
    clock: FixedClock

    def settings(self, layout: str) -> Settings:
        return Settings.model_validate(
            {
                "FLOWLOGIC_PROFILE": "local",
                "FLOWLOGIC_STAGE": self.name,
                "FLOWLOGIC_TABLE_LAYOUT": layout,
                "AWS_ENDPOINT_URL_DYNAMODB": self.endpoint,
                "FLOWLOGIC_INDEX_SHARDS": "4",
            }
        )

    def container(self, layout: str) -> Container:
        container = create_container(self.settings(layout))
        container.clock.override(providers.Object(self.clock))
        return container

    def layout(self, name: str) -> Layout:
        return layout_for(name, self.name, 4)


@contextlib.contextmanager
def fresh_stage(server: EmbeddedDynamoDB, client: DynamoDBClient, prefix: str) -> Iterator[Stage]:
    """A new stage on the test server; both layouts' tables are deleted afterwards."""
    # Real time: the webhook verifier checks the simulator's signatures against the real clock.
    now = datetime.now(UTC).replace(microsecond=0)
    found = Stage(prefix + uuid.uuid4().hex[:10], server.endpoint, FixedClock(now))
    try:
        yield found
    finally:
        for name in ("multi", "single"):
            for table in found.layout(name).table_names():
                with contextlib.suppress(client.exceptions.ResourceNotFoundException):
                    client.delete_table(TableName=table)


@pytest.fixture
def stage(server: EmbeddedDynamoDB, client: DynamoDBClient) -> Iterator[Stage]:
    with fresh_stage(server, client, "copy") as found:
        yield found


def _report(score: Score, area: Region) -> WorkerReport:
    return WorkerReport(0.9, 0.9, 0.4, AssessmentResult(score, 0.88, (area,), {}))


def upgrade(container: Container, user: str) -> None:
    """Checkout of the pro tier through the Stripe simulator, its events applied."""
    events: list[PaymentEvent] = []
    container.webhook_relay().target = lambda payload, signature: events.append(
        container.payments().parse_event(payload, signature)
    )
    uc = container.use_cases()
    session = uc.start_checkout.execute(
        StartCheckoutRequest(user, "pro", "https://app.example/ok", "https://app.example/no")
    )
    container.stripe_simulator().confirm_checkout(session.session_id)
    for event in events:
        uc.apply_payment_event.execute(ApplyPaymentEventRequest(event))


def first_half(container: Container, clock: FixedClock, user: str) -> None:
    """Register, pro tier, three attempts (two completed), a plan, two weeks of tasks, today's
    half done."""
    uc = container.use_cases()
    uc.register_user.execute(RegisterUserRequest(user, f"{user}@example.com", "Ada", TIMEZONE))
    uc.accept_disclaimer.execute(AcceptDisclaimerRequest(user))
    upgrade(container, user)
    attempts = [
        uc.start_attempt.execute(StartAttemptRequest(user, test_id)).assessment.assessment_id
        for test_id in (1, 3, 6)
    ]
    uc.complete_attempt.execute(
        CompleteAttemptRequest(user, attempts[0], _report(Score.LIMITED, Region.KNEE))
    )
    uc.complete_attempt.execute(
        CompleteAttemptRequest(user, attempts[2], _report(Score.SIGNIFICANT, Region.SHOULDER))
    )
    clock.set(clock.now() + timedelta(minutes=5))
    uc.generate_plan.execute(GeneratePlanRequest(user))
    today = today_in(TIMEZONE, clock.now())
    tasks = uc.schedule_calendar.execute(ScheduleCalendarRequest(user, today, 14))
    todays = [task for task in tasks if task.task_date == today]
    for task in todays[: len(todays) // 2 or 1]:
        uc.set_task_completion.execute(
            SetTaskCompletionRequest(user, task.task_date, task.task_id, True)
        )


def second_half(uc: UseCases, clock: FixedClock, user: str) -> list[Any]:
    """The rest of the journey, writes included; every answer, in order."""
    today = today_in(TIMEZONE, clock.now())
    answers: list[Any] = []

    def answer(action: Callable[[], Any]) -> None:
        answers.append(action())

    answer(lambda: uc.get_profile.execute(GetProfileRequest(user)))
    answer(lambda: uc.get_limits.execute(GetLimitsRequest(user)))
    answer(lambda: uc.list_assessments.execute(ListAssessmentsRequest(user, limit=20)))
    answer(lambda: uc.get_active_plan.execute(GetActivePlanRequest(user)))
    fortnight = today + timedelta(days=13)
    answer(lambda: uc.list_tasks.execute(ListTasksRequest(user, today, fortnight)))
    answer(lambda: uc.record_login.execute(RecordLoginRequest(user)))
    for day in (today - timedelta(days=1), today):
        for task in uc.list_tasks.execute(ListTasksRequest(user, day)):
            if not task.completed:
                request = SetTaskCompletionRequest(user, task.task_date, task.task_id, True)
                answer(functools.partial(uc.set_task_completion.execute, request))
    answer(lambda: uc.get_progress.execute(GetProgressRequest(user, today, fortnight)))
    answer(lambda: uc.top_streaks.execute(TopStreaksRequest(user, 10)))
    answer(lambda: uc.get_limits.execute(GetLimitsRequest(user)))
    answer(lambda: uc.export_account.execute(ExportAccountRequest(user)))
    return answers


def run_copy(stage: Stage, target: str, checkpoint: Path, **options: Any) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    code = copy_layout(
        stage.settings(target),
        target,
        checkpoint=str(checkpoint),
        out=out,
        err=err,
        **options,
    )
    return code, out.getvalue() + err.getvalue()


def stored_items(client: DynamoDBClient, layout: Layout) -> list[str]:
    """Every item of the layout's tables with its table, as sorted JSON texts."""
    return sorted(
        json.dumps([table, item], sort_keys=True) for table, item in scan_items(client, layout)
    )


def converted_items(client: DynamoDBClient, source: Layout, target: Layout) -> list[str]:
    """What the target should hold: every source item converted, as sorted JSON texts."""
    found: list[str] = []
    for table, item in scan_items(client, source):
        converted = convert(source, target, table, item)
        assert converted is not None
        found.append(json.dumps([converted.table, converted.item], sort_keys=True))
    return sorted(found)


def test_a_journey_on_multi_continues_on_single_with_identical_answers(
    stage: Stage, tmp_path: Path
) -> None:
    multi = stage.container("multi")
    user = "u" + uuid.uuid4().hex[:12]
    first_half(multi, stage.clock, user)

    code, output = run_copy(stage, "single", tmp_path / "checkpoint.json")

    assert code == 0, output
    assert "Verified" in output
    assert not (tmp_path / "checkpoint.json").exists()
    single = stage.container("single")
    stage.clock.set(stage.clock.now() + timedelta(hours=1))
    on_single = second_half(single.use_cases(), stage.clock, user)
    # The same second half on the untouched multi tables: the answers multi would have given.
    on_multi = second_half(multi.use_cases(), stage.clock, user)
    assert on_single == on_multi
    assert len(on_single) > 10


@pytest.mark.parametrize(("source", "target"), [("multi", "single"), ("single", "multi")])
def test_a_copy_killed_halfway_and_run_again_ends_identical(
    stage: Stage, client: DynamoDBClient, tmp_path: Path, source: str, target: str
) -> None:
    on_source = stage.container(source)
    for number in range(3):
        first_half(on_source, stage.clock, f"u{number}{uuid.uuid4().hex[:8]}")
    checkpoint = tmp_path / "checkpoint.json"
    written = 0

    def crash_after_twenty(count: int) -> None:
        nonlocal written
        written += count
        if written >= 20:
            raise KeyboardInterrupt  # the process dies: no handler of ours runs

    with pytest.raises(KeyboardInterrupt):
        run_copy(stage, target, checkpoint, page_size=5, on_copied=crash_after_twenty)

    assert checkpoint.exists()
    total = len(stored_items(client, stage.layout(source)))
    assert 0 < len(stored_items(client, stage.layout(target))) < total
    code, output = run_copy(stage, target, checkpoint, page_size=5)

    assert code == 0, output
    assert "Resuming" in output
    assert stored_items(client, stage.layout(target)) == converted_items(
        client, stage.layout(source), stage.layout(target)
    )
    # Run once more: idempotent, nothing changes.
    assert run_copy(stage, target, checkpoint)[0] == 0
    assert len(stored_items(client, stage.layout(target))) == total


def test_a_copy_that_fails_says_it_resumes_and_exits_one(stage: Stage, tmp_path: Path) -> None:
    first_half(stage.container("multi"), stage.clock, "u" + uuid.uuid4().hex[:8])

    def fail(count: int) -> None:
        raise RuntimeError("throttled for good")

    code, output = run_copy(stage, "single", tmp_path / "c.json", on_copied=fail)

    assert code == 1
    assert "run the same command again" in output
    assert run_copy(stage, "single", tmp_path / "c.json")[0] == 0


def test_the_verification_notices_a_missing_or_altered_item(
    stage: Stage, client: DynamoDBClient, tmp_path: Path
) -> None:
    user = "u" + uuid.uuid4().hex[:12]
    first_half(stage.container("multi"), stage.clock, user)
    assert run_copy(stage, "single", tmp_path / "c.json")[0] == 0
    multi, single = stage.layout("multi"), stage.layout("single")
    assert verify(client, multi, single).identical

    name = single.table_names()[0]
    altered: Item = single.stored("users", {**_user_item(client, multi, user), "name": {"S": "X"}})
    client.put_item(TableName=name, Item=altered)
    found = verify(client, multi, single)
    assert not found.identical
    assert any("user export" in line and "users" in line for line in found.differences)
    assert user not in " ".join(found.differences)  # user ids are never printed

    client.delete_item(TableName=name, Key=single.limits_key(user))
    found = verify(client, multi, single)
    assert "user-limits: 1 item(s) in multi, 0 in single" in found.differences


def _user_item(client: DynamoDBClient, multi: Layout, user: str) -> Item:
    got = client.get_item(TableName=multi.table("users"), Key=multi.user_key(user))
    return multi.documented("users", got["Item"])


def test_a_dry_run_counts_and_writes_nothing(
    stage: Stage, client: DynamoDBClient, tmp_path: Path
) -> None:
    first_half(stage.container("multi"), stage.clock, "u" + uuid.uuid4().hex[:8])

    code, output = run_copy(stage, "single", tmp_path / "c.json", dry_run=True)

    assert code == 0
    assert "Dry run" in output
    assert "calendar-tasks" in output
    assert stage.layout("single").table_names()[0] not in client.list_tables()["TableNames"]
    assert not (tmp_path / "c.json").exists()


def test_a_copy_from_a_layout_without_tables_exits_two(stage: Stage, tmp_path: Path) -> None:
    code, output = run_copy(stage, "multi", tmp_path / "c.json")

    assert code == 2
    assert "nothing to copy from" in output


def test_the_command_copies_the_configured_stage_and_says_so(
    stage: Stage,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    first_half(stage.container("multi"), stage.clock, "u" + uuid.uuid4().hex[:8])
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("FLOWLOGIC_PROFILE", "local")
    monkeypatch.setenv("FLOWLOGIC_STAGE", stage.name)
    monkeypatch.setenv("FLOWLOGIC_INDEX_SHARDS", "4")
    monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", stage.endpoint)

    code = main(["layout", "copy", "--to", "single", "--segments", "2"])

    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "Verified: same items per entity, 1 user export(s) identical." in captured.out
    assert "copy multi -> single" in captured.err  # the progress bar
    assert not list(tmp_path.glob("flowlogic-copy-*.json"))  # done: no checkpoint left
