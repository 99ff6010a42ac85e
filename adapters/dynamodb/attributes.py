"""DynamoDB's AttributeValue format at the boundary: typed writers, typed readers, JSON values.

Numbers travel as strings in `N`; a float becomes one through `repr` and `Decimal` only here, so
no binary noise (0.1 → "0.1") reaches the table. Optional attributes are left out rather than
stored as NULL (docs/decisions/066-item-encoding.md).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from domain.time import iso, parse_iso

# An item or key in DynamoDB JSON: attribute name -> {"S": ...} / {"N": ...} / ...
Item = dict[str, Any]
AttributeValue = dict[str, Any]

_INTEGER = re.compile(r"-?\d+")

JsonValue = None | bool | int | float | str | list[Any] | dict[str, Any]


class CorruptItem(ValueError):
    """A stored item lacks an attribute its entity needs, or holds it with another type."""


# --- writers -----------------------------------------------------------------------------------


def s(text: str) -> AttributeValue:
    return {"S": text}


def n(number: int | float | Decimal) -> AttributeValue:
    return {"N": number_text(number)}


def b(flag: bool) -> AttributeValue:
    return {"BOOL": flag}


def t(moment: datetime) -> AttributeValue:
    """A timestamp as the schema's ISO 8601 UTC string with milliseconds."""
    return {"S": iso(moment)}


def d(day: date) -> AttributeValue:
    return {"S": day.isoformat()}


def strings(values: Iterable[str]) -> AttributeValue:
    """An ordered list of strings (L, not SS: order matters and an empty list is allowed)."""
    return {"L": [s(v) for v in values]}


def numbers(values: Iterable[int]) -> AttributeValue:
    return {"L": [n(v) for v in values]}


def number_text(number: int | float | Decimal) -> str:
    """The `N` string of a number: ints exactly, floats by their shortest repr."""
    if isinstance(number, bool):
        raise TypeError("a bool is not a number here")
    if isinstance(number, int):
        return str(number)
    if isinstance(number, float):
        if not math.isfinite(number):
            raise ValueError("DynamoDB numbers are finite")
        return str(Decimal(repr(number)))
    if not number.is_finite():
        raise ValueError("DynamoDB numbers are finite")
    return str(number)


def put_optional(item: Item, name: str, value: AttributeValue | None) -> None:
    """Set `name` only when there is a value: absent optional attributes are not stored."""
    if value is not None:
        item[name] = value


def opt_s(text: str | None) -> AttributeValue | None:
    return None if text is None else s(text)


def opt_n(number: int | float | None) -> AttributeValue | None:
    return None if number is None else n(number)


def opt_t(moment: datetime | None) -> AttributeValue | None:
    return None if moment is None else t(moment)


# --- readers -----------------------------------------------------------------------------------


def _value(item: Mapping[str, Any], name: str, kind: str) -> Any:
    try:
        return item[name][kind]
    except (KeyError, TypeError) as error:
        raise CorruptItem(f"attribute {name!r} is missing or not of type {kind}") from error


def get_s(item: Mapping[str, Any], name: str) -> str:
    value = _value(item, name, "S")
    if not isinstance(value, str):
        raise CorruptItem(f"attribute {name!r} is not a string")
    return value


def get_int(item: Mapping[str, Any], name: str) -> int:
    return int_of(_value(item, name, "N"), name)


def get_float(item: Mapping[str, Any], name: str) -> float:
    return float(_value(item, name, "N"))


def get_bool(item: Mapping[str, Any], name: str) -> bool:
    value = _value(item, name, "BOOL")
    if not isinstance(value, bool):
        raise CorruptItem(f"attribute {name!r} is not a Boolean")
    return value


def get_time(item: Mapping[str, Any], name: str) -> datetime:
    return parse_iso(get_s(item, name))


def get_date(item: Mapping[str, Any], name: str) -> date:
    return date.fromisoformat(get_s(item, name))


def get_list(item: Mapping[str, Any], name: str) -> list[Any]:
    value = _value(item, name, "L")
    if not isinstance(value, list):
        raise CorruptItem(f"attribute {name!r} is not a list")
    return value


def get_map(item: Mapping[str, Any], name: str) -> dict[str, Any]:
    value = _value(item, name, "M")
    if not isinstance(value, dict):
        raise CorruptItem(f"attribute {name!r} is not a map")
    return value


def get_strings(item: Mapping[str, Any], name: str) -> list[str]:
    return [_scalar(element, "S", name) for element in get_list(item, name)]


def get_ints(item: Mapping[str, Any], name: str) -> list[int]:
    return [int_of(_scalar(element, "N", name), name) for element in get_list(item, name)]


def opt_get_s(item: Mapping[str, Any], name: str) -> str | None:
    return get_s(item, name) if name in item else None


def opt_get_float(item: Mapping[str, Any], name: str) -> float | None:
    return get_float(item, name) if name in item else None


def opt_get_time(item: Mapping[str, Any], name: str) -> datetime | None:
    return get_time(item, name) if name in item else None


def int_of(text: str, name: str = "number") -> int:
    """An integer `N`; DynamoDB may hand back "3" for a stored "3.0", both read as 3."""
    try:
        return int(text)
    except ValueError:
        value = Decimal(text)
        if value != value.to_integral_value():
            raise CorruptItem(f"{name} is not an integer: {text!r}") from None
        return int(value)


def _scalar(element: Any, kind: str, name: str) -> str:
    if not isinstance(element, dict) or not isinstance(element.get(kind), str):
        raise CorruptItem(f"an element of {name!r} is not of type {kind}")
    value: str = element[kind]
    return value


# --- JSON documents (normalized_output, exports) -----------------------------------------------


def to_attribute(value: object) -> AttributeValue:
    """A JSON-like value (None, bool, int, float, str, list/tuple, str-keyed mapping) as an AV."""
    if value is None:
        return {"NULL": True}
    if isinstance(value, bool):  # before int: a bool is an int in Python
        return {"BOOL": value}
    if isinstance(value, int | float | Decimal):
        return n(value)
    if isinstance(value, str):
        return {"S": value}
    if isinstance(value, list | tuple):
        return {"L": [to_attribute(element) for element in value]}
    if isinstance(value, Mapping):
        converted: dict[str, AttributeValue] = {}
        for key, element in value.items():
            if not isinstance(key, str):
                raise TypeError(f"map keys must be strings, got {key!r}")
            converted[key] = to_attribute(element)
        return {"M": converted}
    raise TypeError(f"{type(value).__name__} cannot be stored as an attribute value")


def from_attribute(value: Mapping[str, Any]) -> JsonValue:
    """The JSON value of an AV: integral `N` as int, other `N` as float, sets as sorted lists."""
    if len(value) != 1:
        raise CorruptItem(f"an attribute value has exactly one type, got {sorted(value)}")
    kind, raw = next(iter(value.items()))
    match kind:
        case "S":
            return str(raw)
        case "N":
            return json_number(str(raw))
        case "BOOL":
            return bool(raw)
        case "NULL":
            return None
        case "L":
            return [from_attribute(element) for element in raw]
        case "M":
            return {key: from_attribute(element) for key, element in raw.items()}
        case "SS":
            return sorted(str(element) for element in raw)
        case "NS":
            return [json_number(text) for text in sorted(raw, key=Decimal)]
        case _:
            raise CorruptItem(f"attribute type {kind} has no JSON form")


def json_number(text: str) -> int | float:
    """An integer literal as int, anything else (fraction, exponent) as float."""
    if _INTEGER.fullmatch(text):
        return int(text)
    return float(text)


def item_to_json(item: Mapping[str, Any], leave_out: Iterable[str] = ()) -> dict[str, JsonValue]:
    """A whole item as a JSON object, without the attributes named in `leave_out`."""
    skipped = set(leave_out)
    return {name: from_attribute(value) for name, value in item.items() if name not in skipped}


# --- sizes -------------------------------------------------------------------------------------


def item_size(item: Mapping[str, Any]) -> int:
    """An upper estimate of an item's size as DynamoDB counts it (names plus values, UTF-8)."""
    return sum(len(name.encode()) + _value_size(value) for name, value in item.items())


def _value_size(value: Mapping[str, Any]) -> int:
    kind, raw = next(iter(value.items()))
    match kind:
        case "S":
            return len(str(raw).encode())
        case "N":
            return len(str(raw)) + 1
        case "B":
            return len(raw) if isinstance(raw, bytes) else len(str(raw))
        case "BOOL" | "NULL":
            return 1
        case "L":
            return 3 + sum(1 + _value_size(element) for element in raw)
        case "M":
            return 3 + sum(
                1 + len(key.encode()) + _value_size(element) for key, element in raw.items()
            )
        case _:
            return sum(len(str(element).encode()) for element in raw)
