"""Counts the DynamoDB requests a piece of code makes, through botocore's event hooks."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Call:
    operation: str
    params: dict[str, Any]
    response: dict[str, Any] = field(default_factory=dict)


class RequestMeter:
    """Records every DynamoDB API call made by one client while `recording()` is active."""

    def __init__(self, client: Any) -> None:
        self._lock = threading.Lock()
        self._active = False
        self.calls: list[Call] = []
        client.meta.events.register("provide-client-params.dynamodb", self._before)
        client.meta.events.register("after-call.dynamodb", self._after)
        self._pending: dict[int, Call] = {}

    def _before(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        if self._active:
            call = Call(model.name, dict(params))
            with self._lock:
                self.calls.append(call)
                self._pending[threading.get_ident()] = call

    def _after(self, parsed: dict[str, Any], model: Any, **_: Any) -> None:
        with self._lock:
            call = self._pending.pop(threading.get_ident(), None)
        if call is not None:
            call.response = parsed

    @contextmanager
    def recording(self) -> Iterator[list[Call]]:
        """Record the calls made inside the block; yields the list they are appended to."""
        with self._lock:
            self.calls = []
            self._active = True
        try:
            yield self.calls
        finally:
            self._active = False

    @staticmethod
    def summary(calls: list[Call]) -> str:
        counted = Counter(call.operation for call in calls)
        return ", ".join(f"{n}×{op}" if n > 1 else op for op, n in sorted(counted.items()))
