"""AttributeValue encoding at the boundary, and opaque cursors."""

from __future__ import annotations

import base64
import math
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.dynamodb import cursors
from adapters.dynamodb.attributes import (
    CorruptItem,
    from_attribute,
    int_of,
    item_size,
    item_to_json,
    number_text,
    to_attribute,
)
from domain.errors import ValidationFailed
from ports.errors import InvalidCursor

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)


def same_json(left: Any, right: Any) -> bool:
    """Equal as JSON documents, where 1 and 1.0 are the same number."""
    if isinstance(left, bool) or isinstance(right, bool):
        return left is right
    if isinstance(left, int | float) and isinstance(right, int | float):
        return left == right
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(map(same_json, left, right))
    if isinstance(left, dict) and isinstance(right, dict):
        return left.keys() == right.keys() and all(same_json(left[k], right[k]) for k in left)
    return bool(left == right) and type(left) is type(right)


@given(json_values)
def test_any_json_value_survives_the_trip_through_attribute_values(value: Any) -> None:
    assert same_json(from_attribute(to_attribute(value)), value)


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_a_float_is_stored_as_its_shortest_decimal_text(value: float) -> None:
    text = number_text(value)
    assert Decimal(text) == Decimal(repr(value))
    assert float(text) == value


def test_floats_are_written_without_binary_noise() -> None:
    assert number_text(0.1) == "0.1"
    assert number_text(0.83) == "0.83"
    assert number_text(1e-07) == "1E-7"
    assert number_text(12) == "12"


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_numbers_dynamodb_cannot_hold_are_refused(value: float) -> None:
    with pytest.raises(ValueError, match="finite"):
        number_text(value)


def test_a_bool_is_never_written_as_a_number() -> None:
    assert to_attribute(True) == {"BOOL": True}
    with pytest.raises(TypeError):
        number_text(True)


def test_integral_numbers_read_back_as_ints_and_fractions_as_floats() -> None:
    assert from_attribute({"N": "3"}) == 3
    assert isinstance(from_attribute({"N": "3"}), int)
    assert isinstance(from_attribute({"N": "0.5"}), float)
    assert int_of("3.0") == 3
    with pytest.raises(CorruptItem):
        int_of("3.5")


def test_values_that_are_not_json_are_refused() -> None:
    with pytest.raises(TypeError):
        to_attribute({1: "a"})
    with pytest.raises(TypeError):
        to_attribute(object())


def test_an_export_leaves_out_the_named_attributes_and_decodes_the_rest() -> None:
    item = {"a": {"S": "x"}, "n": {"N": "2"}, "hidden": {"S": "y"}, "set": {"NS": ["10", "9"]}}
    assert item_to_json(item, ("hidden",)) == {"a": "x", "n": 2, "set": [9, 10]}


def test_an_items_size_counts_names_and_values() -> None:
    assert item_size({"ab": {"S": "xyz"}}) == 5
    assert item_size({"a": {"S": "é"}}) == 3
    assert item_size({"a": {"M": {"b": {"N": "10"}}}}) > item_size({"a": {"N": "10"}})


# --- cursors -----------------------------------------------------------------------------------


def test_a_cursor_decodes_to_the_position_it_encodes() -> None:
    position = {"user_id": "u", "created_at": "2026-11-25T09:00:00.000Z", "assessment_id": "a"}
    cursor = cursors.encode(position)
    assert "=" not in cursor
    assert cursors.decode(cursor, dict.fromkeys(position, str)) == position


@pytest.mark.parametrize(
    "cursor",
    [
        "not a cursor!",
        base64.urlsafe_b64encode(b"not json").decode(),
        cursors.encode({"user_id": "u"}),
        cursors.encode({"user_id": 5, "created_at": "t", "assessment_id": "a"}),
        base64.urlsafe_b64encode(b"[1, 2]").decode(),
    ],
)
def test_a_cursor_that_was_never_issued_is_invalid(cursor: str) -> None:
    with pytest.raises(InvalidCursor):
        cursors.decode(cursor, {"user_id": str, "created_at": str, "assessment_id": str})


def test_a_cursor_of_another_listing_is_invalid() -> None:
    position = cursors.decode(cursors.encode({"month_key": "2026-10"}), {"month_key": str})
    with pytest.raises(InvalidCursor):
        cursors.require_same(position, "month_key", "2026-11")


def test_a_page_holds_at_least_one_item() -> None:
    cursors.require_limit(1)
    with pytest.raises(ValidationFailed):
        cursors.require_limit(0)
