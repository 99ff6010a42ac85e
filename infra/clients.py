"""Builders for external clients and the adapters that need them; all lazy, all created once."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

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
from infra.settings import Profile, Settings

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_events import EventBridgeClient
    from mypy_boto3_s3 import S3Client

    from infra.embedded import EmbeddedDynamoDB

REPOSITORIES: dict[str, Any] = {
    "users": DynamoDBUserRepository,
    "limits": DynamoDBLimitsRepository,
    "assessments": DynamoDBAssessmentRepository,
    "plans": DynamoDBPlanRepository,
    "calendar": DynamoDBCalendarRepository,
    "progress": DynamoDBProgressRepository,
    "subscriptions": DynamoDBSubscriptionRepository,
    "migrations": DynamoDBMigrationLedger,
    "account": DynamoDBAccountStore,
    "snapshots": DynamoDBSnapshotReader,
}


def s3_client(settings: Settings) -> S3Client:
    import boto3

    if settings.profile is Profile.AWS:
        return boto3.client("s3", region_name=settings.aws_region)
    # Pre-signing needs credentials but sends nothing; these dummies are used only off AWS.
    return boto3.client(
        "s3",
        region_name=settings.aws_region,
        aws_access_key_id="local",
        aws_secret_access_key="local",  # noqa: S106
    )


def events_client(settings: Settings) -> EventBridgeClient:
    import boto3

    return boto3.client("events", region_name=settings.aws_region)


class DynamoDBResources:
    """The DynamoDB client of the profile, built on first use.

    `local` with no AWS_ENDPOINT_URL_DYNAMODB starts an embedded server on loopback; `local`
    creates the stage's tables if they are missing (idempotent); `aws` uses the tables as deployed.
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._lock = threading.Lock()
        self._client: DynamoDBClient | None = None
        self._embedded: EmbeddedDynamoDB | None = None

    def client(self) -> DynamoDBClient:
        with self._lock:
            if self._client is None:
                self._client = self._connect()
            return self._client

    def _connect(self) -> DynamoDBClient:
        from infra.embedded import EmbeddedDynamoDB, make_client
        from infra.tables import create_tables

        endpoint = self.settings.dynamodb_endpoint
        if self.settings.profile is Profile.LOCAL and endpoint is None:
            self._embedded = EmbeddedDynamoDB(region=self.settings.aws_region)
            endpoint = self._embedded.start()
        client = make_client(endpoint, self.settings.aws_region)
        if self.settings.profile is Profile.LOCAL:
            create_tables(client, self.settings.stage)
        return client

    @property
    def endpoint(self) -> str | None:
        """Where the client points: the embedded server's URL, the configured one, or AWS."""
        self.client()
        if self._embedded is not None:
            return self._embedded.endpoint
        return self.settings.dynamodb_endpoint

    def table_names(self) -> dict[str, str]:
        return {logical: self.settings.table_name(logical) for logical in keys.ALL_TABLES}

    def close(self) -> None:
        with self._lock:
            if self._embedded is not None:
                self._embedded.stop()
                self._embedded = None
            self._client = None


def dynamodb_repository(resources: DynamoDBResources, name: str) -> Any:
    """The DynamoDB adapter of one port, over the profile's client and tables."""
    return REPOSITORIES[name](
        resources.client(), resources.table_names(), resources.settings.index_shards
    )
