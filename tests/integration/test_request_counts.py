"""Every use case of the journey makes no more DynamoDB requests than its minimum, on both table
layouts, and exactly the pinned count of each layout.

The journey of benchmarks/journey.py runs once per layout on the local profile against the
embedded server, with the request meter of the benchmarks; the minimum of each use case is the
MINIMUM table of benchmarks/roundtrips.py, the pinned counts its PINNED table. Request counts
are deterministic: this is not a timing test.
"""

from __future__ import annotations

import contextlib
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from adapters.dynamodb.layout import LAYOUTS
from application.erase_account import Erasure
from benchmarks.journey import local_bench, run_journey
from benchmarks.meter import RequestMeter
from benchmarks.roundtrips import JOURNEY_ERASED_ITEMS, MINIMUM, PINNED, erasure_minimum
from infra.embedded import EmbeddedDynamoDB


@dataclass
class Journey:
    """Each use case's calls, in order: the operations each sent, and what it returned."""

    layout: str = "multi"
    requests: dict[str, list[list[str]]] = field(default_factory=lambda: defaultdict(list))
    results: dict[str, list[Any]] = field(default_factory=lambda: defaultdict(list))


# Where the single layout reads one item collection instead of one table after another.
FEWER_ON_SINGLE = {
    "export_account",
    "erase_account",
    "generate_plan",
    "complete_attempt",
    "complete_retest",
    "set_task_completion",
    "get_progress",
    "get_active_plan",
    "schedule_calendar",
}


@pytest.fixture(scope="module", params=LAYOUTS)
def journey(server: EmbeddedDynamoDB, request: pytest.FixtureRequest) -> Iterator[Journey]:
    """One journey on fresh tables of the test server in one layout, metered."""
    bench = local_bench(server.endpoint, request.param)
    resources = bench.container.dynamodb()
    client = resources.client()
    meter = RequestMeter(client)
    seen = Journey(request.param)

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
        for table in resources.layout().table_names():
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
    # the items, then the sweep (decision 141)
    assert operations.count("Query") == (14 if journey.layout == "multi" else 2)


@pytest.mark.parametrize("name", sorted(PINNED))
def test_the_first_call_of_each_use_case_makes_the_pinned_number_of_requests(
    journey: Journey, name: str
) -> None:
    multi, single = PINNED[name]
    made = len(journey.requests[name][0])
    assert made == (multi if journey.layout == "multi" else single), journey.requests[name][0]


def test_the_single_layout_never_needs_more_requests_and_fewer_where_it_reads_a_collection() -> (
    None
):
    assert set(PINNED) == set(MINIMUM)
    for name, (multi, single) in PINNED.items():
        assert single <= multi, name
        assert (single < multi) == (name in FEWER_ON_SINGLE), name


def test_the_journeys_retest_completes_its_task_in_the_attempts_transaction(
    journey: Journey,
) -> None:
    # A plain completion puts the attempt alone; with its retest task it is one transaction.
    [operations] = journey.requests["complete_retest"]
    assert operations[-1] == "TransactWriteItems"
