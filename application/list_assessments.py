"""GET /v1/me/assessments: the caller's attempts, newest first, page by page (SPEC.md 4)."""

from __future__ import annotations

from dataclasses import dataclass

from domain.assessment import Assessment
from domain.catalog import test_by_id
from domain.errors import ValidationFailed
from ports.assessments import AssessmentRepository
from ports.pagination import Page

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


@dataclass(frozen=True, slots=True)
class ListAssessmentsRequest:
    user_id: str
    limit: int = DEFAULT_PAGE_SIZE
    cursor: str | None = None
    test_id: int | None = None


class ListAssessments:
    """Lists the caller's own attempts.

    Rules enforced:
    - Newest first; `limit` is 1..100 (VALIDATION_ERROR), 20 when not given.
    - `test_id`, when given, must be a catalog id (VALIDATION_ERROR) and filters the list.
    - `cursor` is the opaque `next_cursor` of the previous page; one this store did not issue
      is VALIDATION_ERROR. The last page has no `next_cursor`.
    """

    def __init__(self, assessments: AssessmentRepository) -> None:
        self._assessments = assessments

    def execute(self, request: ListAssessmentsRequest) -> Page[Assessment]:
        if not 1 <= request.limit <= MAX_PAGE_SIZE:
            raise ValidationFailed(f"limit must be 1..{MAX_PAGE_SIZE}, got {request.limit}")
        if request.test_id is not None:
            test_by_id(request.test_id)
        return self._assessments.list_for_user(
            request.user_id, test_id=request.test_id, limit=request.limit, cursor=request.cursor
        )
