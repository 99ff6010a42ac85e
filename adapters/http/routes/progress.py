"""The caller's progress and streaks (basic or higher)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from adapters.http.auth import Caller
from adapters.http.errors import problem_responses
from adapters.http.requests import IsoDate
from adapters.http.responses import ProgressOut, ProgressReportOut, progress_out
from application.get_progress import GetProgressRequest
from application.top_streaks import DEFAULT_LIMIT, MAX_LIMIT, TopStreaksRequest
from application.use_cases import UseCases


def progress_router(use_cases: UseCases) -> APIRouter:
    """/v1/me/progress and /v1/me/streaks/top."""
    router = APIRouter(prefix="/v1/me", tags=["progress"])

    @router.get(
        "/progress",
        response_model=ProgressReportOut,
        summary="Progress of the dates from..to, with the current and best streak",
        responses=problem_responses(401, 403, 404, 422, 503),
    )
    def get_progress(
        caller: Caller,
        from_date: Annotated[IsoDate, Query(alias="from")],
        to_date: Annotated[IsoDate, Query(alias="to")],
    ) -> ProgressReportOut:
        report = use_cases.get_progress.execute(GetProgressRequest(caller.sub, from_date, to_date))
        return ProgressReportOut(
            days=[progress_out(day) for day in report.days],
            current_streak=report.current_streak,
            best_streak=report.best_streak,
        )

    @router.get(
        "/streaks/top",
        response_model=list[ProgressOut],
        summary="The caller's days with the highest streaks",
        responses=problem_responses(401, 403, 404, 422, 503),
    )
    def top_streaks(
        caller: Caller,
        limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    ) -> list[ProgressOut]:
        days = use_cases.top_streaks.execute(TopStreaksRequest(caller.sub, limit))
        return [progress_out(day) for day in days]

    return router
