"""The registry of data migrations (SPEC.md 9), applied in order by `flowlogic migrate`.

Append a migration with the next version; never renumber, reorder or remove one that may have
run somewhere: the ledger knows migrations by version. Apply steps must be idempotent. The
memory profile has none: its data lives and dies with the process, so nothing predates the
code (decisions 110-112).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from adapters.dynamodb.backfills import backfill_index_shards, backfill_user_limits
from application.run_migrations import Migration, ReportProgress
from ports.clock import Clock

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

    from adapters.dynamodb.layout import Layout
    from infra.clients import DynamoDBResources

AUTHOR = "Flow Logic core team"

Step = Callable[["DynamoDBClient", "Layout", ReportProgress], int]


def dynamodb_migrations(
    client: Callable[[], DynamoDBClient], layout: Layout, clock: Clock
) -> list[Migration]:
    """The migrations of the DynamoDB tables; the client is asked for only when one applies."""

    def bound(step: Step) -> Callable[[ReportProgress], None]:
        def apply(report_progress: ReportProgress) -> None:
            step(client(), layout, report_progress)

        return apply

    def user_limits(client: DynamoDBClient, layout: Layout, report: ReportProgress) -> int:
        return backfill_user_limits(client, layout, report, now=clock.now)

    return [
        Migration(
            "001",
            "Create the missing user-limits row of every user, fresh for the user's tier",
            AUTHOR,
            bound(user_limits),
        ),
        Migration(
            "002",
            "Write the sharded index attributes of assessments, plans and tasks that lack them",
            AUTHOR,
            bound(backfill_index_shards),
        ),
    ]


def migrations_for(storage: str, resources: DynamoDBResources, clock: Clock) -> list[Migration]:
    """The migrations of a storage kind: none in memory, the DynamoDB ones otherwise."""
    if storage == "memory":
        return []
    return dynamodb_migrations(resources.client, resources.layout(), clock)
