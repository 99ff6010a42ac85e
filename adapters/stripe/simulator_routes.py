"""The Stripe simulator as HTTP routes (local profile only): the REST subset and a checkout page.

Mount with `app.include_router(simulator_router(sim))` and point StripePaymentGateway's
`api_base` at `{service}/stripe-sim`. Routes stay out of the OpenAPI document. Simulator calls run
in the thread pool: they may deliver events to this same service, which must stay responsive.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from urllib.parse import parse_qsl

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from adapters.stripe.simulator import (
    JSON,
    CheckoutView,
    SimulatedStripeError,
    StripeSimulator,
    decode_form,
)

PREFIX = "/stripe-sim"
_PAGE = "stripe_sim_checkout_page"
_CONFIRM = "stripe_sim_checkout_confirm"


def simulator_router(sim: StripeSimulator, *, prefix: str = PREFIX) -> APIRouter:
    """Routes serving `sim`: Stripe's REST subset under `{prefix}/v1` and the checkout page."""
    router = APIRouter(prefix=prefix, include_in_schema=False)

    @router.post("/v1/checkout/sessions")
    async def create_checkout_session(request: Request) -> Response:
        def page_url(session_id: str) -> str:
            return str(request.url_for(_PAGE, session_id=session_id))

        return await _api(request, lambda params: sim.create_checkout_session(params, page_url))

    @router.get("/v1/checkout/sessions/{session_id}")
    async def retrieve_checkout_session(request: Request, session_id: str) -> Response:
        return await _api(request, lambda _: sim.retrieve_checkout_session(session_id))

    @router.get("/v1/subscriptions/{subscription_id}")
    async def retrieve_subscription(request: Request, subscription_id: str) -> Response:
        return await _api(request, lambda _: sim.retrieve_subscription(subscription_id))

    @router.post("/v1/subscriptions/{subscription_id}")
    async def update_subscription(request: Request, subscription_id: str) -> Response:
        return await _api(request, lambda params: sim.update_subscription(subscription_id, params))

    @router.delete("/v1/subscriptions/{subscription_id}")
    async def cancel_subscription(request: Request, subscription_id: str) -> Response:
        return await _api(request, lambda params: sim.cancel_subscription(subscription_id, params))

    @router.get("/v1/invoices/{invoice_id}")
    async def retrieve_invoice(request: Request, invoice_id: str) -> Response:
        return await _api(request, lambda _: sim.retrieve_invoice(invoice_id))

    # Stand-ins for Stripe's test clocks: move a subscription through time from the outside.
    @router.post("/v1/test_helpers/subscriptions/{subscription_id}/advance_period")
    async def advance_period(request: Request, subscription_id: str) -> Response:
        return await _api(request, lambda _: sim.advance_period(subscription_id))

    @router.post("/v1/test_helpers/subscriptions/{subscription_id}/fail_payment")
    async def fail_payment(request: Request, subscription_id: str) -> Response:
        return await _api(request, lambda _: sim.fail_payment(subscription_id))

    @router.get("/checkout/{session_id}", name=_PAGE, response_class=HTMLResponse)
    async def checkout_page(request: Request, session_id: str) -> Response:
        try:
            view = await run_in_threadpool(sim.describe_checkout, session_id)
        except SimulatedStripeError as error:
            return _page("Checkout", f"<p>{html.escape(error.message)}</p>", error.status)
        confirm = str(request.url_for(_CONFIRM, session_id=session_id))
        return _page("Checkout", _checkout_body(view, confirm), 200)

    @router.post("/checkout/{session_id}/confirm", name=_CONFIRM)
    async def confirm_checkout(session_id: str) -> Response:
        try:
            session = await run_in_threadpool(sim.confirm_checkout, session_id)
        except SimulatedStripeError as error:
            return _page("Checkout", f"<p>{html.escape(error.message)}</p>", error.status)
        success_url = str(session["success_url"]).replace("{CHECKOUT_SESSION_ID}", session_id)
        return RedirectResponse(success_url, status_code=303)

    return router


async def _params(request: Request) -> JSON:
    """Stripe's parameters: the query string, plus the form body of a POST."""
    pairs = list(request.query_params.multi_items())
    body = await request.body()
    if body:
        try:
            pairs += parse_qsl(body.decode(), keep_blank_values=True, strict_parsing=True)
        except ValueError:
            raise SimulatedStripeError(400, "Invalid request body.") from None
    return decode_form(pairs)


async def _api(request: Request, handle: Callable[[JSON], JSON]) -> Response:
    """Authenticate like Stripe, decode the parameters, answer Stripe's JSON or error."""
    if not request.headers.get("authorization", "").removeprefix("Bearer ").strip():
        error = SimulatedStripeError(
            401,
            "You did not provide an API key. Provide it in the Authorization header "
            "(Authorization: Bearer YOUR_SECRET_KEY).",
        )
        return JSONResponse(error.body(), status_code=error.status)
    try:
        params = await _params(request)
        # In the thread pool: the call may deliver events back to this same service.
        answer = await run_in_threadpool(handle, params)
    except SimulatedStripeError as error:
        return JSONResponse(error.body(), status_code=error.status)
    return JSONResponse(answer)


def _checkout_body(view: CheckoutView, confirm_url: str) -> str:
    price = f"{view.amount / 100:.2f} {view.currency.upper()} / month"
    who = html.escape(view.email or "the customer")
    if view.status != "open":
        return f"<p>This checkout session is {html.escape(view.status)}.</p>"
    cancel = (
        f'<p><a href="{html.escape(view.cancel_url, quote=True)}">Cancel</a></p>'
        if view.cancel_url
        else ""
    )
    return (
        "<p>Local Stripe simulator: no real payment is made.</p>"
        f"<p>Subscribe <strong>{who}</strong> to <strong>{html.escape(view.tier.value)}</strong>"
        f" for {html.escape(price)}.</p>"
        f'<form method="post" action="{html.escape(confirm_url, quote=True)}">'
        '<button type="submit">Confirm</button></form>'
        f"{cancel}"
    )


def _page(title: str, body: str, status: int) -> HTMLResponse:
    document = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title></head><body><h1>{html.escape(title)}</h1>"
        f"{body}</body></html>"
    )
    return HTMLResponse(document, status_code=status)
