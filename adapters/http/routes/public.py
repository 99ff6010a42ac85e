"""Routes anyone may call: health and the movement-test catalog."""

from __future__ import annotations

from fastapi import APIRouter

from adapters.http.responses import Health, MovementTestOut, movement_test_out
from application.list_tests import ListTestsRequest
from application.use_cases import UseCases


def public_router(use_cases: UseCases) -> APIRouter:
    """GET /health and GET /v1/tests."""
    router = APIRouter(tags=["public"])

    @router.get("/health", response_model=Health, summary="Liveness")
    async def health() -> Health:
        return Health()

    @router.get("/v1/tests", response_model=list[MovementTestOut], summary="The 15-test catalog")
    async def list_tests() -> list[MovementTestOut]:
        tests = use_cases.list_tests.execute(ListTestsRequest())
        return [movement_test_out(test) for test in tests]

    return router
