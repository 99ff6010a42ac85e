"""assessments: the attempt and its nested result (the layout adds keys and index keys)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from adapters.dynamodb.attributes import (
    Item,
    from_attribute,
    get_float,
    get_int,
    get_map,
    get_s,
    get_strings,
    get_time,
    n,
    opt_get_float,
    opt_get_s,
    opt_get_time,
    opt_n,
    opt_s,
    opt_t,
    put_optional,
    s,
    strings,
    t,
    to_attribute,
)
from domain.assessment import Assessment, AssessmentResult, AssessmentStatus
from domain.regions import Region
from domain.scores import Score


def assessment_to_item(assessment: Assessment) -> Item:
    """The documented attributes of an attempt; absent optionals left out."""
    item: Item = {
        "user_id": s(assessment.user_id),
        "assessment_id": s(assessment.assessment_id),
        "test_id": n(assessment.test_id),
        "test_name": s(assessment.test_name),
        "video_url": s(assessment.video_url),
        "status": s(assessment.status.value),
        "attempt_number": n(assessment.attempt_number),
        "created_at": t(assessment.created_at),
        "month_key": s(assessment.month_key),
    }
    put_optional(item, "quality_score", opt_n(assessment.quality_score))
    put_optional(item, "confidence_avg", opt_n(assessment.confidence_avg))
    put_optional(item, "motion_variance", opt_n(assessment.motion_variance))
    if assessment.result is not None:
        item["result"] = result_to_attribute(assessment.result)
    put_optional(item, "feedback", opt_s(assessment.feedback))
    put_optional(item, "completed_at", opt_t(assessment.completed_at))
    return item


def result_to_attribute(result: AssessmentResult) -> dict[str, Any]:
    """`result` as a map; `normalized_output` keeps its JSON shape as nested M/L/S/N/BOOL/NULL."""
    body: Item = {
        "score": s(str(result.score)),
        "confidence": n(result.confidence),
        "problem_areas": strings(str(area) for area in result.problem_areas),
    }
    if result.normalized_output is not None:
        body["normalized_output"] = to_attribute(result.normalized_output)
    return {"M": body}


def assessment_from_item(item: Mapping[str, Any]) -> Assessment:
    """The attempt stored in an assessments item."""
    return Assessment(
        user_id=get_s(item, "user_id"),
        assessment_id=get_s(item, "assessment_id"),
        test_id=get_int(item, "test_id"),
        test_name=get_s(item, "test_name"),
        video_url=get_s(item, "video_url"),
        status=AssessmentStatus(get_s(item, "status")),
        attempt_number=get_int(item, "attempt_number"),
        month_key=get_s(item, "month_key"),
        created_at=get_time(item, "created_at"),
        quality_score=opt_get_float(item, "quality_score"),
        confidence_avg=opt_get_float(item, "confidence_avg"),
        motion_variance=opt_get_float(item, "motion_variance"),
        result=_result(get_map(item, "result")) if "result" in item else None,
        feedback=opt_get_s(item, "feedback"),
        completed_at=opt_get_time(item, "completed_at"),
    )


def _result(body: Mapping[str, Any]) -> AssessmentResult:
    output = body.get("normalized_output")
    normalized = from_attribute(output) if output is not None else None
    if normalized is not None and not isinstance(normalized, dict):
        raise ValueError("normalized_output is stored as a map")
    return AssessmentResult(
        score=Score(get_s(body, "score")),
        confidence=get_float(body, "confidence"),
        problem_areas=tuple(Region(area) for area in get_strings(body, "problem_areas"))
        if "problem_areas" in body
        else (),
        normalized_output=normalized,
    )
