"""Subscriptions: checkout for a paid tier, the list, cancellation at period end."""

from __future__ import annotations

from fastapi import APIRouter

from adapters.http.auth import Caller
from adapters.http.errors import problem_responses
from adapters.http.requests import CheckoutBody
from adapters.http.responses import CheckoutOut, SubscriptionOut, subscription_out
from application.cancel_subscription import CancelSubscriptionRequest
from application.list_subscriptions import ListSubscriptionsRequest
from application.start_checkout import StartCheckoutRequest
from application.use_cases import UseCases


def billing_router(use_cases: UseCases) -> APIRouter:
    """/v1/me/checkout, /v1/me/subscriptions, /v1/me/subscription/cancel."""
    router = APIRouter(prefix="/v1/me", tags=["billing"])

    @router.post(
        "/checkout",
        status_code=201,
        response_model=CheckoutOut,
        summary="Start a hosted checkout for a paid tier",
        responses=problem_responses(400, 401, 404, 413, 422, 502, 503),
    )
    def start_checkout(body: CheckoutBody, caller: Caller) -> CheckoutOut:
        session = use_cases.start_checkout.execute(
            StartCheckoutRequest(caller.sub, body.tier, body.success_url, body.cancel_url)
        )
        return CheckoutOut(url=session.url)

    @router.get(
        "/subscriptions",
        response_model=list[SubscriptionOut],
        summary="The caller's subscriptions, newest first",
        responses=problem_responses(401, 404, 503),
    )
    def list_subscriptions(caller: Caller) -> list[SubscriptionOut]:
        subs = use_cases.list_subscriptions.execute(ListSubscriptionsRequest(caller.sub))
        return [subscription_out(sub) for sub in subs]

    @router.post(
        "/subscription/cancel",
        response_model=list[SubscriptionOut],
        summary="Stop the caller's subscriptions renewing; access lasts to the period's end",
        responses=problem_responses(401, 404, 409, 502, 503),
    )
    def cancel_subscription(caller: Caller) -> list[SubscriptionOut]:
        subs = use_cases.cancel_subscription.execute(CancelSubscriptionRequest(caller.sub))
        return [subscription_out(sub) for sub in subs]

    return router
