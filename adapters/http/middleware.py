"""Request ids and one access line per request, free of personal data.

The line names the route template (`/v1/me/assessments/{assessment_id}`), never the path itself,
its parameters or the query: those may carry ids. Pure ASGI, so it adds no per-request task.
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from collections.abc import Callable, MutableMapping
from contextlib import AbstractContextManager
from typing import Any

from adapters.http.problems import PAYLOAD_TOO_LARGE, PROBLEM_JSON, problem

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Any]
Send = Callable[[Message], Any]
ASGIApp = Callable[[Scope, Receive, Send], Any]
RequestContext = Callable[[str], AbstractContextManager[None]]

REQUEST_ID_HEADER = "x-request-id"
MAX_BODY_BYTES = 256 * 1024
_SAFE_ID = re.compile(r"[A-Za-z0-9._:\-]{1,64}", re.ASCII)
_access = logging.getLogger("flowlogic.http.access")


def safe_request_id(value: object) -> str | None:
    """`value` when it is a request id safe to log and echo (1..64 of A-Z a-z 0-9 . _ : -)."""
    return value if isinstance(value, str) and _SAFE_ID.fullmatch(value) else None


def new_request_id() -> str:
    """A fresh request id: hex, not the dashed form the log redactor masks as a UUID."""
    return uuid.uuid4().hex


def gateway_request_id(event: object) -> str | None:
    """API Gateway's request id of a Lambda event, when it has a safe one."""
    context = event.get("requestContext") if isinstance(event, dict) else None
    return safe_request_id(context.get("requestId")) if isinstance(context, dict) else None


def request_id_of(scope: Scope) -> str:
    """The caller's X-Request-Id when it is safe to echo, else API Gateway's, else a new one."""
    for name, value in scope.get("headers") or ():
        if name == REQUEST_ID_HEADER.encode():
            given = safe_request_id(value.decode("latin-1"))
            if given is not None:
                return given
            break
    return gateway_request_id(scope.get("aws.event")) or new_request_id()


class AccessLog:
    """Tags the request with an id (X-Request-Id in and out) and logs how it ended."""

    def __init__(self, app: ASGIApp, request_context: RequestContext) -> None:
        self.app = app
        self.request_context = request_context

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = request_id_of(scope)
        status = 500
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                headers = list(message.get("headers") or [])
                headers.append((REQUEST_ID_HEADER.encode(), request_id.encode()))
                message["headers"] = headers
            await send(message)

        with self.request_context(request_id):
            try:
                if _declared_length(scope) > MAX_BODY_BYTES:
                    await _too_large(send_with_id)
                else:
                    await self.app(scope, receive, send_with_id)
            finally:
                route = scope.get("route")
                _access.info(
                    "request",
                    extra={
                        "method": scope.get("method", "-"),
                        "route": getattr(route, "path", None) or "unmatched",
                        "status": status,
                        "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                    },
                )


def _declared_length(scope: Scope) -> int:
    for name, value in scope.get("headers") or ():
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return 0
    return 0


async def _too_large(send: Send) -> None:
    found = problem(413, PAYLOAD_TOO_LARGE, f"request bodies are limited to {MAX_BODY_BYTES} bytes")
    body = json.dumps(dict(found.body)).encode()
    await send(
        {
            "type": "http.response.start",
            "status": found.status,
            "headers": [
                (b"content-type", PROBLEM_JSON.encode()),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
