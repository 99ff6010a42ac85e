"""`flowlogic layout follow`, `layout verify` and `layout copy --prune`: the live cut-over.

Writes made on the old layout after the copy (a registration, a ticked task, an erasure) reach
the new one through its streams; the journey then continues on the new layout with the same
answers; a rollback carries writes and an erasure back; a follower run twice, or killed and run
again from its checkpoint, ends identical; pruning removes what the source no longer has.
"""

from __future__ import annotations

import io
import json
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from adapters.dynamodb import keys
from application.erase_account import EraseAccountRequest
from application.list_tasks import ListTasksRequest
from application.register_user import RegisterUserRequest
from application.set_task_completion import SetTaskCompletionRequest
from domain.calendar import today_in
from infra.cli import main
from infra.container import Container
from infra.embedded import EmbeddedDynamoDB
from infra.layout_copy import verify_layout
from infra.layout_follow import follow_layout
from tests.integration.test_layout_copy import (
    TIMEZONE,
    Stage,
    converted_items,
    first_half,
    fresh_stage,
    run_copy,
    second_half,
    stored_items,
)

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

DIRECTIONS = [("multi", "single"), ("single", "multi")]


@pytest.fixture
def stage(server: EmbeddedDynamoDB, client: DynamoDBClient) -> Iterator[Stage]:
    with fresh_stage(server, client, "follow") as found:
        yield found


def run_follow(stage: Stage, target: str, checkpoint: Path, **options: Any) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    options.setdefault("until_caught_up", True)
    code = follow_layout(
        stage.settings(target), target, checkpoint=str(checkpoint), out=out, err=err, **options
    )
    return code, out.getvalue() + err.getvalue()


def run_verify(stage: Stage, target: str) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    code = verify_layout(stage.settings(target), target, out=out, err=err)
    return code, out.getvalue() + err.getvalue()


def new_user() -> str:
    return "u" + uuid.uuid4().hex[:12]


def register(container: Container, user: str) -> None:
    """A user with only what registration writes: cheaper than a journey's first half."""
    uc = container.use_cases()
    uc.register_user.execute(RegisterUserRequest(user, f"{user}@example.com", "Eve", TIMEZONE))


def copied_then_written(stage: Stage, source: str, target: str, tmp_path: Path) -> None:
    """Two users on `source`, copied to `target`; then writes and an erasure on `source`."""
    old = stage.container(source)
    kept, erased = new_user(), new_user()
    first_half(old, stage.clock, kept)
    register(old, erased)
    assert run_copy(stage, target, tmp_path / "copy.json")[0] == 0
    writes_and_an_erasure(old, stage, kept, erased)


def writes_and_an_erasure(container: Container, stage: Stage, kept: str, erased: str) -> str:
    """A registration, a task of `kept` ticked, `erased` erased; the new user's id."""
    uc = container.use_cases()
    registered = new_user()
    uc.register_user.execute(
        RegisterUserRequest(registered, f"{registered}@example.com", "Bea", TIMEZONE)
    )
    today = today_in(TIMEZONE, stage.clock.now())
    open_tasks = [
        t for t in uc.list_tasks.execute(ListTasksRequest(kept, today)) if not t.completed
    ]
    assert open_tasks
    task = open_tasks[0]
    uc.set_task_completion.execute(
        SetTaskCompletionRequest(kept, task.task_date, task.task_id, True)
    )
    assert uc.erase_account.execute(EraseAccountRequest(erased)).items_deleted > 0
    return registered


def holds(client: DynamoDBClient, stage: Stage, layout: str, text: str) -> bool:
    return any(text in item for item in stored_items(client, stage.layout(layout)))


def mirrors(client: DynamoDBClient, stage: Stage, source: str, target: str) -> bool:
    """The target holds exactly the source's items, converted."""
    return stored_items(client, stage.layout(target)) == converted_items(
        client, stage.layout(source), stage.layout(target)
    )


@pytest.mark.parametrize(("source", "target"), DIRECTIONS)
def test_writes_after_the_copy_are_followed_and_the_journey_goes_on_with_the_same_answers(
    stage: Stage, client: DynamoDBClient, tmp_path: Path, source: str, target: str
) -> None:
    old = stage.container(source)
    kept, erased = new_user(), new_user()
    first_half(old, stage.clock, kept)
    first_half(old, stage.clock, erased)
    assert run_copy(stage, target, tmp_path / "copy.json")[0] == 0

    registered = writes_and_an_erasure(old, stage, kept, erased)
    assert run_verify(stage, target)[0] == 1  # the copy alone is behind
    code, output = run_follow(stage, target, tmp_path / "follow.json")

    assert code == 0, output
    assert "Caught up" in output
    code, output = run_verify(stage, target)
    assert code == 0, output
    assert "Verified: same items per entity, 2 user export(s) identical." in output
    assert mirrors(client, stage, source, target)
    assert not holds(client, stage, target, erased)
    assert holds(client, stage, target, registered)
    for user in (kept, erased, registered):
        assert user not in output  # user ids are never printed
    new = stage.container(target)
    stage.clock.set(stage.clock.now() + timedelta(hours=1))
    on_new = second_half(new.use_cases(), stage.clock, kept)
    on_old = second_half(old.use_cases(), stage.clock, kept)
    assert on_new == on_old


def test_a_rollback_carries_writes_and_an_erasure_on_the_new_layout_back(
    stage: Stage, client: DynamoDBClient, tmp_path: Path
) -> None:
    multi = stage.container("multi")
    kept, erased = new_user(), new_user()
    first_half(multi, stage.clock, kept)
    first_half(multi, stage.clock, erased)
    assert run_copy(stage, "single", tmp_path / "copy.json")[0] == 0
    assert run_follow(stage, "single", tmp_path / "forward.json")[0] == 0
    # The switch: from here on, the service writes the single layout only.
    registered = writes_and_an_erasure(stage.container("single"), stage, kept, erased)

    code, output = run_follow(stage, "multi", tmp_path / "back.json")

    assert code == 0, output
    code, output = run_verify(stage, "multi")
    assert code == 0, output
    assert mirrors(client, stage, "single", "multi")
    assert not holds(client, stage, "multi", erased)
    assert holds(client, stage, "multi", registered)


@pytest.mark.parametrize(("source", "target"), DIRECTIONS)
def test_following_again_or_afresh_ends_identical(
    stage: Stage, client: DynamoDBClient, tmp_path: Path, source: str, target: str
) -> None:
    copied_then_written(stage, source, target, tmp_path)
    checkpoint = tmp_path / "follow.json"
    code, output = run_follow(stage, target, checkpoint)
    assert code == 0, output
    once = stored_items(client, stage.layout(target))

    code, output = run_follow(stage, target, checkpoint)
    assert code == 0, output
    assert "Caught up: 0 stream record(s)" in output  # resumed after the last one applied
    checkpoint.unlink()
    code, output = run_follow(stage, target, checkpoint)
    assert code == 0, output
    assert "Caught up: 0 " not in output  # replayed from the trim horizon

    assert stored_items(client, stage.layout(target)) == once
    assert mirrors(client, stage, source, target)


@pytest.mark.parametrize(("source", "target"), DIRECTIONS)
def test_a_follower_killed_after_some_pages_resumes_from_its_checkpoint(
    stage: Stage, client: DynamoDBClient, tmp_path: Path, source: str, target: str
) -> None:
    copied_then_written(stage, source, target, tmp_path)
    checkpoint = tmp_path / "follow.json"
    applied = 0

    def crash_after_ten(label: str, count: int) -> None:
        nonlocal applied
        applied += count
        if applied >= 10:
            raise KeyboardInterrupt  # the process dies: no handler of ours runs

    with pytest.raises(KeyboardInterrupt):
        run_follow(stage, target, checkpoint, page_size=3, on_page=crash_after_ten)

    saved = json.loads(checkpoint.read_text())
    assert sum(shard["applied"] for shard in saved["shards"].values()) > 0
    code, output = run_follow(stage, target, checkpoint, page_size=3)

    assert code == 0, output
    assert "Resuming" in output
    assert mirrors(client, stage, source, target)
    assert run_verify(stage, target)[0] == 0


def test_a_follower_keeps_following_until_told_to_stop(
    stage: Stage, client: DynamoDBClient, tmp_path: Path
) -> None:
    multi = stage.container("multi")
    register(multi, new_user())
    assert run_copy(stage, "single", tmp_path / "copy.json")[0] == 0
    stop = threading.Event()
    answers: list[tuple[int, str]] = []
    follower = threading.Thread(
        target=lambda: answers.append(
            run_follow(
                stage,
                "single",
                tmp_path / "f.json",
                until_caught_up=False,
                stop=stop,
                poll_interval=0.05,
            )
        )
    )
    follower.start()
    try:
        late = new_user()
        register(multi, late)  # written while the follower runs
        deadline = time.monotonic() + 30
        while not holds(client, stage, "single", late) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert follower.is_alive()  # it did not stop on catching up
    finally:
        stop.set()
        follower.join(timeout=30)

    assert holds(client, stage, "single", late)
    assert not follower.is_alive()
    code, output = answers[0]
    assert code == 0, output
    assert "Stopped" in output
    assert run_verify(stage, "single")[0] == 0


def test_a_follower_that_fails_says_it_resumes_and_exits_one(stage: Stage, tmp_path: Path) -> None:
    first_half(stage.container("multi"), stage.clock, new_user())
    assert run_copy(stage, "single", tmp_path / "copy.json")[0] == 0

    def fail(label: str, count: int) -> None:
        raise RuntimeError("throttled for good")

    code, output = run_follow(stage, "single", tmp_path / "f.json", on_page=fail)

    assert code == 1
    assert "run the same command again" in output
    assert run_follow(stage, "single", tmp_path / "f.json")[0] == 0


@pytest.mark.parametrize(("source", "target"), DIRECTIONS)
def test_prune_removes_what_the_source_no_longer_has(
    stage: Stage, client: DynamoDBClient, tmp_path: Path, source: str, target: str
) -> None:
    old = stage.container(source)
    kept, erased = new_user(), new_user()
    first_half(old, stage.clock, kept)
    register(old, erased)
    assert run_copy(stage, target, tmp_path / "copy.json")[0] == 0
    # An erasure on the source after the copy; a copy alone never deletes.
    old.use_cases().erase_account.execute(EraseAccountRequest(erased))
    stray = stage.layout(target).stored(
        keys.USER_LIMITS, {"user_id": {"S": "ghost"}, "tier": {"S": "free"}}
    )
    client.put_item(TableName=stage.layout(target).table(keys.USER_LIMITS), Item=stray)
    code, output = run_verify(stage, target)
    assert code == 1
    assert "DIFFERENCE user-limits" in output

    code, output = run_copy(stage, target, tmp_path / "copy.json", dry_run=True, prune=True)
    assert code == 0, output
    assert "Prune would delete" in output
    assert holds(client, stage, target, erased)  # a dry run deletes nothing

    code, output = run_copy(stage, target, tmp_path / "copy.json", prune=True)
    assert code == 0, output
    assert "Pruned" in output
    assert "user-limits" in output
    assert not holds(client, stage, target, erased)
    assert not holds(client, stage, target, '"ghost"')
    assert mirrors(client, stage, source, target)
    assert run_verify(stage, target)[0] == 0
    # Nothing left to prune.
    code, output = run_copy(stage, target, tmp_path / "copy.json", dry_run=True, prune=True)
    assert code == 0, output
    assert "Prune would delete 0 item(s)" in output


def test_a_checkpoint_of_another_follower_or_a_missing_target_exits_two(
    stage: Stage, tmp_path: Path
) -> None:
    first_half(stage.container("multi"), stage.clock, new_user())

    code, output = run_follow(stage, "single", tmp_path / "f.json")
    assert code == 2
    assert "run `layout copy` first" in output
    assert run_copy(stage, "single", tmp_path / "copy.json")[0] == 0
    assert run_follow(stage, "single", tmp_path / "f.json")[0] == 0
    # The same file given to the other direction's follower.
    code, output = run_follow(stage, "multi", tmp_path / "f.json")
    assert code == 2
    assert "not the checkpoint of this follower" in output


def test_the_commands_follow_and_verify_the_configured_stage(
    stage: Stage,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    multi = stage.container("multi")
    first_half(multi, stage.clock, new_user())
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("FLOWLOGIC_PROFILE", "local")
    monkeypatch.setenv("FLOWLOGIC_STAGE", stage.name)
    monkeypatch.setenv("FLOWLOGIC_INDEX_SHARDS", "4")
    monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", stage.endpoint)
    assert main(["layout", "copy", "--to", "single"]) == 0
    user = new_user()
    multi.use_cases().register_user.execute(
        RegisterUserRequest(user, f"{user}@example.com", "Cy", TIMEZONE)
    )
    capsys.readouterr()

    assert main(["layout", "verify", "--to", "single"]) == 1
    assert "DIFFERENCE users: 2 item(s) in multi, 1 in single" in capsys.readouterr().out
    code = main(["layout", "follow", "--to", "single", "--until-caught-up"])

    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "follow multi -> single" in captured.err  # the progress line
    assert "users#" in captured.err  # per shard
    assert (tmp_path / f"flowlogic-follow-{stage.name}-to-single.json").exists()
    assert main(["layout", "verify", "--to", "single"]) == 0
    captured = capsys.readouterr()
    assert "Verified: same items per entity, 2 user export(s) identical." in captured.out
    assert user not in captured.out + captured.err
