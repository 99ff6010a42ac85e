"""Refusing to start a service on the other layout's tables, before it serves anything
(docs/decisions/138-refusing-the-wrong-layout.md)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from adapters.dynamodb.layout_check import LayoutMismatch, mismatch
from infra.settings import Profile, Settings

if TYPE_CHECKING:
    from infra.container import Container


def layout_refusal(settings: Settings) -> str | None:
    """The one-line reason the stage's tables do not fit the configured layout, or None.

    Nothing to check in memory or on a local embedded server (it starts empty and gets the
    configured layout's tables).
    """
    if settings.profile is Profile.MEMORY:
        return None
    if settings.profile is Profile.LOCAL and settings.dynamodb_endpoint is None:
        return None
    from infra.embedded import make_client

    client = make_client(settings.dynamodb_endpoint, settings.aws_region)
    local = settings.profile is Profile.LOCAL
    return mismatch(client, settings.layout(), creates_missing=local)


def check_layout(container: Container) -> None:
    """Raise LayoutMismatch unless the container's storage fits its tables (connects the
    DynamoDB client once; later calls cost nothing)."""
    if container.storage() == "dynamodb":
        container.dynamodb().client()


__all__ = ["LayoutMismatch", "check_layout", "layout_refusal"]
