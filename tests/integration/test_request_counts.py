"""Every use case of the journey makes no more DynamoDB requests than its minimum.

The journey of benchmarks/journey.py runs once on the local profile against the embedded server,
with the request meter of the benchmarks; the minimum of each use case is the MINIMUM table of
benchmarks/roundtrips.py. Request counts are deterministic: this is not a timing test.
"""

from __future__ import annotations

import contextlib
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from application.erase_account import Erasure
from benchmarks.journey import local_bench, run_journey
from benchmarks.meter import RequestMeter
from benchmarks.roundtrips import JOURNEY_ERASED_ITEMS, MINIMUM, erasure_minimum
from infra.embedded import EmbeddedDynamoDB


@dataclass
class Journey:
    """Each use case's calls, in order: the operations each sent, and what it returned."""

    requests: dict[str, list[list[str]]] = field(default_factory=lambda: defaultdict(list))
    results: dict[str, list[Any]] = field(default_factory=lambda: defaultdict(list))


@pytest.fixture(scope="module")
def journey(server: EmbeddedDynamoDB) -> Iterator[Journey]:
    """One journey on fresh tables of the test server, metered."""
    bench = local_bench(server.endpoint)
    resources = bench.container.dynamodb()
    client = resources.client()
    meter = RequestMeter(client)
    seen = Journey()

    def measure(name: str, action: Callable[[], Any]) -> Any:
        with meter.recording() as calls:
            result = action()
        seen.requests[name].append([call.operation for call in calls])
        seen.results[name].append(result)
        return result

    try:
        run_journey(bench, measure)
        yield seen
    finally:
        for table in resources.table_names().values():
            with contextlib.suppress(client.exceptions.ResourceNotFoundException):
                client.delete_table(TableName=table)
        resources.close()


def test_the_journey_exercises_every_use_case_with_a_minimum(journey: Journey) -> None:
    assert set(journey.requests) == set(MINIMUM)


@pytest.mark.parametrize("name", sorted(MINIMUM))
def test_each_call_of_the_use_case_stays_at_or_below_its_minimum(
    journey: Journey, name: str
) -> None:
    minimum, why = MINIMUM[name]
    for number, operations in enumerate(journey.requests[name]):
        if name == "erase_account":
            erasure = journey.results[name][number]
            assert isinstance(erasure, Erasure)
            minimum = erasure_minimum(erasure.items_deleted)
        assert len(operations) <= minimum, f"{name} call {number}: {operations} ({why})"


def test_a_journey_user_has_the_items_the_erasure_minimum_is_computed_from(
    journey: Journey,
) -> None:
    [erasure] = journey.results["erase_account"]
    assert isinstance(erasure, Erasure)
    assert erasure.items_deleted == JOURNEY_ERASED_ITEMS
    [operations] = journey.requests["erase_account"]
    assert operations.count("Query") == 14  # the items, then the sweep (decision 141)
