"""GET /v1/me/assessments/{assessment_id}: one of the caller's attempts (SPEC.md 4)."""

from __future__ import annotations

from dataclasses import dataclass

from domain.assessment import Assessment
from domain.errors import NotFound
from ports.assessments import AssessmentRepository


@dataclass(frozen=True, slots=True)
class GetAssessmentRequest:
    user_id: str
    assessment_id: str


class GetAssessment:
    """Reads one attempt of the caller.

    Rules enforced:
    - Attempts are looked up under the caller's own id, so another user's attempt id is
      NOT_FOUND exactly like an unknown one (nothing tells that it exists).
    """

    def __init__(self, assessments: AssessmentRepository) -> None:
        self._assessments = assessments

    def execute(self, request: GetAssessmentRequest) -> Assessment:
        assessment = self._assessments.get(request.user_id, request.assessment_id)
        if assessment is None:
            raise NotFound("no such assessment")
        return assessment
