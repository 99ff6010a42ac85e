"""A service configured for one table layout that finds the other layout's tables refuses to
start, in one line naming both, never half-working: the CLI exits 2, a Lambda's first
invocation fails, the container's client is never handed out."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator

import pytest

import infra.lambda_reminders
from adapters.dynamodb.layout import layout_for
from adapters.dynamodb.layout_check import LayoutMismatch, mismatch
from adapters.dynamodb.tables import create_tables
from infra.cli import main
from infra.container import create_container
from infra.layout_guard import check_layout
from infra.settings import Settings
from tests.support.dynamodb_backend import embedded_server, shared_client

OTHER = {"multi": "single", "single": "multi"}


@pytest.fixture(params=["multi", "single"])
def existing(request: pytest.FixtureRequest) -> Iterator[tuple[str, str]]:
    """A stage holding only the tables of one layout: (stage, that layout's name)."""
    name: str = request.param
    stage = f"mis-{uuid.uuid4().hex[:10]}"
    client = shared_client()
    create_tables(client, layout_for(name, stage, 16))
    try:
        yield stage, name
    finally:
        for layout in ("multi", "single"):
            for table in layout_for(layout, stage, 16).table_names():
                with contextlib.suppress(client.exceptions.ResourceNotFoundException):
                    client.delete_table(TableName=table)


def configure(monkeypatch: pytest.MonkeyPatch, stage: str, layout: str, profile: str) -> None:
    monkeypatch.setenv("FLOWLOGIC_PROFILE", profile)
    monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", embedded_server().start())
    monkeypatch.setenv("FLOWLOGIC_STAGE", stage)
    monkeypatch.setenv("FLOWLOGIC_TABLE_LAYOUT", layout)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")


def assert_names_both(line: str, stage: str, configured: str) -> None:
    found = OTHER[configured]
    assert line.count("\n") == 0
    assert f"FLOWLOGIC_TABLE_LAYOUT={configured}" in line
    assert f"the {found} layout's tables" in line
    assert f"flowlogic-{stage}" in line
    assert f"flowlogic layout copy --to {configured}" in line


@pytest.mark.parametrize(
    "command",
    [["serve", "--port", "0"], ["demo"], ["migrate"], ["reminders", "--date", "2026-03-02"]],
)
def test_the_cli_refuses_the_other_layouts_tables_in_one_line_and_exits_two(
    existing: tuple[str, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    command: list[str],
) -> None:
    stage, found = existing
    configure(monkeypatch, stage, OTHER[found], "local")

    code = main(command)

    captured = capsys.readouterr()
    assert code == 2
    assert_names_both(captured.err.strip(), stage, OTHER[found])
    # Nothing was created for the configured layout: the service never half-started.
    names = set(shared_client().list_tables()["TableNames"])
    assert not set(layout_for(OTHER[found], stage, 16).table_names()) & names


def test_a_lambdas_first_invocation_fails_with_the_one_line(
    existing: tuple[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    stage, found = existing
    configure(monkeypatch, stage, OTHER[found], "aws")
    # The job is built once per process (per execution environment), whatever the settings.
    infra.lambda_reminders._aws_job.cache_clear()
    try:
        with pytest.raises(LayoutMismatch) as refused:
            infra.lambda_reminders.handler({}, None)
    finally:
        infra.lambda_reminders._aws_job.cache_clear()

    assert_names_both(str(refused.value), stage, OTHER[found])


def test_a_container_hands_out_no_client_on_the_other_layouts_tables(
    existing: tuple[str, str],
) -> None:
    stage, found = existing
    settings = Settings.model_validate(
        {
            "FLOWLOGIC_PROFILE": "local",
            "FLOWLOGIC_STAGE": stage,
            "FLOWLOGIC_TABLE_LAYOUT": OTHER[found],
            "AWS_ENDPOINT_URL_DYNAMODB": embedded_server().start(),
        }
    )
    container = create_container(settings)

    with pytest.raises(LayoutMismatch):
        check_layout(container)
    with pytest.raises(LayoutMismatch):
        container.users().get("anyone")


def test_the_configured_layout_starts_and_a_fresh_local_stage_is_created(
    existing: tuple[str, str],
) -> None:
    stage, found = existing
    client = shared_client()

    assert mismatch(client, layout_for(found, stage, 16)) is None
    fresh = layout_for(OTHER[found], f"new-{uuid.uuid4().hex[:8]}", 16)
    assert mismatch(client, fresh, creates_missing=True) is None
    # On AWS nothing creates tables: a stage with none is refused too, naming what to create.
    refused = mismatch(client, fresh)
    assert refused is not None
    assert "flowlogic tables create" in refused


def test_half_of_the_eight_tables_is_refused_naming_the_missing_ones() -> None:
    client = shared_client()
    layout = layout_for("multi", f"half-{uuid.uuid4().hex[:8]}", 16)
    create_tables(client, layout)
    missing = layout.table_names()[-1]
    client.delete_table(TableName=missing)
    try:
        refused = mismatch(client, layout)  # on AWS, where nothing creates them
    finally:
        for table in layout.table_names()[:-1]:
            client.delete_table(TableName=table)

    assert refused is not None
    assert f"missing {missing}" in refused
    assert "flowlogic tables create" in refused
