"""StartCheckout: a hosted checkout for a paid tier, reusing the user's Stripe customer."""

from __future__ import annotations

from datetime import timedelta

import pytest

from adapters.memory.clock import FixedClock
from adapters.memory.payments import FakePaymentGateway
from application.apply_payment_event import ApplyPaymentEvent, ApplyPaymentEventRequest
from application.start_checkout import StartCheckout, StartCheckoutRequest
from domain.errors import NotFound, ValidationFailed
from domain.tiers import Tier
from ports.payments import CheckoutSession
from tests.support.stores import Stores
from tests.unit.application.plan_payment_factories import (
    USER,
    a_snapshot,
    a_user,
    an_event,
)

SUCCESS = "https://app.example.com/paid"
CANCEL = "https://app.example.com/pricing"


def checkout(
    stores: Stores,
    payments: FakePaymentGateway,
    tier: Tier | str = Tier.PRO,
    success_url: str = SUCCESS,
    cancel_url: str = CANCEL,
) -> CheckoutSession:
    use_case = StartCheckout(stores.users, stores.subscriptions, payments)
    return use_case.execute(StartCheckoutRequest(USER, tier, success_url, cancel_url))


def test_a_checkout_for_a_paid_tier_returns_its_url(
    stores: Stores, clock: FixedClock, payments: FakePaymentGateway
) -> None:
    a_user(stores, clock, tier=Tier.FREE)

    session = checkout(stores, payments, tier="pro")

    [(request, recorded)] = payments.checkouts
    assert session == recorded
    assert session.url.startswith("https://")
    assert (request.user_id, request.email, request.tier) == (USER, f"{USER}@example.com", Tier.PRO)
    assert (request.success_url, request.cancel_url, request.customer_id) == (SUCCESS, CANCEL, None)


def test_a_user_with_a_subscription_checks_out_as_the_same_customer(
    stores: Stores, clock: FixedClock, payments: FakePaymentGateway
) -> None:
    a_user(stores, clock, tier=Tier.FREE)
    apply = ApplyPaymentEvent(stores.snapshots, stores.subscriptions, clock)
    snapshot = a_snapshot("evt_1", clock.now() - timedelta(days=1), customer_id="cus_42")
    apply.execute(ApplyPaymentEventRequest(an_event(snapshot)))

    checkout(stores, payments, tier=Tier.PROPLUS)

    assert payments.checkouts[0][0].customer_id == "cus_42"


@pytest.mark.parametrize("tier", [Tier.FREE, "free", "gold", ""])
def test_only_basic_pro_and_proplus_can_be_bought(
    stores: Stores, clock: FixedClock, payments: FakePaymentGateway, tier: str
) -> None:
    a_user(stores, clock, tier=Tier.FREE)

    with pytest.raises(ValidationFailed):
        checkout(stores, payments, tier=tier)
    assert payments.checkouts == []


@pytest.mark.parametrize(
    "url", ["", "/relative/path", "javascript:alert(1)", "ftp://example.com/x", "https://"]
)
def test_return_urls_must_be_absolute_http_urls(
    stores: Stores, clock: FixedClock, payments: FakePaymentGateway, url: str
) -> None:
    a_user(stores, clock, tier=Tier.FREE)

    with pytest.raises(ValidationFailed):
        checkout(stores, payments, success_url=url)
    with pytest.raises(ValidationFailed):
        checkout(stores, payments, cancel_url=url)


def test_an_unknown_user_cannot_check_out(stores: Stores, payments: FakePaymentGateway) -> None:
    with pytest.raises(NotFound):
        checkout(stores, payments)
    assert payments.checkouts == []
