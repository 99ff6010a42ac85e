"""Integration tests run against ONE embedded moto server on loopback, fresh tables per test."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

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


@pytest.fixture
def tables(client: DynamoDBClient) -> Iterator[dict[str, str]]:
    """The eight tables under a fresh stage, logical -> physical name."""
    with fresh_tables(client) as names:
        yield names


@pytest.fixture
def stores(client: DynamoDBClient, tables: dict[str, str]) -> Stores:
    """Every repository on the test's client and tables."""
    return dynamodb_stores(client, tables)


@pytest.fixture
def other_stores(plain_client: DynamoDBClient, tables: dict[str, str]) -> Stores:
    """The same tables through the hook-free client: a concurrent writer."""
    return dynamodb_stores(plain_client, tables)
