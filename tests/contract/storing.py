"""Putting entities into any backend through the ports only, for the contract suites."""

from __future__ import annotations

import dataclasses

from domain.assessment import Assessment, AssessmentStatus
from domain.user import User
from tests.support.factories import a_user, limits_for
from tests.support.stores import Stores


def registered(stores: Stores, user_id: str = "user-1", email: str | None = None) -> User:
    """A user registered with a fresh limits row."""
    user = a_user(user_id, email)
    stores.users.add(user, limits_for(user))
    return user


def stored(stores: Stores, assessment: Assessment) -> Assessment:
    """The attempt started (against the user's current limits) and, if terminal, finished."""
    limits = stores.limits.get(assessment.user_id) or limits_for(assessment.user_id)
    processing = dataclasses.replace(
        assessment,
        status=AssessmentStatus.PROCESSING,
        result=None,
        feedback=None,
        completed_at=None,
        quality_score=None,
        confidence_avg=None,
        motion_variance=None,
    )
    stores.assessments.start(processing, limits)
    if assessment.status.is_terminal:
        stores.assessments.finish(assessment)
    return assessment
