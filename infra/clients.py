"""Builders for external clients and the adapters that need them; all lazy, all created once."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from adapters.dynamodb.layout import Layout
from infra.settings import Profile, Settings

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_events import EventBridgeClient
    from mypy_boto3_s3 import S3Client

    from infra.embedded import EmbeddedDynamoDB


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
    creates the stage's tables of the configured layout if they are missing (idempotent); `aws`
    uses the tables as deployed. Either refuses (LayoutMismatch) a stage whose tables are the
    other layout's.
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._layout = settings.layout()
        self._lock = threading.Lock()
        self._client: DynamoDBClient | None = None
        self._checked = False
        self._embedded: EmbeddedDynamoDB | None = None

    def client(self) -> DynamoDBClient:
        """The client, its stage's tables checked (and created on `local`) on first use."""
        with self._lock:
            client = self._created()
            if not self._checked:
                self._check(client)
                self._checked = True
            return client

    def check(self) -> None:
        """Check the stage's tables once (LayoutMismatch on the other layout's); an entry
        point's first invocation calls it, later calls cost nothing."""
        self.client()

    def prepared(self) -> DynamoDBClient:
        """The client, created but not used: no connection is opened (a Lambda's init, which
        SnapStart may capture); the first `client()` call still checks the tables."""
        with self._lock:
            return self._created()

    def for_repositories(self) -> DynamoDBClient:
        """The client repositories are built on: on `aws` only created, so that building them
        in a Lambda's init stays offline (the entry points call `client()` on first use, which
        checks the tables); elsewhere checked, with the local tables created."""
        if self.settings.profile is Profile.AWS:
            return self.prepared()
        return self.client()

    def _created(self) -> DynamoDBClient:
        from infra.embedded import EmbeddedDynamoDB, make_client

        if self._client is None:
            endpoint = self.settings.dynamodb_endpoint
            if self.settings.profile is Profile.LOCAL and endpoint is None:
                self._embedded = EmbeddedDynamoDB(region=self.settings.aws_region)
                endpoint = self._embedded.start()
            self._client = make_client(endpoint, self.settings.aws_region)
        return self._client

    def _check(self, client: DynamoDBClient) -> None:
        from adapters.dynamodb.layout_check import check_tables
        from adapters.dynamodb.tables import create_tables

        if self._embedded is None:
            # Tables found of the other layout mean this service would half-work: refuse
            # (docs/decisions/138-refusing-the-wrong-layout.md).
            local = self.settings.profile is Profile.LOCAL
            check_tables(client, self._layout, creates_missing=local)
        if self.settings.profile is Profile.LOCAL:
            create_tables(client, self._layout)

    @property
    def endpoint(self) -> str | None:
        """Where the client points: the embedded server's URL, the configured one, or AWS."""
        self.client()
        if self._embedded is not None:
            return self._embedded.endpoint
        return self.settings.dynamodb_endpoint

    def layout(self) -> Layout:
        """The stage's table layout (FLOWLOGIC_TABLE_LAYOUT)."""
        return self._layout

    def close(self) -> None:
        with self._lock:
            if self._embedded is not None:
                self._embedded.stop()
                self._embedded = None
            self._client = None
            self._checked = False
