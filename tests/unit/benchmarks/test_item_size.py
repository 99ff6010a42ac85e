"""The capacity model's item size arithmetic against AWS's documented examples."""

from __future__ import annotations

import pytest

from benchmarks.item_size import item_size, number_size, read_units, value_size, write_units


@pytest.mark.parametrize(
    ("text", "size"),
    [("1", 2), ("12", 2), ("123", 3), ("1000", 2), ("0.001", 2), ("-12345", 4), ("0", 2)],
)
def test_numbers_cost_one_byte_per_two_significant_digits_plus_one(text: str, size: int) -> None:
    assert number_size(text) == size


def test_an_item_counts_attribute_names_and_values() -> None:
    item: dict[str, dict[str, object]] = {
        "user_id": {"S": "abc"},
        "n": {"N": "12"},
        "ok": {"BOOL": True},
    }

    assert item_size(item) == (7 + 3) + (1 + 2) + (2 + 1)


def test_lists_and_maps_add_three_bytes_and_one_per_element() -> None:
    assert value_size({"L": [{"S": "ab"}, {"N": "1"}]}) == 3 + (2 + 1) + (2 + 1)
    assert value_size({"M": {"k": {"S": "v"}}}) == 3 + (1 + 1 + 1)


@pytest.mark.parametrize(("size", "units"), [(1, 1), (1024, 1), (1025, 2), (3000, 3)])
def test_a_write_unit_covers_one_kilobyte(size: int, units: int) -> None:
    assert write_units(size) == units
    assert write_units(size, transactional=True) == 2 * units


def test_reads_cost_half_a_unit_per_four_kilobytes_unless_consistent() -> None:
    assert read_units(4096, consistent=False) == 0.5
    assert read_units(4097, consistent=False) == 1.0
    assert read_units(4097, consistent=True) == 2.0
    assert read_units(100, consistent=True, transactional=True) == 2.0
