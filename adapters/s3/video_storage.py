"""Upload targets as S3 pre-signed PUT URLs. Signing is local computation: no request is sent."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from ports.video_storage import UploadTarget

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

UPLOAD_TTL = timedelta(minutes=15)


class S3VideoStorage:
    """Pre-signs a PUT of `videos/{user_id}/{assessment_id}.mp4` in one bucket."""

    def __init__(self, client: Callable[[], S3Client], bucket: str) -> None:
        self._client = client
        self._bucket = bucket

    def upload_target(self, user_id: str, assessment_id: str, now: datetime) -> UploadTarget:
        key = f"videos/{user_id}/{assessment_id}.mp4"
        url = self._client().generate_presigned_url(
            "put_object",
            Params={"Bucket": self._bucket, "Key": key, "ContentType": "video/mp4"},
            ExpiresIn=int(UPLOAD_TTL.total_seconds()),
        )
        return UploadTarget(
            video_url=f"s3://{self._bucket}/{key}", upload_url=url, expires_at=now + UPLOAD_TTL
        )
