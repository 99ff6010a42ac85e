"""Fault injection through botocore's event hooks, for the integration tests."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, cast

from botocore.awsrequest import AWSResponse

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


class _Body:
    def __init__(self, content: bytes) -> None:
        self._content = content

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self._content


def error_response(code: str, status: int = 400) -> AWSResponse:
    """An HTTP response DynamoDB sends for error `code` (what botocore's retry logic sees)."""
    body = json.dumps({"__type": f"com.amazonaws.dynamodb.v20120810#{code}", "message": code})
    headers = {"Content-Type": "application/x-amz-json-1.0", "x-amzn-RequestId": "fault"}
    return _response(status, headers, body.encode())


def _response(status: int, headers: dict[str, str], body: bytes) -> AWSResponse:
    # botocore wants its HTTPHeaders type; it only reads the headers as a mapping.
    return AWSResponse("http://fault", status, cast("Any", headers), _Body(body))


class Recorder:
    """Counts calls of an operation as they leave botocore (each retry is a send)."""

    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []
        self._lock = threading.Lock()

    def record(self, request: Any) -> None:
        with self._lock:
            self.sent.append(json.loads(request.body))


def fail_first_sends(client: DynamoDBClient, operation: str, code: str, times: int) -> Recorder:
    """The first `times` sends of `operation` get error `code`; later ones reach the server."""
    recorder = Recorder()

    def before_send(request: Any, **_: Any) -> AWSResponse | None:
        recorder.record(request)
        if len(recorder.sent) <= times:
            return error_response(code)
        return None

    client.meta.events.register(f"before-send.dynamodb.{operation}", _handler(before_send))
    return recorder


def before_call(
    client: DynamoDBClient,
    operation: str,
    handler: Callable[[dict[str, Any]], tuple[AWSResponse, dict[str, Any]] | None],
) -> None:
    """Run `handler(request body)` before each call of `operation`; a returned
    (response, parsed) pair answers the call instead of the server."""

    def hook(params: dict[str, Any], **_: Any) -> tuple[AWSResponse, dict[str, Any]] | None:
        return handler(json.loads(params["body"]))

    client.meta.events.register(f"before-call.dynamodb.{operation}", _handler(hook))


def ok(parsed: dict[str, Any]) -> tuple[AWSResponse, dict[str, Any]]:
    """A canned successful answer."""
    return _response(200, {}, b"{}"), parsed


def _handler(function: Callable[..., Any]) -> Callable[..., None]:
    # The stubs type handlers as returning None; a before-* handler may answer the call.
    return cast("Callable[..., None]", function)
