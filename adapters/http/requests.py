"""Request bodies and parameter types: pydantic strict mode, unknown fields refused, all bounded.

FastAPI validates bodies from already-decoded JSON (Python mode), where strict mode would refuse
the strings JSON carries dates in; `IsoDate` and `AwareDateTime` accept exactly those strings.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, date, datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, JsonValue

from domain.calendar import DEFAULT_WINDOW_DAYS, MAX_WINDOW_DAYS
from domain.limits import MAX_BAN_REASON_LENGTH
from domain.user import MAX_EMAIL_LENGTH, MAX_NAME_LENGTH, MAX_TIMEZONE_LENGTH

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_DATE_TIME = re.compile(
    r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?([Zz]|[+-]\d{2}:\d{2})", re.ASCII
)

PaidTier = Literal["basic", "pro", "proplus"]
ScoreName = Literal["pass", "limited", "significant"]
RegionName = Literal[
    "ankle", "knee", "hip", "core", "lower_back", "thoracic_spine", "shoulder", "neck"
]
MAX_URL_LENGTH = 2048
MAX_FEEDBACK_LENGTH = 500
MAX_TEST_ID = 15
MAX_JSON_DEPTH = 16


def _iso_date(value: object) -> object:
    if isinstance(value, str):
        if _DATE.fullmatch(value) is None:
            raise ValueError("expected a date as YYYY-MM-DD")
        return date.fromisoformat(value)
    return value


def _aware_datetime(value: object) -> object:
    if isinstance(value, str):
        if _DATE_TIME.fullmatch(value) is None:
            raise ValueError("expected an ISO 8601 time with a UTC offset, e.g. 2026-01-31T12:00Z")
        try:
            return datetime.fromisoformat(value.upper().replace("Z", "+00:00")).astimezone(UTC)
        except (ValueError, OverflowError):
            raise ValueError("not a valid time") from None
    return value


def _storable_json(value: object, depth: int = 0) -> None:
    # Python's JSON parser accepts NaN and Infinity, which no store or client can take; DynamoDB
    # nests documents 32 levels deep at most.
    if depth > MAX_JSON_DEPTH:
        raise ValueError(f"nested deeper than {MAX_JSON_DEPTH} levels")
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError("numbers must be finite")
    children = (
        value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
    )
    for child in children:
        _storable_json(child, depth + 1)


def _storable_object(value: dict[str, JsonValue] | None) -> dict[str, JsonValue] | None:
    _storable_json(value)
    return value


IsoDate = Annotated[date, BeforeValidator(_iso_date)]
"""A calendar date written YYYY-MM-DD, nothing else."""

AwareDateTime = Annotated[datetime, BeforeValidator(_aware_datetime)]
"""An ISO 8601 time with an explicit offset, returned in UTC."""

Fraction = Annotated[float, Field(ge=0.0, le=1.0, allow_inf_nan=False)]


class StrictBody(BaseModel):
    """Base of every request body: strict types, unknown fields refused, immutable."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


class RegisterBody(StrictBody):
    email: Annotated[str, Field(min_length=1, max_length=MAX_EMAIL_LENGTH)]
    name: Annotated[str, Field(max_length=MAX_NAME_LENGTH)] | None = None
    timezone: Annotated[str, Field(min_length=1, max_length=MAX_TIMEZONE_LENGTH)] | None = None


class StartAssessmentBody(StrictBody):
    test_id: Annotated[int, Field(ge=1, le=MAX_TEST_ID)]


class ScheduleBody(StrictBody):
    start_date: IsoDate | None = None
    days: Annotated[int, Field(ge=1, le=MAX_WINDOW_DAYS)] = DEFAULT_WINDOW_DAYS


class TaskCompletionBody(StrictBody):
    completed: bool


class CheckoutBody(StrictBody):
    tier: PaidTier
    success_url: Annotated[str, Field(min_length=1, max_length=MAX_URL_LENGTH)]
    cancel_url: Annotated[str, Field(min_length=1, max_length=MAX_URL_LENGTH)]


class ResultBody(StrictBody):
    score: ScoreName
    confidence: Fraction
    problem_areas: Annotated[list[RegionName], Field(max_length=8)] = Field(default_factory=list)
    normalized_output: Annotated[dict[str, JsonValue] | None, AfterValidator(_storable_object)] = (
        None
    )


class WorkerResultBody(StrictBody):
    quality_score: Fraction
    confidence_avg: Fraction
    motion_variance: Fraction
    result: ResultBody


class WorkerFailureBody(StrictBody):
    feedback: Annotated[str, Field(min_length=1, max_length=MAX_FEEDBACK_LENGTH)]


class BanBody(StrictBody):
    until: AwareDateTime
    reason: Annotated[str, Field(min_length=1, max_length=MAX_BAN_REASON_LENGTH)]
