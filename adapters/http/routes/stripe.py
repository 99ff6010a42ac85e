"""POST /v1/stripe/webhook: Stripe's events, verified on the raw body."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from adapters.http.errors import problem_responses, respond
from adapters.http.responses import WebhookOut
from adapters.http.webhook import ApplyEvent, ParseEvent, Received, receive_event


def stripe_router(parse: ParseEvent, apply: ApplyEvent, now: Callable[[], datetime]) -> APIRouter:
    """The webhook route; `parse` verifies Stripe-Signature over the exact bytes received."""
    router = APIRouter(prefix="/v1/stripe", tags=["stripe"])

    @router.post(
        "/webhook",
        response_model=WebhookOut,
        summary="Stripe webhook (raw body, Stripe-Signature); 400 when the signature fails",
        responses=problem_responses(400, 409, 413, 422, 502, 503),
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": {"type": "object"}}},
            },
            "parameters": [
                {
                    "name": "Stripe-Signature",
                    "in": "header",
                    "required": False,
                    "schema": {"type": "string"},
                }
            ],
        },
    )
    async def stripe_webhook(request: Request) -> WebhookOut | Response:
        payload = await request.body()
        signature = request.headers.get("stripe-signature")
        # Verification, the store and the simulator's call-backs all block: off the event loop.
        answer = await run_in_threadpool(receive_event, payload, signature, parse, apply, now)
        if isinstance(answer, Received):
            return WebhookOut(outcome=answer.outcome)
        return respond(answer)

    return router
