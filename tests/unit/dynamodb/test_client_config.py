"""How DynamoDB clients are built: standard retries, a wide pool, no AWS for a local endpoint."""

from __future__ import annotations

from typing import Any

import pytest

from infra.embedded import MAX_ATTEMPTS, MAX_POOL_CONNECTIONS, EmbeddedDynamoDB, make_client


def test_a_client_retries_throttling_in_standard_mode() -> None:
    client = make_client("http://127.0.0.1:9", "eu-west-1")
    config: Any = client.meta.config
    assert config.retries == {"mode": "standard", "total_max_attempts": MAX_ATTEMPTS}
    assert config.max_pool_connections == MAX_POOL_CONNECTIONS
    assert client.meta.region_name == "eu-west-1"
    assert client.meta.endpoint_url == "http://127.0.0.1:9"


def test_a_local_endpoint_signs_with_dummy_credentials() -> None:
    client: Any = make_client("http://127.0.0.1:9", "us-east-1")
    credentials = client._request_signer._credentials
    assert (credentials.access_key, credentials.secret_key) == ("local", "local")


def test_an_embedded_server_that_was_not_started_has_no_endpoint_and_stops_harmlessly() -> None:
    server = EmbeddedDynamoDB()
    with pytest.raises(RuntimeError, match="not started"):
        _ = server.endpoint
    server.stop()
