"""The caller's assessment attempts: start one, list them page by page, read one."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from adapters.http.auth import Caller
from adapters.http.cursors import MAX_CURSOR_LENGTH, CursorSeal
from adapters.http.errors import problem_responses
from adapters.http.requests import MAX_TEST_ID, StartAssessmentBody
from adapters.http.responses import (
    AssessmentOut,
    AssessmentPage,
    StartedAssessmentOut,
    assessment_out,
    started_out,
)
from application.get_assessment import GetAssessmentRequest
from application.list_assessments import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, ListAssessmentsRequest
from application.start_attempt import StartAttemptRequest
from application.use_cases import UseCases

MAX_ID_LENGTH = 64


def assessments_router(use_cases: UseCases, cursors: CursorSeal) -> APIRouter:
    """/v1/me/assessments."""
    router = APIRouter(prefix="/v1/me/assessments", tags=["assessments"])

    @router.post(
        "",
        status_code=201,
        response_model=StartedAssessmentOut,
        summary="Start an attempt; returns where to upload its video",
        responses=problem_responses(400, 401, 403, 404, 409, 413, 422, 429, 503),
    )
    def start_assessment(body: StartAssessmentBody, caller: Caller) -> StartedAssessmentOut:
        started = use_cases.start_attempt.execute(StartAttemptRequest(caller.sub, body.test_id))
        return started_out(started)

    @router.get(
        "",
        response_model=AssessmentPage,
        summary="The caller's attempts, newest first",
        responses=problem_responses(401, 422, 503),
    )
    def list_assessments(
        caller: Caller,
        test_id: Annotated[int | None, Query(ge=1, le=MAX_TEST_ID)] = None,
        limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = DEFAULT_PAGE_SIZE,
        cursor: Annotated[str | None, Query(min_length=1, max_length=MAX_CURSOR_LENGTH)] = None,
    ) -> AssessmentPage:
        # The cursor is bound to the caller and the filter: it cannot page another listing.
        listing = f"assessments?test_id={test_id}"
        page = use_cases.list_assessments.execute(
            ListAssessmentsRequest(
                caller.sub,
                limit=limit,
                cursor=cursors.open(cursor, owner=caller.sub, listing=listing),
                test_id=test_id,
            )
        )
        return AssessmentPage(
            items=[assessment_out(item) for item in page.items],
            next_cursor=cursors.seal(page.next_cursor, owner=caller.sub, listing=listing),
        )

    @router.get(
        "/{assessment_id}",
        response_model=AssessmentOut,
        summary="One of the caller's attempts",
        responses=problem_responses(401, 404, 422, 503),
    )
    def get_assessment(
        assessment_id: Annotated[str, Path(min_length=1, max_length=MAX_ID_LENGTH)],
        caller: Caller,
    ) -> AssessmentOut:
        found = use_cases.get_assessment.execute(GetAssessmentRequest(caller.sub, assessment_id))
        return assessment_out(found)

    return router
