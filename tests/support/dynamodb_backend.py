"""The DynamoDB backend of the test suites: ONE embedded moto server per test process, and eight
fresh tables under a random stage per test, so tests never see each other's items.

`dynamodb_backend` has the `Backend` shape of tests/support/backends.py: a zero-argument
callable returning a context manager that yields fresh `Stores` and drops the tables on exit.
"""

from __future__ import annotations

import atexit
import contextlib
import threading
import uuid
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING

from adapters.dynamodb import keys
from adapters.dynamodb.account import DynamoDBAccountStore
from adapters.dynamodb.assessments import DynamoDBAssessmentRepository
from adapters.dynamodb.calendar import DynamoDBCalendarRepository
from adapters.dynamodb.limits import DynamoDBLimitsRepository
from adapters.dynamodb.migrations import DynamoDBMigrationLedger
from adapters.dynamodb.plans import DynamoDBPlanRepository
from adapters.dynamodb.progress import DynamoDBProgressRepository
from adapters.dynamodb.snapshots import DynamoDBSnapshotReader
from adapters.dynamodb.subscriptions import DynamoDBSubscriptionRepository
from adapters.dynamodb.users import DynamoDBUserRepository
from infra.embedded import EmbeddedDynamoDB
from infra.tables import create_tables, physical_name
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


def table_names(stage: str) -> dict[str, str]:
    """Logical -> physical table names of a stage."""
    return {logical: physical_name(stage, logical) for logical in keys.ALL_TABLES}


def dynamodb_stores(
    client: DynamoDBClient, names: Mapping[str, str], shards: int = TEST_SHARDS
) -> Stores:
    """Every DynamoDB repository over the given client and tables."""
    return Stores(
        users=DynamoDBUserRepository(client, names, shards),
        limits=DynamoDBLimitsRepository(client, names, shards),
        assessments=DynamoDBAssessmentRepository(client, names, shards),
        plans=DynamoDBPlanRepository(client, names, shards),
        calendar=DynamoDBCalendarRepository(client, names, shards),
        progress=DynamoDBProgressRepository(client, names, shards),
        subscriptions=DynamoDBSubscriptionRepository(client, names, shards),
        migrations=DynamoDBMigrationLedger(client, names, shards),
        account=DynamoDBAccountStore(client, names, shards),
        snapshots=DynamoDBSnapshotReader(client, names, shards),
    )


@contextlib.contextmanager
def fresh_tables(client: DynamoDBClient | None = None) -> Iterator[dict[str, str]]:
    """The eight tables under a new random stage; deleted again on exit."""
    client = shared_client() if client is None else client
    stage = "t" + uuid.uuid4().hex[:12]
    create_tables(client, stage)
    names = table_names(stage)
    try:
        yield names
    finally:
        for name in names.values():
            with contextlib.suppress(client.exceptions.ResourceNotFoundException):
                client.delete_table(TableName=name)


@contextlib.contextmanager
def dynamodb_backend() -> Iterator[Stores]:
    """Fresh, empty DynamoDB stores on the embedded server; their tables go on exit."""
    client = shared_client()
    with fresh_tables(client) as names:
        yield dynamodb_stores(client, names)
