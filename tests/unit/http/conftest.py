"""The HTTP adapter tested through the real app on the memory profile, in process."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from infra.openapi import memory_app
from tests.e2e.service import Service, running

_PARAM = re.compile(r"\{(\w+)\}")
EXAMPLE_PATH_VALUES = {
    "user_id": "someone-else",
    "assessment_id": "00000000-0000-4000-8000-000000000001",
    "task_date": "2026-01-01",
    "task_id": "00000000-0000-4000-8000-000000000002",
}


@pytest.fixture
def service() -> Iterator[Service]:
    """A fresh memory-profile service."""
    with running("memory") as started:
        yield started


def operations(secured: bool | None = None) -> list[tuple[str, str]]:
    """(method, path template) of every operation in the OpenAPI document, optionally only the
    ones that need (True) or do not need (False) a bearer token."""
    document = memory_app().openapi()
    found = []
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if secured is None or bool(operation.get("security")) is secured:
                found.append((method.upper(), path))
    return sorted(found)


def concrete(path: str, values: dict[str, str] | None = None) -> str:
    """The template with its parameters filled in."""
    chosen = {**EXAMPLE_PATH_VALUES, **(values or {})}
    return _PARAM.sub(lambda match: chosen[match.group(1)], path)
