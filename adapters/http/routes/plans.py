"""The caller's correction plan (basic or higher)."""

from __future__ import annotations

from fastapi import APIRouter

from adapters.http.auth import Caller
from adapters.http.errors import problem_responses
from adapters.http.responses import PlanOut, plan_out
from application.generate_plan import GeneratePlanRequest
from application.get_active_plan import GetActivePlanRequest
from application.use_cases import UseCases


def plans_router(use_cases: UseCases) -> APIRouter:
    """/v1/me/plans."""
    router = APIRouter(prefix="/v1/me/plans", tags=["plans"])

    @router.post(
        "",
        status_code=201,
        response_model=PlanOut,
        summary="Generate a plan from recent results; it replaces the active one",
        responses=problem_responses(401, 403, 404, 409, 422, 503),
    )
    def generate_plan(caller: Caller) -> PlanOut:
        return plan_out(use_cases.generate_plan.execute(GeneratePlanRequest(caller.sub)))

    @router.get(
        "/active",
        response_model=PlanOut,
        summary="The active plan",
        responses=problem_responses(401, 403, 404, 503),
    )
    def get_active_plan(caller: Caller) -> PlanOut:
        return plan_out(use_cases.get_active_plan.execute(GetActivePlanRequest(caller.sub)))

    return router
