"""The caller's profile, limits, export and erasure."""

from __future__ import annotations

from fastapi import APIRouter, Response

from adapters.http.auth import Caller
from adapters.http.errors import problem_responses
from adapters.http.requests import RegisterBody
from adapters.http.responses import (
    ExportOut,
    LimitsOut,
    ProfileOut,
    limits_out,
    profile_out,
)
from application.accept_disclaimer import AcceptDisclaimerRequest
from application.erase_account import EraseAccountRequest
from application.export_account import ExportAccountRequest
from application.get_limits import GetLimitsRequest
from application.get_profile import GetProfileRequest
from application.record_login import RecordLoginRequest
from application.register_user import RegisterUserRequest
from application.use_cases import UseCases
from domain.errors import Forbidden
from domain.user import normalize_email


def me_router(use_cases: UseCases) -> APIRouter:
    """/v1/me: profile, login, disclaimer, limits, export, erasure."""
    router = APIRouter(prefix="/v1/me", tags=["me"])

    @router.put(
        "",
        response_model=ProfileOut,
        summary="Create the caller's profile (201) or return it (200)",
        responses={
            201: {"model": ProfileOut, "description": "The profile was created"},
            **problem_responses(400, 401, 403, 409, 413, 422, 503),
        },
    )
    def register_profile(body: RegisterBody, caller: Caller, response: Response) -> ProfileOut:
        email = normalize_email(body.email)
        # A token that names an email only registers that email: nobody squats another's address.
        if caller.email is not None and caller.email.strip().lower() != email:
            raise Forbidden("the email differs from the token's email")
        registration = use_cases.register_user.execute(
            RegisterUserRequest(caller.sub, email, body.name, body.timezone)
        )
        response.status_code = 201 if registration.created else 200
        return profile_out(registration.user)

    @router.get(
        "",
        response_model=ProfileOut,
        summary="The caller's profile",
        responses=problem_responses(401, 404, 503),
    )
    def get_profile(caller: Caller) -> ProfileOut:
        return profile_out(use_cases.get_profile.execute(GetProfileRequest(caller.sub)))

    @router.post(
        "/login",
        response_model=ProfileOut,
        summary="Record a login",
        responses=problem_responses(401, 404, 503),
    )
    def record_login(caller: Caller) -> ProfileOut:
        return profile_out(use_cases.record_login.execute(RecordLoginRequest(caller.sub)))

    @router.post(
        "/disclaimer",
        response_model=ProfileOut,
        summary="Accept the wellness disclaimer",
        responses=problem_responses(401, 404, 503),
    )
    def accept_disclaimer(caller: Caller) -> ProfileOut:
        user = use_cases.accept_disclaimer.execute(AcceptDisclaimerRequest(caller.sub))
        return profile_out(user)

    @router.get(
        "/limits",
        response_model=LimitsOut,
        summary="Quotas, current usage and reset times",
        responses=problem_responses(401, 404, 503),
    )
    def get_limits(caller: Caller) -> LimitsOut:
        return limits_out(use_cases.get_limits.execute(GetLimitsRequest(caller.sub)))

    @router.get(
        "/export",
        response_model=ExportOut,
        summary="Every item stored about the caller, by table",
        responses=problem_responses(401, 404, 503),
    )
    def export_account(caller: Caller) -> ExportOut:
        items = use_cases.export_account.execute(ExportAccountRequest(caller.sub))
        return {table: [dict(item) for item in rows] for table, rows in items.items()}

    @router.delete(
        "",
        status_code=204,
        response_class=Response,
        summary="Erase every item of the caller",
        responses=problem_responses(401, 503),
    )
    def erase_account(caller: Caller) -> Response:
        use_cases.erase_account.execute(EraseAccountRequest(caller.sub))
        return Response(status_code=204)

    return router
