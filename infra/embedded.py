"""The local DynamoDB (moto's server on loopback) and the one place DynamoDB clients are built.

`make_client` configures botocore's `standard` retry mode, which retries throttling
(ProvisionedThroughputExceeded, ThrottlingException, RequestLimitExceeded, ...) and transient
errors with jittered exponential backoff; the adapters turn what still fails into
StorageUnavailable (docs/decisions/069-atomic-writes-and-retries.md).
"""

from __future__ import annotations

import logging
import socket
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from types import TracebackType
from typing import TYPE_CHECKING, Any

import boto3
from botocore.config import Config

from adapters.dynamodb.layout import Layout
from adapters.dynamodb.tables import create_tables

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodbstreams import DynamoDBStreamsClient

DEFAULT_REGION = "us-east-1"
# Attempts per call, the first included: at most ~15 s of throttling backoff before giving up.
MAX_ATTEMPTS = 5
# Cross-user listings query every shard at once, and tests run 50 threads on one client.
MAX_POOL_CONNECTIONS = 64

# Moto accepts any credentials; these only keep botocore from looking for real ones.
_LOCAL_ACCESS_KEY = "local"
_LOCAL_SECRET_KEY = "local"  # noqa: S105 - not a secret: the embedded server ignores it

_WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
# DynamoDB actions that change nothing; every other request counts as a possible write.
_READS = frozenset(
    {
        "GetItem",
        "BatchGetItem",
        "Query",
        "Scan",
        "TransactGetItems",
        "DescribeTable",
        "ListTables",
        "DescribeTimeToLive",
        "DescribeContinuousBackups",
        "ListTagsOfResource",
        "DescribeEndpoints",
        "DescribeLimits",
        "ListBackups",
        "ListGlobalTables",
        "ListExports",
        "ListImports",
    }
)


def make_client(endpoint: str | None, region: str) -> DynamoDBClient:
    """A low-level DynamoDB client with standard-mode retries.

    With an endpoint (the embedded server, DynamoDB Local) it signs with dummy credentials and
    never needs AWS; without one it uses the default credential chain of the environment.
    """
    config = Config(
        region_name=region,
        retries={"mode": "standard", "total_max_attempts": MAX_ATTEMPTS},
        max_pool_connections=MAX_POOL_CONNECTIONS,
        connect_timeout=3,
        read_timeout=10,
    )
    return _session(endpoint, region).client("dynamodb", endpoint_url=endpoint, config=config)


def make_streams_client(endpoint: str | None, region: str) -> DynamoDBStreamsClient:
    """A DynamoDB Streams client configured as `make_client`'s (the embedded server and
    DynamoDB Local serve streams at the DynamoDB endpoint)."""
    config = Config(
        region_name=region,
        retries={"mode": "standard", "total_max_attempts": MAX_ATTEMPTS},
        connect_timeout=3,
        read_timeout=10,
    )
    session = _session(endpoint, region)
    return session.client("dynamodbstreams", endpoint_url=endpoint, config=config)


def _session(endpoint: str | None, region: str) -> boto3.session.Session:
    """The default credential chain for AWS; dummy credentials for a local endpoint."""
    if endpoint is None:
        return boto3.session.Session(region_name=region)
    return boto3.session.Session(
        aws_access_key_id=_LOCAL_ACCESS_KEY,
        aws_secret_access_key=_LOCAL_SECRET_KEY,
        region_name=region,
    )


class EmbeddedDynamoDB:
    """Moto's DynamoDB server in a background thread on 127.0.0.1, on a free port.

    Requests are served one at a time. DynamoDB applies each request atomically; moto checks a
    transaction's conditions and writes its items in separate steps and restores what it wrote
    when one fails, so two concurrent requests could interleave there and lose writes
    (docs/decisions/065-embedded-server-serves-one-request-at-a-time.md). Transactions restore
    only the items they touched (infra/moto_transactions.py), so their cost does not grow with
    the tables.
    """

    def __init__(
        self, host: str = "127.0.0.1", port: int = 0, region: str = DEFAULT_REGION
    ) -> None:
        self._host = host
        self._port = port
        self.region = region
        self._server: Any = None
        self._endpoint: str | None = None
        self._lock = threading.Lock()
        self._requests: _OneAtATime | None = None

    def start(self) -> str:
        """Start the server (once) and return its endpoint URL."""
        if self._endpoint is not None:
            return self._endpoint
        # Imported here: moto is heavy, and importing this module must not start anything.
        try:
            from moto.server import ThreadedMotoServer
        except ImportError as missing:
            raise RuntimeError(
                "the embedded DynamoDB needs moto: install the `local` extra "
                "(make does), or set AWS_ENDPOINT_URL_DYNAMODB to a running server"
            ) from missing

        from infra import moto_transactions

        # A transaction costs what it touches, not the tables it names.
        moto_transactions.apply()
        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        server = ThreadedMotoServer(ip_address=self._host, port=self._port, verbose=False)
        if self._port:
            _check_free(self._host, self._port)
        server.start()
        self._requests = _serve_one_request_at_a_time(server, self._lock)
        host, port = server.get_host_and_port()
        self._server = server
        self._endpoint = f"http://{host}:{port}"
        return self._endpoint

    @property
    def endpoint(self) -> str:
        """The endpoint URL of the running server."""
        if self._endpoint is None:
            raise RuntimeError("the embedded DynamoDB is not started")
        return self._endpoint

    @property
    def writes(self) -> int:
        """How many requests that may change data the server has answered so far."""
        return 0 if self._requests is None else self._requests.writes

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        """No request runs inside the block: what it reads of the data is one moment."""
        with self._lock:
            yield

    def client(self) -> DynamoDBClient:
        """A new client of this server."""
        return make_client(self.endpoint, self.region)

    def create_tables(self, layout: Layout) -> list[str]:
        """Create the tables of a stage's layout that do not exist yet."""
        return create_tables(self.client(), layout)

    def stop(self) -> None:
        """Stop the server and wait for its thread; stopping twice is harmless."""
        server, self._server, self._endpoint = self._server, None, None
        if server is not None:
            server.stop()

    def __enter__(self) -> EmbeddedDynamoDB:
        self.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.stop()


class _OneAtATime:
    """WSGI middleware: one request inside the wrapped application at a time.

    It also counts the requests that may change data, so a saver can tell when to save.
    """

    def __init__(self, app: _WsgiApp, lock: threading.Lock) -> None:
        self._app = app
        self._lock = lock
        self.writes = 0

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        action = str(environ.get("HTTP_X_AMZ_TARGET", "")).rpartition(".")[2]
        with self._lock:
            if action not in _READS:
                self.writes += 1
            body = self._app(environ, start_response)
            try:
                return list(body)
            finally:
                close = getattr(body, "close", None)
                if close is not None:
                    close()


def _check_free(host: str, port: int) -> None:
    # ThreadedMotoServer binds in its thread and waits forever when that fails: probe first.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as busy:
            raise RuntimeError(
                f"the embedded DynamoDB cannot listen on {host}:{port} ({busy.strerror}): "
                "choose another --dynamodb-port"
            ) from None


def _serve_one_request_at_a_time(server: Any, lock: threading.Lock) -> _OneAtATime:
    # ThreadedMotoServer offers no hook for middleware; its werkzeug server reads `.app` per
    # request, so wrapping it right after start (before any request) serialises them all.
    wsgi_server = server._server
    wrapped = _OneAtATime(wsgi_server.app, lock)
    wsgi_server.app = wrapped
    return wrapped
