"""The data commands of `flowlogic`: tables create, migrate and reminders, and the scheduled
reminder Lambda, on the local profile against the suite's embedded DynamoDB server."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest

import infra.container
import infra.lambda_reminders
from adapters.dynamodb import keys
from adapters.dynamodb.layout import LAYOUTS, layout_for
from adapters.dynamodb.layout_multi import ACTIVE_INDEX, MultiLayout
from application.send_reminders import REMINDER_EVENT, reminder_event_id
from infra.cli import main
from infra.container import Container
from infra.lambda_reminders import RemindersFailed, handler
from tests.e2e.service import Service, running
from tests.e2e.users import expect, register, seeded
from tests.support.dynamodb_backend import embedded_server, shared_client


@pytest.fixture
def local() -> Iterator[Service]:
    """A fresh local-profile service (its own stage on the embedded server)."""
    with running("local") as service:
        yield service


def use_service_tables(monkeypatch: pytest.MonkeyPatch, service: Service) -> None:
    """Point the command at the service's endpoint and stage."""
    settings = service.container.settings()
    assert settings.dynamodb_endpoint is not None
    monkeypatch.setenv("FLOWLOGIC_PROFILE", "local")
    monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", settings.dynamodb_endpoint)
    monkeypatch.setenv("FLOWLOGIC_STAGE", settings.stage)


def local_stage(monkeypatch: pytest.MonkeyPatch, prefix: str, layout_name: str) -> str:
    """A new stage of the local profile in this layout on the test server; its name."""
    stage = f"{prefix}-{uuid.uuid4().hex[:10]}"
    monkeypatch.setenv("FLOWLOGIC_PROFILE", "local")
    monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", embedded_server().start())
    monkeypatch.setenv("FLOWLOGIC_STAGE", stage)
    monkeypatch.setenv("FLOWLOGIC_TABLE_LAYOUT", layout_name)
    return stage


def built_containers(monkeypatch: pytest.MonkeyPatch) -> list[Container]:
    """The containers the commands build from now on, to look at their in-process events."""
    built: list[Container] = []
    create = infra.container.create_container

    def recording(settings: Any = None) -> Container:
        container = create(settings)
        built.append(container)
        return container

    monkeypatch.setattr(infra.container, "create_container", recording)
    return built


def reminded(container: Container) -> dict[str, str]:
    """user id -> task date of every reminder the container published."""
    events = container.in_process_events().published
    return {e.detail["user_id"]: e.detail["task_date"] for e in events if e.name == REMINDER_EVENT}


# --- tables create ------------------------------------------------------------------------------


@pytest.mark.parametrize("layout_name", LAYOUTS)
def test_tables_create_makes_the_layouts_tables_active_and_a_second_run_changes_nothing(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, layout_name: str
) -> None:
    stage = local_stage(monkeypatch, "cli", layout_name)
    names = layout_for(layout_name, stage, 16).table_names()
    client = shared_client()
    try:
        first = main(["tables", "create"])
        created = capsys.readouterr().out

        second = main(["tables", "create"])
        again = capsys.readouterr().out
    finally:
        for name in names:
            with contextlib.suppress(client.exceptions.ResourceNotFoundException):
                client.delete_table(TableName=name)

    assert (first, second) == (0, 0)
    assert [line for line in created.splitlines() if line.startswith("created ")] == [
        f"created {name}" for name in names
    ]
    count = len(names)
    tables = "tables" if count > 1 else "table"
    assert f"{count} table(s) created; the {count} {tables} of stage '{stage}'" in created
    assert f"({layout_name} layout)" in created
    assert "are active" in created
    assert again.startswith("Nothing changed:")
    assert "created " not in again


def test_tables_create_warns_about_an_existing_table_without_the_defined_indexes(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    stage = f"cli-{uuid.uuid4().hex[:10]}"
    monkeypatch.setenv("FLOWLOGIC_PROFILE", "local")
    monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", embedded_server().start())
    monkeypatch.setenv("FLOWLOGIC_STAGE", stage)
    client = shared_client()
    layout = MultiLayout(stage, 16)
    plans = layout.table(keys.PLANS)
    client.create_table(  # an older plans table: keys only, no active-index
        TableName=plans,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[
            {"AttributeName": "user_id", "AttributeType": "S"},
            {"AttributeName": "plan_id", "AttributeType": "S"},
        ],
        KeySchema=[
            {"AttributeName": "user_id", "KeyType": "HASH"},
            {"AttributeName": "plan_id", "KeyType": "RANGE"},
        ],
    )
    try:
        code = main(["tables", "create"])
        printed = capsys.readouterr()
    finally:
        for name in layout.table_names():
            with contextlib.suppress(client.exceptions.ResourceNotFoundException):
                client.delete_table(TableName=name)

    assert code == 0
    assert f"created {plans}" not in printed.out
    assert "7 table(s) created" in printed.out
    assert f"warning: {plans} existed already and lacks {ACTIVE_INDEX}" in printed.err


def test_tables_create_reports_tables_that_exist_already_as_active(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], local: Service
) -> None:
    use_service_tables(monkeypatch, local)

    assert main(["tables", "create"]) == 0

    assert capsys.readouterr().out.startswith("Nothing changed:")
    client = shared_client()
    for name in local.container.settings().layout().table_names():
        described = client.describe_table(TableName=name)
        assert described["Table"]["TableStatus"] == "ACTIVE"


@pytest.mark.parametrize(
    "command", [["tables", "create"], ["migrate"], ["reminders", "--date", "2026-01-05"]]
)
def test_data_commands_on_the_local_profile_ask_for_an_endpoint_that_outlives_them(
    command: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("FLOWLOGIC_PROFILE", "local")
    monkeypatch.delenv("AWS_ENDPOINT_URL_DYNAMODB", raising=False)

    assert main(command) == 2

    assert "AWS_ENDPOINT_URL_DYNAMODB" in capsys.readouterr().err


def test_the_memory_profile_has_neither_tables_nor_migrations(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("FLOWLOGIC_PROFILE", "memory")

    assert main(["tables", "create"]) == 0
    assert "no tables to create" in capsys.readouterr().out
    assert main(["migrate", "--dry-run"]) == 0
    assert "has no migrations to run" in capsys.readouterr().out


# --- migrate ------------------------------------------------------------------------------------


def test_migrate_lists_then_applies_the_backfill_that_gives_a_user_back_their_limits(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], local: Service
) -> None:
    use_service_tables(monkeypatch, local)
    kept = register(local, "cli-user-kept", "kept@example.com")
    lost = register(local, "cli-user-lost", "lost@example.com")
    layout = local.container.settings().layout()
    limits_table = layout.table(keys.USER_LIMITS)
    shared_client().delete_item(TableName=limits_table, Key=layout.limits_key(lost.sub))
    before = expect(local.client.get("/v1/me/limits", headers=kept.headers), 200)
    assert local.client.get("/v1/me/limits", headers=lost.headers).status_code == 404

    assert main(["migrate", "--dry-run"]) == 0
    listed = capsys.readouterr()
    assert main(["migrate"]) == 0
    applied = capsys.readouterr()
    assert main(["migrate"]) == 0
    third = capsys.readouterr()

    assert listed.out.splitlines()[0] == "2 pending migration(s):"
    assert [line.split()[0] for line in listed.out.splitlines()[1:]] == ["001", "002"]
    assert "(Flow Logic core team)" in listed.out
    assert [line.split()[:2] for line in applied.out.splitlines()] == [
        ["applied", "001"],
        ["applied", "002"],
    ]
    assert "migration 001" in applied.err  # the progress bar, on stderr
    assert third.out.startswith("Nothing to apply: the 2 migration(s) are all recorded.")
    restored = expect(local.client.get("/v1/me/limits", headers=lost.headers), 200)
    assert (restored["plan"], restored["video_quota_day"]) == ("free", before["video_quota_day"])
    assert expect(local.client.get("/v1/me/limits", headers=kept.headers), 200) == before


# --- reminders ----------------------------------------------------------------------------------


def test_the_reminders_command_publishes_one_event_per_user_with_open_tasks(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], local: Service
) -> None:
    first = seeded(local, "remind-user-1", "one@example.com")
    second = seeded(local, "remind-user-2", "two@example.com")
    register(local, "remind-user-3", "three@example.com")  # no plan, no tasks
    tomorrow = local.clock.now().date() + timedelta(days=1)
    use_service_tables(monkeypatch, local)
    built = built_containers(monkeypatch)

    code = main(["reminders", "--date", tomorrow.isoformat()])

    out = capsys.readouterr().out
    assert code == 0
    assert f"Reminders for {tomorrow}: 2 user(s) reminded, 0 failure(s)." in out
    (container,) = built
    assert reminded(container) == {first.sub: str(tomorrow), second.sub: str(tomorrow)}
    ids = [e.event_id for e in container.in_process_events().published]
    assert sorted(ids) == sorted(reminder_event_id(tomorrow, u) for u in (first.sub, second.sub))


def test_a_day_without_tasks_reminds_nobody(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], local: Service
) -> None:
    seeded(local, "remind-user-1", "one@example.com")
    far = local.clock.now().date() + timedelta(days=60)
    use_service_tables(monkeypatch, local)

    assert main(["reminders", "--date", far.isoformat()]) == 0

    assert "0 user(s) reminded, 0 failure(s)" in capsys.readouterr().out


@pytest.mark.parametrize("text", ["2026-13-01", "tomorrow", "20260105", ""])
def test_the_reminders_command_wants_a_real_calendar_date(text: str) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["reminders", "--date", text])

    assert exit_.value.code == 2


def test_the_scheduled_lambda_reminds_about_the_events_date(
    monkeypatch: pytest.MonkeyPatch, local: Service
) -> None:
    first = seeded(local, "remind-user-1", "one@example.com")
    second = seeded(local, "remind-user-2", "two@example.com")
    monkeypatch.setattr(infra.lambda_reminders, "_container", lambda: local.container)
    tomorrow = local.clock.now().date() + timedelta(days=1)

    summary = handler({"date": tomorrow.isoformat()}, None)

    assert summary == {"date": tomorrow.isoformat(), "users": 2, "failed": 0}
    assert reminded(local.container) == {first.sub: str(tomorrow), second.sub: str(tomorrow)}


def test_a_scheduled_event_without_a_date_reminds_about_its_scheduled_day_or_today(
    monkeypatch: pytest.MonkeyPatch, local: Service
) -> None:
    seeded(local, "remind-user-1", "one@example.com")
    monkeypatch.setattr(infra.lambda_reminders, "_container", lambda: local.container)
    today = local.clock.now().date()
    after = today + timedelta(days=2)
    scheduled = {"source": "aws.events", "time": f"{after.isoformat()}T05:00:00Z", "detail": {}}

    from_time = handler(scheduled, None)
    from_clock = handler({}, None)

    assert (from_time["date"], from_time["users"]) == (after.isoformat(), 1)
    assert from_clock["date"] == today.isoformat()


def test_the_lambda_fails_the_invocation_when_a_reminder_was_not_published(
    monkeypatch: pytest.MonkeyPatch, local: Service
) -> None:
    first = seeded(local, "remind-user-1", "one@example.com")
    second = seeded(local, "remind-user-2", "two@example.com")
    monkeypatch.setattr(infra.lambda_reminders, "_container", lambda: local.container)
    tomorrow: date = local.clock.now().date() + timedelta(days=1)
    local.container.in_process_events().fail_on(reminder_event_id(tomorrow, first.sub))

    with pytest.raises(RemindersFailed, match="1 of 2"):
        handler({"date": tomorrow.isoformat()}, None)

    assert reminded(local.container) == {second.sub: str(tomorrow)}


# --- demo ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("layout_name", LAYOUTS)
def test_the_demo_walks_its_journey_on_the_local_profile_in_either_layout(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, layout_name: str
) -> None:
    stage = local_stage(monkeypatch, "demo", layout_name)
    monkeypatch.delenv("FLOWLOGIC_PUBLIC_URL", raising=False)
    client = shared_client()
    try:
        code = main(["demo"])
        out = capsys.readouterr().out
        tables = set(client.list_tables()["TableNames"])
    finally:
        for name in layout_for(layout_name, stage, 16).table_names():
            with contextlib.suppress(client.exceptions.ResourceNotFoundException):
                client.delete_table(TableName=name)

    assert code == 0, out
    assert "Streak: 1 day(s), best 1" in out
    assert set(layout_for(layout_name, stage, 16).table_names()) <= tables
