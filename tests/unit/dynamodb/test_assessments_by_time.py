"""A user's attempts newest first over created-index, against a fake local index that orders
equal `created_at` values in any order (DynamoDB promises nothing there), stops pages short as
by 1 MB, and applies `Limit` before the filter, as DynamoDB does (decision 081)."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import TYPE_CHECKING, Any, cast

from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.dynamodb.assessments import DynamoDBAssessmentRepository
from adapters.dynamodb.attributes import Item, get_int, get_s
from adapters.dynamodb.layout_multi import CREATED_INDEX, MultiLayout
from adapters.dynamodb.mappers.assessments import assessment_to_item
from domain.assessment import Assessment
from tests.support.factories import T0, an_assessment

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

USER = "user-1"


class FakeCreatedIndex:
    """One user's partition of created-index: newest first, ties shuffled, short pages."""

    def __init__(self, attempts: list[Assessment], seed: int, *, short_pages: bool = True) -> None:
        items = [assessment_to_item(a) for a in attempts]
        random.Random(seed).shuffle(items)
        # A stable sort keeps the shuffled order among equal times.
        self.items = sorted(items, key=lambda i: get_s(i, "created_at"), reverse=True)
        self.pages = random.Random(seed + 1)
        self.short_pages = short_pages
        self.requests: list[dict[str, Any]] = []

    def query(self, **request: Any) -> dict[str, Any]:
        self.requests.append(request)
        assert request["IndexName"] == CREATED_INDEX
        assert request["ScanIndexForward"] is False
        values = request["ExpressionAttributeValues"]
        until = values.get(":until", {}).get("S")
        matching = [i for i in self.items if until is None or get_s(i, "created_at") <= until]
        start = 0
        if "ExclusiveStartKey" in request:
            start = 1 + next(
                n
                for n, item in enumerate(matching)
                if item["assessment_id"] == request["ExclusiveStartKey"]["assessment_id"]
            )
        size = request["Limit"]
        if self.short_pages:
            size = min(size, self.pages.randint(1, size + 2))
        evaluated = matching[start : start + size]
        response: dict[str, Any] = {
            "Items": [i for i in evaluated if ":test" not in values or _test_of(i, values)]
        }
        last = start + len(evaluated) - 1
        if evaluated and (last < len(matching) - 1 or len(evaluated) == request["Limit"]):
            response["LastEvaluatedKey"] = {
                k: evaluated[-1][k] for k in ("user_id", "assessment_id", "created_at")
            }
        return response

    def as_client(self) -> DynamoDBClient:
        return cast("DynamoDBClient", self)


def _test_of(item: Item, values: dict[str, Any]) -> bool:
    return get_int(item, "test_id") == int(values[":test"]["N"])


def every_page(
    repository: DynamoDBAssessmentRepository, test_id: int | None, limit: int
) -> list[list[str]]:
    pages: list[list[str]] = []
    cursor: str | None = None
    while True:
        page = repository.list_for_user(USER, test_id=test_id, limit=limit, cursor=cursor)
        pages.append([a.assessment_id for a in page.items])
        if page.next_cursor is None:
            return pages
        cursor = page.next_cursor


def repository_over(index: FakeCreatedIndex) -> DynamoDBAssessmentRepository:
    return DynamoDBAssessmentRepository(index.as_client(), MultiLayout("test", 1))


@settings(max_examples=200, deadline=None)
@given(
    attempts=st.lists(
        st.tuples(st.integers(min_value=0, max_value=3), st.integers(min_value=1, max_value=3)),
        max_size=25,
    ),
    limit=st.integers(min_value=1, max_value=5),
    test_id=st.sampled_from([None, 1]),
    seed=st.integers(min_value=0, max_value=2**16),
)
def test_pages_list_each_attempt_once_newest_first_and_ties_by_id_descending(
    attempts: list[tuple[int, int]], limit: int, test_id: int | None, seed: int
) -> None:
    stored = [
        an_assessment(USER, f"id-{n:02d}", test_id=test, created_at=T0 + timedelta(minutes=m))
        for n, (m, test) in enumerate(attempts)
    ]
    expected = sorted(
        (a for a in stored if test_id is None or a.test_id == test_id),
        key=lambda a: (a.created_at, a.assessment_id),
        reverse=True,
    )

    pages = every_page(repository_over(FakeCreatedIndex(stored, seed)), test_id, limit)

    assert [a for page in pages for a in page] == [a.assessment_id for a in expected]
    assert all(0 < len(page) <= limit for page in pages[:-1])
    assert 0 < len(pages[-1]) <= limit or pages == [[]]


def test_each_unfiltered_page_without_ties_is_one_query_of_about_the_page() -> None:
    stored = [
        an_assessment(USER, f"id-{n:02d}", created_at=T0 + timedelta(minutes=n)) for n in range(50)
    ]
    index = FakeCreatedIndex(stored, seed=0, short_pages=False)
    repository = repository_over(index)

    first = repository.list_for_user(USER, test_id=None, limit=10, cursor=None)
    second = repository.list_for_user(USER, test_id=None, limit=10, cursor=first.next_cursor)

    assert [a.assessment_id for a in first.items] == [f"id-{n:02d}" for n in range(49, 39, -1)]
    assert [a.assessment_id for a in second.items] == [f"id-{n:02d}" for n in range(39, 29, -1)]
    # The second page re-reads the cursor's own attempt (created_at <= the cursor's time).
    assert [request["Limit"] for request in index.requests] == [11, 12]
    assert all(request["ConsistentRead"] is True for request in index.requests)
