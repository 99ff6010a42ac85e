"""Upload targets that point nowhere: for tests and the local profile without S3."""

from __future__ import annotations

from datetime import datetime, timedelta

from ports.video_storage import UploadTarget

UPLOAD_URL_LIFETIME = timedelta(minutes=15)


class FakeVideoStorage:
    """`s3://{bucket}/videos/{user_id}/{assessment_id}.mp4`, uploaded to `https://uploads.local`."""

    def __init__(self, bucket: str = "flowlogic-test-videos") -> None:
        self.bucket = bucket
        self.issued: list[UploadTarget] = []

    def upload_target(self, user_id: str, assessment_id: str, now: datetime) -> UploadTarget:
        """A pretend pre-signed PUT, valid for 15 minutes from `now`."""
        key = f"videos/{user_id}/{assessment_id}.mp4"
        target = UploadTarget(
            video_url=f"s3://{self.bucket}/{key}",
            upload_url=f"https://uploads.local/{self.bucket}/{key}",
            expires_at=now + UPLOAD_URL_LIFETIME,
        )
        self.issued.append(target)
        return target
