"""Builders for external clients and the adapters that need them; all lazy, all created once."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from infra.settings import Profile, Settings

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client


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


class DynamoDBResources:
    """The DynamoDB client for the profile; in `local` with no endpoint, an embedded server."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._lock = threading.Lock()
        self._client: Any = None
        self._embedded: Any = None

    def client(self) -> Any:
        raise NotImplementedError("wired when the DynamoDB adapters land")

    def close(self) -> None:
        if self._embedded is not None:
            self._embedded.stop()
            self._embedded = None


def dynamodb_repository(resources: DynamoDBResources, name: str) -> Any:
    raise NotImplementedError("wired when the DynamoDB adapters land")
