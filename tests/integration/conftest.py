"""Integration tests run against ONE embedded moto server on loopback, fresh tables per test,
once per table layout (`multi`, `single`) unless a test asks for one layout."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from adapters.dynamodb.layout import LAYOUTS, Layout
from infra.embedded import EmbeddedDynamoDB
from tests.support.dynamodb_backend import dynamodb_stores, embedded_server, fresh_tables
from tests.support.stores import Stores

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


@pytest.fixture(scope="session")
def server() -> EmbeddedDynamoDB:
    """The test process's one server (started on first use, stopped at exit)."""
    return embedded_server()


@pytest.fixture
def client(server: EmbeddedDynamoDB) -> DynamoDBClient:
    """A client of its own per test, so that event hooks a test registers die with it."""
    return server.client()


@pytest.fixture
def plain_client(server: EmbeddedDynamoDB) -> DynamoDBClient:
    """A second client without hooks: what "another writer" uses."""
    return server.client()


@pytest.fixture(params=LAYOUTS)
def layout_name(request: pytest.FixtureRequest) -> str:
    """The table layout a test runs on (override in a module to pin one)."""
    name: str = request.param
    return name


@pytest.fixture
def layout(client: DynamoDBClient, layout_name: str) -> Iterator[Layout]:
    """The layout's tables under a fresh stage."""
    with fresh_tables(client, layout_name) as fresh:
        yield fresh


@pytest.fixture
def stores(client: DynamoDBClient, layout: Layout) -> Stores:
    """Every repository on the test's client and tables."""
    return dynamodb_stores(client, layout)


@pytest.fixture
def other_stores(plain_client: DynamoDBClient, layout: Layout) -> Stores:
    """The same tables through the hook-free client: a concurrent writer."""
    return dynamodb_stores(plain_client, layout)
