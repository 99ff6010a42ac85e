"""Administration (group `admin`): bans, and counts of a month's attempts."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from adapters.http.auth import Admin
from adapters.http.errors import problem_responses
from adapters.http.requests import BanBody
from adapters.http.responses import (
    MONTH_PATTERN,
    AssessmentAnalyticsOut,
    LimitsOut,
    analytics_out,
    limits_out,
)
from adapters.http.routes.worker import UserId
from application.assessment_analytics import AssessmentAnalyticsRequest
from application.ban_user import BanUserRequest
from application.unban_user import UnbanUserRequest
from application.use_cases import UseCases
from domain.limits import usage


def admin_router(use_cases: UseCases) -> APIRouter:
    """/v1/admin/users/{user_id}/ban and /v1/admin/analytics/assessments."""
    router = APIRouter(prefix="/v1/admin", tags=["admin"])

    @router.put(
        "/users/{user_id}/ban",
        response_model=LimitsOut,
        summary="Ban a user from starting assessments until a time",
        responses=problem_responses(400, 401, 403, 404, 409, 413, 422, 503),
    )
    def ban_user(user_id: UserId, body: BanBody, _: Admin) -> LimitsOut:
        limits = use_cases.ban_user.execute(BanUserRequest(user_id, body.until, body.reason))
        return limits_out(usage(limits, limits.updated_at))

    @router.delete(
        "/users/{user_id}/ban",
        status_code=204,
        response_class=Response,
        summary="Lift a user's ban",
        responses=problem_responses(401, 403, 404, 409, 422, 503),
    )
    def unban_user(user_id: UserId, _: Admin) -> Response:
        use_cases.unban_user.execute(UnbanUserRequest(user_id))
        return Response(status_code=204)

    @router.get(
        "/analytics/assessments",
        response_model=AssessmentAnalyticsOut,
        summary="Every user's attempts of a month, counted per test and status",
        responses=problem_responses(401, 403, 422, 503),
    )
    def assessment_analytics(
        month: Annotated[
            str,
            Query(
                min_length=7,
                max_length=7,
                pattern=MONTH_PATTERN,
                description="The month, YYYY-MM (UTC)",
                examples=["2026-11"],
            ),
        ],
        _: Admin,
    ) -> AssessmentAnalyticsOut:
        analytics = use_cases.count_assessments.execute(AssessmentAnalyticsRequest(month))
        return analytics_out(analytics)

    return router
