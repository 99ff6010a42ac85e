"""`flowlogic layout follow --to single|multi`: replay the stage's streams into the other layout.

Exit codes (as `layout copy`): 0 caught up (`--until-caught-up`) or stopped by Ctrl-C/SIGTERM
after the page in hand, 1 the follower stopped on an error (run it again: it resumes from its
checkpoint), 2 it cannot start (settings, missing tables or streams, a checkpoint of another
follower). docs/decisions/139-following-a-layout.md.
"""

from __future__ import annotations

import signal
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from adapters.dynamodb.layout import layout_for
from adapters.dynamodb.layout_check import missing_tables, other_layout
from adapters.dynamodb.layout_follow import (
    PAGE_SIZE,
    POLL_INTERVAL,
    FollowCheckpoint,
    FollowError,
    OnPage,
    StreamFollower,
    stream_of,
)
from infra.embedded import make_client, make_streams_client
from infra.settings import Settings


def default_checkpoint(stage: str, target: str) -> Path:
    return Path(f"flowlogic-follow-{stage}-to-{target}.json")


def follow_layout(
    settings: Settings,
    target_name: str,
    *,
    until_caught_up: bool = False,
    checkpoint: str | None = None,
    stop: threading.Event | None = None,
    on_page: OnPage | None = None,
    page_size: int = PAGE_SIZE,
    poll_interval: float = POLL_INTERVAL,
    out: IO[str] | None = None,
    err: IO[str] | None = None,
) -> int:
    """Run the command on the settings' stage; the exit code. `stop` ends a follower between
    pages (the CLI sets it on SIGINT/SIGTERM); `on_page` sees every page applied (tests inject
    a crash through it)."""
    out = out or sys.stdout
    err = err or sys.stderr
    client = make_client(settings.dynamodb_endpoint, settings.aws_region)
    target = layout_for(target_name, settings.stage, settings.index_shards)
    source = other_layout(target)
    for layout, why in ((source, "nothing to follow"), (target, "run `layout copy` first")):
        absent = missing_tables(client, layout)
        if absent:
            err.write(
                f"the {layout.name} layout of stage {settings.stage!r} lacks "
                f"{', '.join(absent)}: {why}\n"
            )
            return 2
    path = Path(checkpoint) if checkpoint else default_checkpoint(settings.stage, target.name)
    try:
        saved = FollowCheckpoint.open(path, settings.stage, source.name, target.name)
    except ValueError as error:
        err.write(f"{error}\n")
        return 2
    streams = make_streams_client(settings.dynamodb_endpoint, settings.aws_region)
    stop = stop or threading.Event()
    follower = StreamFollower(
        client,
        streams,
        source,
        target,
        saved,
        stop=stop,
        page_size=page_size,
        poll_interval=poll_interval,
    )
    try:
        for table in follower.streamed_tables():
            stream_of(client, table)
    except FollowError as error:
        err.write(f"{error}\n")
        return 2
    return _follow(follower, saved, until_caught_up, on_page, out, err)


def _follow(
    follower: StreamFollower,
    checkpoint: FollowCheckpoint,
    until_caught_up: bool,
    on_page: OnPage | None,
    out: IO[str],
    err: IO[str],
) -> int:
    from tqdm import tqdm

    source, target = checkpoint.source, checkpoint.target
    resumed = checkpoint.applied()
    if resumed:
        out.write(f"Resuming from {checkpoint.path}: {resumed} record(s) already applied.\n")
    per_shard: Counter[str] = Counter()
    with tqdm(desc=f"follow {source} -> {target}", unit="record", file=err) as bar:

        def applied(label: str, count: int) -> None:
            if on_page is not None:
                on_page(label, count)
            per_shard[label] += count
            bar.set_postfix_str(", ".join(f"{s} {n}" for s, n in sorted(per_shard.items())))
            bar.update(count)

        try:
            result = follower.run(until_caught_up=until_caught_up, on_page=applied)
        except Exception as error:
            err.write(
                f"\nthe follower stopped ({error!r}); run the same command again: it resumes "
                f"from {checkpoint.path}\n"
            )
            return 1
    checkpoint.save()
    how = "Stopped" if result.stopped else "Caught up"
    out.write(
        f"{how}: {result.applied} stream record(s) of the {source} layout applied to the "
        f"{target} layout by this run ({result.skipped} of no known entity left alone); "
        f"progress kept in {checkpoint.path}.\n"
    )
    return 0


@contextmanager
def stopping_on_signals(stop: threading.Event) -> Iterator[None]:
    """SIGINT and SIGTERM set `stop` (the follower finishes its page, saves, and exits 0)
    instead of killing the process mid-page; the previous handlers come back after."""

    def handler(_signal: int, _frame: object) -> None:
        stop.set()

    previous = {
        number: signal.signal(number, handler) for number in (signal.SIGINT, signal.SIGTERM)
    }
    try:
        yield
    finally:
        for number, old in previous.items():
            signal.signal(number, old)
