"""`flowlogic layout copy --to single|multi [--prune]`: copy the stage into the other layout
(then delete what the target holds and the source does not), verify it; `flowlogic layout verify
--to single|multi`: the verification alone.

Exit codes: 0 copied and verified identical (or a dry run), 1 the copy stopped (run it again:
it resumes from its checkpoint) or the verification found a difference, 2 it cannot start
(settings, missing tables, a checkpoint of another copy).
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import IO, TYPE_CHECKING

from adapters.dynamodb.layout import Layout, layout_for
from adapters.dynamodb.layout_check import missing_tables, other_layout
from adapters.dynamodb.layout_copy import (
    PAGE_SIZE,
    Checkpoint,
    LayoutCopy,
    OnCopied,
    count_entities,
)
from adapters.dynamodb.layout_prune import prune as prune_target
from adapters.dynamodb.layout_verify import verify
from adapters.dynamodb.tables import create_tables
from infra.embedded import make_client
from infra.settings import Profile, Settings

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


def default_checkpoint(stage: str, target: str) -> Path:
    return Path(f"flowlogic-copy-{stage}-to-{target}.json")


def _stage_layouts(settings: Settings, target_name: str) -> tuple[DynamoDBClient, Layout, Layout]:
    """A client of the stage's endpoint, the source layout and the target one."""
    client = make_client(settings.dynamodb_endpoint, settings.aws_region)
    target = layout_for(target_name, settings.stage, settings.index_shards)
    return client, other_layout(target), target


def copy_layout(
    settings: Settings,
    target_name: str,
    *,
    dry_run: bool = False,
    prune: bool = False,
    segments: int = 4,
    checkpoint: str | None = None,
    on_copied: OnCopied | None = None,
    page_size: int = PAGE_SIZE,
    out: IO[str] | None = None,
    err: IO[str] | None = None,
) -> int:
    """Run the command on the settings' stage; the exit code. `on_copied` sees every page
    written (tests inject a crash through it). `prune` deletes, after the copy, the target's
    items whose source is gone (only with writes stopped, or before a follower runs)."""
    out = out or sys.stdout
    err = err or sys.stderr
    if segments < 1:
        err.write(f"--segments must be at least 1, got {segments}\n")
        return 2
    client, source, target = _stage_layouts(settings, target_name)
    absent = missing_tables(client, source)
    if absent:
        err.write(f"the {source.name} layout of stage {settings.stage!r} lacks {', '.join(absent)}")
        err.write(": nothing to copy from\n")
        return 2
    if dry_run:
        counts, _ = count_entities(client, source, segments)
        total = sum(counts.values())
        out.write(
            f"Dry run: {total} item(s) of stage {settings.stage!r} would be copied from the "
            f"{source.name} layout ({', '.join(source.table_names())}) into the {target.name} "
            f"layout ({', '.join(target.table_names())}):\n"
        )
        _write_counts(out, {entity: (n, n) for entity, n in counts.items()}, source, None)
        if prune and not missing_tables(client, target):
            _write_pruned(out, prune_target(client, source, target, dry_run=True), target, True)
        return 0
    if not _target_ready(client, target, settings, err):
        return 2
    path = Path(checkpoint) if checkpoint else default_checkpoint(settings.stage, target.name)
    try:
        saved = Checkpoint.open(path, settings.stage, source.name, target.name, segments)
    except ValueError as error:
        err.write(f"{error}\n")
        return 2
    copy = LayoutCopy(client, source, target, saved, on_copied=on_copied, page_size=page_size)
    return _copy_and_verify(client, copy, saved, prune, out, err)


def verify_layout(
    settings: Settings,
    target_name: str,
    *,
    segments: int = 4,
    out: IO[str] | None = None,
    err: IO[str] | None = None,
) -> int:
    """`layout verify`: the copy's verification pass alone; 0 identical, 1 a difference, 2
    it cannot start."""
    out = out or sys.stdout
    err = err or sys.stderr
    if segments < 1:
        err.write(f"--segments must be at least 1, got {segments}\n")
        return 2
    client, source, target = _stage_layouts(settings, target_name)
    for layout in (source, target):
        absent = missing_tables(client, layout)
        if absent:
            err.write(
                f"the {layout.name} layout of stage {settings.stage!r} lacks "
                f"{', '.join(absent)}: nothing to compare\n"
            )
            return 2
    return _verify(client, source, target, segments, out, err)


def _target_ready(client: DynamoDBClient, target: Layout, settings: Settings, err: IO[str]) -> bool:
    """Whether the target's tables exist; off AWS, missing ones are created (idempotent)."""
    absent = missing_tables(client, target)
    if not absent:
        return True
    if settings.profile is Profile.AWS:
        err.write(
            f"the {target.name} layout's tables do not exist yet ({', '.join(absent)}): deploy "
            f"them first (python -m infra.template --layout {target.name})\n"
        )
        return False
    create_tables(client, target)
    return True


def _copy_and_verify(
    client: DynamoDBClient,
    copy: LayoutCopy,
    checkpoint: Checkpoint,
    prune: bool,
    out: IO[str],
    err: IO[str],
) -> int:
    from tqdm import tqdm

    source, target = copy.source, copy.target
    resumed = checkpoint.copied()
    if resumed:
        out.write(f"Resuming from {checkpoint.path}: {resumed} item(s) already copied.\n")
    total = _approximate_items(client, source)
    with tqdm(
        desc=f"copy {source.name} -> {target.name}",
        total=total,
        initial=resumed,
        unit="item",
        file=err,
    ) as bar:
        try:
            result = copy.run(on_page=lambda count: bar.update(count))
        except Exception as error:
            err.write(
                f"\nthe copy stopped ({error!r}); run the same command again: it resumes from "
                f"{checkpoint.path}\n"
            )
            return 1
    out.write(
        f"Copied {result.copied} item(s) from the {source.name} layout into the {target.name} "
        f"layout ({result.skipped} item(s) of no known entity left behind).\n"
    )
    checkpoint.remove()
    if prune:
        with tqdm(desc=f"prune {target.name}", unit="item", file=err) as bar:
            try:
                pruned = prune_target(
                    client, source, target, segments=checkpoint.segments, on_pruned=bar.update
                )
            except Exception as error:
                err.write(f"\npruning stopped ({error!r}); run the same command again\n")
                return 1
        _write_pruned(out, pruned, target, False)
    return _verify(client, source, target, checkpoint.segments, out, err)


def _verify(
    client: DynamoDBClient,
    source: Layout,
    target: Layout,
    segments: int,
    out: IO[str],
    err: IO[str],
) -> int:
    from tqdm import tqdm

    with tqdm(desc="verify exports", unit="user", file=err) as users:
        found = verify(client, source, target, segments=segments, on_user=lambda: users.update())
    _write_counts(out, found.counts, source, target)
    if found.identical:
        out.write(f"Verified: same items per entity, {found.users} user export(s) identical.\n")
        return 0
    for difference in found.differences:
        out.write(f"DIFFERENCE {difference}\n")
    return 1


def _write_pruned(out: IO[str], pruned: Counter[str], target: Layout, dry_run: bool) -> None:
    total = sum(pruned.values())
    verb = "Prune would delete" if dry_run else "Pruned"
    out.write(f"{verb} {total} item(s) of the {target.name} layout whose source is gone")
    by_entity = ", ".join(f"{entity} {n}" for entity, n in sorted(pruned.items()))
    out.write(f" ({by_entity}).\n" if by_entity else ".\n")


def _approximate_items(client: DynamoDBClient, layout: Layout) -> int | None:
    """DynamoDB's item counts of the layout's tables (refreshed about every six hours)."""
    try:
        return sum(
            client.describe_table(TableName=name)["Table"].get("ItemCount", 0)
            for name in layout.table_names()
        )
    except Exception:  # only a progress bar's total
        return None


def _write_counts(
    out: IO[str],
    counts: Mapping[str, tuple[int, int]],
    source: Layout,
    target: Layout | None,
) -> None:
    header = f"  {'entity':<20} {source.name:>10}"
    out.write(header + (f" {target.name:>10}\n" if target else "\n"))
    for entity, (left, right) in sorted(counts.items()):
        out.write(f"  {entity:<20} {left:>10}" + (f" {right:>10}\n" if target else "\n"))
