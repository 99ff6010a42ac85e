"""The FastAPI application, built from the use cases it serves (it never imports infra)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.openapi.utils import get_openapi

from adapters.http.auth import Authenticator
from adapters.http.cursors import CursorSeal
from adapters.http.docs import install_docs
from adapters.http.errors import install_error_handlers
from adapters.http.middleware import AccessLog
from adapters.http.responses import ProblemOut
from adapters.http.routes.admin import admin_router
from adapters.http.routes.assessments import assessments_router
from adapters.http.routes.billing import billing_router
from adapters.http.routes.calendar import calendar_router
from adapters.http.routes.me import me_router
from adapters.http.routes.plans import plans_router
from adapters.http.routes.progress import progress_router
from adapters.http.routes.public import public_router
from adapters.http.routes.stripe import stripe_router
from adapters.http.routes.worker import worker_router
from adapters.http.webhook import ParseEvent
from application.apply_payment_event import ApplyPaymentEventRequest
from application.use_cases import UseCases
from ports.payments import PaymentEvent

DESCRIPTION = (
    "Flow Logic's API: movement-test assessments with quotas, correction plans, a calendar of "
    "daily exercises, progress and streaks, and Stripe subscriptions. Errors are "
    "`application/problem+json` with a stable `code`."
)


@contextlib.contextmanager
def _no_context(_: str) -> Iterator[None]:
    yield


def _utc_now() -> datetime:
    return datetime.now(UTC)


def create_app(
    use_cases: UseCases,
    authenticate: Authenticator,
    parse_payment_event: ParseEvent,
    cursor_secret: bytes,
    extra_routers: Sequence[APIRouter] = (),
    *,
    title: str = "Flow Logic API",
    version: str = "1.0.0",
    request_context: Callable[[str], AbstractContextManager[None]] = _no_context,
    now: Callable[[], datetime] = _utc_now,
    docs_assets: Path | None = None,
) -> FastAPI:
    """The HTTP API over `use_cases`; `authenticate` names the caller of every protected route.

    With `docs_assets` (a directory holding Swagger UI's files) it serves interactive docs at
    /docs from those files; without, it serves none (FastAPI's own page needs a CDN).
    """
    app = FastAPI(
        title=title,
        version=version,
        description=DESCRIPTION,
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
        # operationId = the handler's name: stable, readable, unique across the routers.
        generate_unique_id_function=lambda route: route.name,
    )
    install_error_handlers(app, now)
    app.add_middleware(AccessLog, request_context=request_context)

    def apply(event: PaymentEvent) -> str:
        return use_cases.apply_payment_event.execute(ApplyPaymentEventRequest(event)).value

    app.state.authenticate = authenticate
    cursors = CursorSeal(cursor_secret)
    for router in (
        public_router(use_cases),
        me_router(use_cases),
        assessments_router(use_cases, cursors),
        plans_router(use_cases),
        calendar_router(use_cases),
        progress_router(use_cases),
        billing_router(use_cases),
        worker_router(use_cases),
        admin_router(use_cases),
        stripe_router(parse_payment_event, apply, now),
        *extra_routers,
    ):
        app.include_router(router)
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    if docs_assets is not None:
        install_docs(app, docs_assets)
    return app


def _openapi(app: FastAPI) -> dict[str, Any]:
    """FastAPI's document, plus the problem schema every error response refers to."""
    if app.openapi_schema is None:
        document = get_openapi(
            title=app.title,
            version=app.version,
            openapi_version=app.openapi_version,
            description=app.description,
            routes=app.routes,
        )
        schemas = document.setdefault("components", {}).setdefault("schemas", {})
        # Pydantic nests the problem's own definitions under `$defs` and points at them with
        # `#/$defs/...`, which does not resolve from the document's root: hoist them beside it.
        problem = ProblemOut.model_json_schema(
            mode="serialization", ref_template="#/components/schemas/{model}"
        )
        for name, definition in problem.pop("$defs", {}).items():
            schemas.setdefault(name, definition)
        schemas["ProblemOut"] = problem
        app.openapi_schema = document
    return app.openapi_schema
