"""The analysis worker reports on attempts (group `worker`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from adapters.http.auth import Worker
from adapters.http.errors import problem_responses
from adapters.http.requests import WorkerFailureBody, WorkerResultBody
from adapters.http.responses import AssessmentOut, assessment_out
from application.complete_attempt import CompleteAttemptRequest
from application.fail_attempt import FailAttemptRequest
from application.use_cases import UseCases
from domain.assessment import AssessmentResult, WorkerReport
from domain.regions import Region
from domain.scores import Score

UserId = Annotated[str, Path(min_length=1, max_length=128, pattern=r"^[!-~]+$")]
AssessmentId = Annotated[str, Path(min_length=1, max_length=64)]


def worker_router(use_cases: UseCases) -> APIRouter:
    """/v1/worker/assessments/{user_id}/{assessment_id}/result and /failure."""
    router = APIRouter(prefix="/v1/worker/assessments", tags=["worker"])

    @router.post(
        "/{user_id}/{assessment_id}/result",
        response_model=AssessmentOut,
        summary="The analysis of an attempt: completed, or invalid by the quality gate",
        responses=problem_responses(400, 401, 403, 404, 409, 413, 422, 503),
    )
    def report_result(
        user_id: UserId, assessment_id: AssessmentId, body: WorkerResultBody, _: Worker
    ) -> AssessmentOut:
        report = WorkerReport(
            quality_score=body.quality_score,
            confidence_avg=body.confidence_avg,
            motion_variance=body.motion_variance,
            result=AssessmentResult(
                score=Score(body.result.score),
                confidence=body.result.confidence,
                problem_areas=tuple(Region(area) for area in body.result.problem_areas),
                normalized_output=body.result.normalized_output,
            ),
        )
        done = use_cases.complete_attempt.execute(
            CompleteAttemptRequest(user_id, assessment_id, report)
        )
        return assessment_out(done)

    @router.post(
        "/{user_id}/{assessment_id}/failure",
        response_model=AssessmentOut,
        summary="The analysis broke on our side: failed, and the video units refunded",
        responses=problem_responses(400, 401, 403, 404, 409, 413, 422, 503),
    )
    def report_failure(
        user_id: UserId, assessment_id: AssessmentId, body: WorkerFailureBody, _: Worker
    ) -> AssessmentOut:
        failed = use_cases.fail_attempt.execute(
            FailAttemptRequest(user_id, assessment_id, body.feedback)
        )
        return assessment_out(failed)

    return router
