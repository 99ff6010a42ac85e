"""DELETE /v1/me: subscriptions ended first, best effort, then everything erased (decision 072)."""

from __future__ import annotations

from datetime import timedelta

from adapters.memory.clock import FixedClock
from adapters.memory.ids import SequentialIds
from adapters.memory.payments import FakePaymentGateway
from adapters.memory.video_storage import FakeVideoStorage
from application.accept_disclaimer import AcceptDisclaimer, AcceptDisclaimerRequest
from application.erase_account import EraseAccount, EraseAccountRequest
from application.register_user import RegisterUser, RegisterUserRequest
from application.start_attempt import StartAttempt, StartAttemptRequest
from domain.subscription import Subscription, SubscriptionStatus
from domain.tiers import Tier
from tests.support.stores import Stores
from tests.unit.application.conftest import NOW


def a_subscription(subscription_id: str, status: SubscriptionStatus) -> Subscription:
    return Subscription(
        user_id="user-1",
        subscription_id=subscription_id,
        stripe_customer_id="cus_1",
        tier=Tier.PRO,
        status=status,
        current_period_start=NOW - timedelta(days=10),
        current_period_end=NOW + timedelta(days=20),
        cancel_at_period_end=False,
        canceled_at=None,
        created_at=NOW,
        updated_at=NOW,
        stripe_status=str(status),
        last_event_at=NOW,
        last_event_id=f"evt_{subscription_id}",
    )


def a_paying_user(
    stores: Stores, clock: FixedClock, ids: SequentialIds, videos: FakeVideoStorage
) -> None:
    RegisterUser(stores.users, clock).execute(RegisterUserRequest("user-1", "ada@example.com"))
    AcceptDisclaimer(stores.users, clock).execute(AcceptDisclaimerRequest("user-1"))
    StartAttempt(stores.snapshots, stores.limits, stores.assessments, videos, ids, clock).execute(
        StartAttemptRequest("user-1", 1)
    )
    for sub_id, status in (
        ("sub_active", SubscriptionStatus.ACTIVE),
        ("sub_past_due", SubscriptionStatus.PAST_DUE),
        ("sub_expired", SubscriptionStatus.EXPIRED),
        ("sub_canceled", SubscriptionStatus.CANCELED),
    ):
        stores.subscriptions.apply(a_subscription(sub_id, status), None)


def eraser(stores: Stores, payments: FakePaymentGateway) -> EraseAccount:
    return EraseAccount(payments, stores.account)


def test_erasure_ends_the_subscriptions_stripe_may_still_bill(
    stores: Stores,
    clock: FixedClock,
    ids: SequentialIds,
    videos: FakeVideoStorage,
    payments: FakePaymentGateway,
) -> None:
    a_paying_user(stores, clock, ids, videos)
    erasure = eraser(stores, payments).execute(EraseAccountRequest("user-1"))
    assert sorted(payments.cancelled_now) == ["sub_active", "sub_past_due"]
    assert sorted(erasure.cancelled) == ["sub_active", "sub_past_due"]
    assert erasure.not_cancelled == ()


def test_erasure_deletes_every_item_and_frees_the_email(
    stores: Stores,
    clock: FixedClock,
    ids: SequentialIds,
    videos: FakeVideoStorage,
    payments: FakePaymentGateway,
) -> None:
    a_paying_user(stores, clock, ids, videos)
    erasure = eraser(stores, payments).execute(EraseAccountRequest("user-1"))
    # user, email reservation, limits, one attempt, four subscriptions
    assert erasure.items_deleted == 8
    assert all(not items for items in stores.account.export("user-1").values())
    again = RegisterUser(stores.users, clock).execute(
        RegisterUserRequest("user-2", "ada@example.com")
    )
    assert again.created


class GatewayDown(FakePaymentGateway):
    def cancel_now(self, subscription_id: str) -> None:
        if subscription_id == "sub_active":
            raise ConnectionError("stripe is unreachable")
        super().cancel_now(subscription_id)


def test_a_payment_gateway_failure_does_not_block_the_erasure(
    stores: Stores, clock: FixedClock, ids: SequentialIds, videos: FakeVideoStorage
) -> None:
    a_paying_user(stores, clock, ids, videos)
    payments = GatewayDown()
    erasure = eraser(stores, payments).execute(EraseAccountRequest("user-1"))
    assert erasure.not_cancelled == ("sub_active",)
    assert erasure.cancelled == ("sub_past_due",)
    assert stores.users.get("user-1") is None
    assert stores.subscriptions.list_for_user("user-1") == []


def test_erasing_an_unknown_or_erased_account_succeeds_and_deletes_nothing(
    stores: Stores,
    clock: FixedClock,
    ids: SequentialIds,
    videos: FakeVideoStorage,
    payments: FakePaymentGateway,
) -> None:
    a_paying_user(stores, clock, ids, videos)
    erase = eraser(stores, payments)
    erase.execute(EraseAccountRequest("user-1"))
    repeated = erase.execute(EraseAccountRequest("user-1"))
    assert (repeated.items_deleted, repeated.cancelled) == (0, ())
    assert erase.execute(EraseAccountRequest("nobody")).items_deleted == 0
