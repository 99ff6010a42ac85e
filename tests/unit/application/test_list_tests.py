"""GET /v1/tests: the 15-test catalog (SPEC.md 3)."""

from __future__ import annotations

from application.list_tests import ListTests, ListTestsRequest
from domain.regions import Region


def test_the_catalog_lists_fifteen_tests_by_id() -> None:
    tests = ListTests().execute(ListTestsRequest())
    assert [t.test_id for t in tests] == list(range(1, 16))


def test_each_test_carries_its_name_and_the_regions_it_screens() -> None:
    tests = {t.test_id: t for t in ListTests().execute()}
    assert tests[1].name == "Overhead Squat"
    assert tests[10].regions == (Region.ANKLE,)
    assert tests[14].regions == (Region.THORACIC_SPINE, Region.NECK)
    assert tests[15].name == "Hip Hinge"
