"""Helpers for tests that race many writers: release threads together, count stored attempts."""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import TYPE_CHECKING, TypeVar

from adapters.dynamodb import keys
from adapters.dynamodb.layout import Layout

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

T = TypeVar("T")


@contextmanager
def frequent_switches() -> Iterator[None]:
    """Switch threads every few microseconds, so that interleavings a 5 ms slice would hide
    happen (a server that is not atomic per request over-admits under this)."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)
    try:
        yield
    finally:
        sys.setswitchinterval(before)


def all_at_once(count: int, work: Callable[[int], T]) -> list[T | BaseException]:
    """Run `work(i)` on `count` threads released together; results or raised errors, in order."""
    gate = threading.Barrier(count)

    def run(number: int) -> T | BaseException:
        gate.wait()
        try:
            return work(number)
        except Exception as error:  # collected, so that the test can count the losers
            return error

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(run, range(count)))


def stored_attempts(client: DynamoDBClient, layout: Layout, user_id: str) -> int:
    """How many attempts of the user the layout holds (consistent count)."""
    response = client.query(**layout.of_user(keys.ASSESSMENTS, user_id), Select="COUNT")
    return response["Count"]
