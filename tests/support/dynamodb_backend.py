"""The DynamoDB backends of the test suites: ONE embedded moto server per test process, and the
tables of a layout (eight for `multi`, one for `single`) under a random stage per test, so tests
never see each other's items.

`multi_backend` and `single_backend` have the `Backend` shape of tests/support/backends.py: a
zero-argument callable returning a context manager that yields fresh `Stores` and drops the
tables on exit.
"""

from __future__ import annotations

import atexit
import contextlib
import threading
import uuid
from collections.abc import Iterator
from typing import TYPE_CHECKING

from adapters.dynamodb.account import DynamoDBAccountStore
from adapters.dynamodb.assessments import DynamoDBAssessmentRepository
from adapters.dynamodb.calendar import DynamoDBCalendarRepository
from adapters.dynamodb.layout import LAYOUTS, Layout, layout_for
from adapters.dynamodb.limits import DynamoDBLimitsRepository
from adapters.dynamodb.migrations import DynamoDBMigrationLedger
from adapters.dynamodb.plans import DynamoDBPlanRepository
from adapters.dynamodb.progress import DynamoDBProgressRepository
from adapters.dynamodb.snapshots import DynamoDBSnapshotReader
from adapters.dynamodb.subscriptions import DynamoDBSubscriptionRepository
from adapters.dynamodb.tables import create_tables
from adapters.dynamodb.users import DynamoDBUserRepository
from infra.embedded import EmbeddedDynamoDB
from tests.support.stores import Stores

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

# Few shards keep table-per-test cheap while every cross-user read still fans out.
TEST_SHARDS = 4

_lock = threading.Lock()
_server: EmbeddedDynamoDB | None = None
_client: DynamoDBClient | None = None


def embedded_server() -> EmbeddedDynamoDB:
    """The process's one embedded server, started on first use and stopped at exit."""
    global _server
    with _lock:
        if _server is None:
            server = EmbeddedDynamoDB()
            server.start()
            atexit.register(server.stop)
            _server = server
        return _server


def shared_client() -> DynamoDBClient:
    """One client of the embedded server for the whole run (clients are thread-safe)."""
    global _client
    server = embedded_server()
    with _lock:
        if _client is None:
            _client = server.client()
        return _client


def dynamodb_stores(client: DynamoDBClient, layout: Layout) -> Stores:
    """Every DynamoDB repository over the given client and layout."""
    return Stores(
        users=DynamoDBUserRepository(client, layout),
        limits=DynamoDBLimitsRepository(client, layout),
        assessments=DynamoDBAssessmentRepository(client, layout),
        plans=DynamoDBPlanRepository(client, layout),
        calendar=DynamoDBCalendarRepository(client, layout),
        progress=DynamoDBProgressRepository(client, layout),
        subscriptions=DynamoDBSubscriptionRepository(client, layout),
        migrations=DynamoDBMigrationLedger(client, layout),
        account=DynamoDBAccountStore(client, layout),
        snapshots=DynamoDBSnapshotReader(client, layout),
    )


def a_layout(name: str, shards: int = TEST_SHARDS) -> Layout:
    """A layout of a new random stage."""
    return layout_for(name, "t" + uuid.uuid4().hex[:12], shards)


@contextlib.contextmanager
def fresh_tables(
    client: DynamoDBClient | None = None, layout: str = "multi", shards: int = TEST_SHARDS
) -> Iterator[Layout]:
    """The tables of a layout under a new random stage; deleted again on exit."""
    client = shared_client() if client is None else client
    fresh = a_layout(layout, shards)
    create_tables(client, fresh)
    try:
        yield fresh
    finally:
        for name in fresh.table_names():
            with contextlib.suppress(client.exceptions.ResourceNotFoundException):
                client.delete_table(TableName=name)


@contextlib.contextmanager
def dynamodb_backend(layout: str) -> Iterator[Stores]:
    """Fresh, empty DynamoDB stores of a layout on the embedded server; tables go on exit."""
    client = shared_client()
    with fresh_tables(client, layout) as fresh:
        yield dynamodb_stores(client, fresh)


def multi_backend() -> contextlib.AbstractContextManager[Stores]:
    return dynamodb_backend("multi")


def single_backend() -> contextlib.AbstractContextManager[Stores]:
    return dynamodb_backend("single")


assert LAYOUTS == ("multi", "single")
