"""Where the phone uploads the video of an attempt."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, runtime_checkable


@dataclass(frozen=True, slots=True)
class UploadTarget:
    """`video_url` (s3://bucket/key) goes on the assessment; `upload_url` is a pre-signed PUT."""

    video_url: str
    upload_url: str
    expires_at: datetime


@runtime_checkable
class VideoStorage(Protocol):
    """Hands out upload targets for attempt videos."""

    def upload_target(self, user_id: str, assessment_id: str, now: datetime) -> UploadTarget:
        """A pre-signed PUT for this attempt's video."""
        ...
