"""Subscriptions: Stripe status mapping, entitlement and the ordering of webhook events."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import ValidationFailed
from domain.subscription import (
    StripeSubscriptionSnapshot,
    Subscription,
    SubscriptionStatus,
    apply_snapshot,
    entitled_tier,
    grants_tier,
    is_newer,
    map_stripe_status,
)
from domain.tiers import Tier

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
LATER = NOW + timedelta(days=20)
EARLIER = NOW - timedelta(days=1)
USER_ID = "user-1"

# The progression the ordering rule uses to break same-second ties, as the rule is specified.
PROGRESSION = [
    "incomplete",
    "trialing",
    "active",
    "past_due",
    "unpaid",
    "paused",
    "canceled",
    "incomplete_expired",
]


def a_snapshot(**changes: object) -> StripeSubscriptionSnapshot:
    snapshot = StripeSubscriptionSnapshot(
        subscription_id="sub_1",
        customer_id="cus_1",
        user_id=USER_ID,
        stripe_status="active",
        price_tier=Tier.PRO,
        current_period_start=NOW - timedelta(days=10),
        current_period_end=LATER,
        cancel_at_period_end=False,
        canceled_at=None,
        event_id="evt_1",
        event_created=NOW - timedelta(minutes=1),
    )
    return replace(snapshot, **changes)  # type: ignore[arg-type]


def a_subscription(**changes: object) -> Subscription:
    stored = apply_snapshot(None, a_snapshot(), USER_ID, NOW)
    assert stored is not None
    return replace(stored, **changes)  # type: ignore[arg-type]


# --- status mapping --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stripe_status", "expected"),
    [
        ("trialing", SubscriptionStatus.ACTIVE),
        ("active", SubscriptionStatus.ACTIVE),
        ("past_due", SubscriptionStatus.PAST_DUE),
        ("unpaid", SubscriptionStatus.PAST_DUE),
        ("canceled", SubscriptionStatus.CANCELED),
        ("incomplete_expired", SubscriptionStatus.EXPIRED),
        ("paused", SubscriptionStatus.EXPIRED),
        ("incomplete", None),
    ],
)
def test_each_stripe_status_maps_to_a_stored_status_while_the_period_runs(
    stripe_status: str, expected: SubscriptionStatus | None
) -> None:
    assert map_stripe_status(stripe_status, LATER, NOW) == expected


def test_a_canceled_subscription_whose_period_has_ended_is_expired() -> None:
    assert (
        map_stripe_status("canceled", NOW - timedelta(seconds=1), NOW) is SubscriptionStatus.EXPIRED
    )
    assert map_stripe_status("canceled", NOW, NOW) is SubscriptionStatus.EXPIRED
    assert (
        map_stripe_status("canceled", NOW + timedelta(seconds=1), NOW)
        is SubscriptionStatus.CANCELED
    )


@pytest.mark.parametrize("stripe_status", ["active", "past_due", "trialing", "unpaid"])
def test_a_live_status_is_not_turned_into_expired_by_an_ended_period(stripe_status: str) -> None:
    assert map_stripe_status(stripe_status, EARLIER, NOW) in {
        SubscriptionStatus.ACTIVE,
        SubscriptionStatus.PAST_DUE,
    }


@pytest.mark.parametrize("stripe_status", ["", "Active", "pending", "deleted"])
def test_an_unknown_stripe_status_is_refused(stripe_status: str) -> None:
    with pytest.raises(ValidationFailed):
        map_stripe_status(stripe_status, LATER, NOW)


# --- entitlement -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "period_end", "grants"),
    [
        (SubscriptionStatus.ACTIVE, LATER, True),
        (SubscriptionStatus.PAST_DUE, LATER, True),
        (SubscriptionStatus.ACTIVE, NOW + timedelta(seconds=1), True),
        (SubscriptionStatus.ACTIVE, NOW, False),
        (SubscriptionStatus.PAST_DUE, EARLIER, False),
        (SubscriptionStatus.CANCELED, LATER, False),
        (SubscriptionStatus.EXPIRED, LATER, False),
    ],
)
def test_only_an_active_or_past_due_subscription_in_its_period_grants_its_tier(
    status: SubscriptionStatus, period_end: datetime, grants: bool
) -> None:
    sub = a_subscription(status=status, current_period_end=period_end)
    assert grants_tier(sub, NOW) is grants


def test_the_entitled_tier_is_the_highest_granting_one() -> None:
    subs = [
        a_subscription(subscription_id="sub_b", tier=Tier.BASIC),
        a_subscription(
            subscription_id="sub_pp", tier=Tier.PROPLUS, status=SubscriptionStatus.PAST_DUE
        ),
        a_subscription(subscription_id="sub_p", tier=Tier.PRO),
    ]
    assert entitled_tier(subs, NOW) is Tier.PROPLUS


def test_the_entitled_tier_ignores_subscriptions_that_grant_nothing() -> None:
    subs = [
        a_subscription(subscription_id="sub_b", tier=Tier.BASIC),
        a_subscription(
            subscription_id="sub_x", tier=Tier.PROPLUS, status=SubscriptionStatus.EXPIRED
        ),
        a_subscription(
            subscription_id="sub_c", tier=Tier.PROPLUS, status=SubscriptionStatus.CANCELED
        ),
        a_subscription(subscription_id="sub_e", tier=Tier.PRO, current_period_end=NOW),
    ]
    assert entitled_tier(subs, NOW) is Tier.BASIC


def test_without_a_granting_subscription_the_tier_is_free() -> None:
    assert entitled_tier([], NOW) is Tier.FREE
    lapsed = a_subscription(tier=Tier.PRO, current_period_end=EARLIER)
    assert entitled_tier([lapsed], NOW) is Tier.FREE


# --- snapshots -------------------------------------------------------------------------------


def test_a_snapshot_is_for_a_paid_tier() -> None:
    with pytest.raises(ValidationFailed):
        a_snapshot(price_tier=Tier.FREE)


def test_a_snapshot_needs_its_ids_and_aware_times() -> None:
    with pytest.raises(ValidationFailed):
        a_snapshot(event_id="")
    with pytest.raises(ValueError, match="aware"):
        a_snapshot(event_created=datetime(2026, 5, 1, 12, 0))  # noqa: DTZ001


# --- ordering --------------------------------------------------------------------------------


def test_any_snapshot_is_newer_than_nothing() -> None:
    assert is_newer(None, a_snapshot(stripe_status="incomplete"))


def test_the_same_event_is_never_newer_even_if_it_claims_a_later_time() -> None:
    stored = a_subscription()
    assert not is_newer(stored, a_snapshot())
    assert not is_newer(stored, a_snapshot(event_created=NOW + timedelta(hours=1)))


def test_a_later_event_is_newer_whatever_its_status() -> None:
    stored = a_subscription(stripe_status="canceled", status=SubscriptionStatus.CANCELED)
    later = a_snapshot(
        event_id="evt_2",
        stripe_status="active",
        event_created=stored.last_event_at + timedelta(seconds=1),
    )
    assert is_newer(stored, later)


def test_an_earlier_event_is_never_newer() -> None:
    stored = a_subscription()
    earlier = a_snapshot(
        event_id="evt_0",
        stripe_status="canceled",
        current_period_end=LATER + timedelta(days=30),
        event_created=stored.last_event_at - timedelta(seconds=1),
    )
    assert not is_newer(stored, earlier)


def test_within_one_second_the_further_status_wins() -> None:
    stored = a_subscription()  # active
    same_second = stored.last_event_at
    assert is_newer(
        stored, a_snapshot(event_id="evt_2", stripe_status="past_due", event_created=same_second)
    )
    assert not is_newer(
        stored, a_snapshot(event_id="evt_2", stripe_status="trialing", event_created=same_second)
    )
    assert not is_newer(
        stored, a_snapshot(event_id="evt_2", stripe_status="incomplete", event_created=same_second)
    )


def test_within_one_second_and_one_status_the_later_period_wins() -> None:
    stored = a_subscription()
    same_second = stored.last_event_at
    renewed = a_snapshot(
        event_id="evt_2", current_period_end=LATER + timedelta(days=30), event_created=same_second
    )
    previous = a_snapshot(
        event_id="evt_2", current_period_end=LATER - timedelta(days=30), event_created=same_second
    )
    assert is_newer(stored, renewed)
    assert not is_newer(stored, previous)


def test_an_unknown_status_cannot_be_ordered() -> None:
    with pytest.raises(ValidationFailed):
        is_newer(a_subscription(), a_snapshot(event_id="evt_2", stripe_status="mystery"))


# --- applying --------------------------------------------------------------------------------


def test_a_first_snapshot_creates_the_subscription_for_the_resolved_user() -> None:
    snapshot = a_snapshot(user_id=None, stripe_status="trialing", cancel_at_period_end=True)
    sub = apply_snapshot(None, snapshot, USER_ID, NOW)
    assert sub == Subscription(
        user_id=USER_ID,
        subscription_id="sub_1",
        stripe_customer_id="cus_1",
        tier=Tier.PRO,
        status=SubscriptionStatus.ACTIVE,
        current_period_start=snapshot.current_period_start,
        current_period_end=LATER,
        cancel_at_period_end=True,
        canceled_at=None,
        created_at=NOW,
        updated_at=NOW,
        stripe_status="trialing",
        last_event_at=snapshot.event_created,
        last_event_id="evt_1",
    )


def test_an_incomplete_subscription_with_nothing_stored_is_not_kept() -> None:
    assert apply_snapshot(None, a_snapshot(stripe_status="incomplete"), USER_ID, NOW) is None


def test_a_newer_snapshot_updates_the_state_but_keeps_owner_and_creation_time() -> None:
    stored = a_subscription()
    later = NOW + timedelta(hours=1)
    snapshot = a_snapshot(
        event_id="evt_2",
        stripe_status="canceled",
        canceled_at=later,
        price_tier=Tier.BASIC,
        user_id="someone-else",
        event_created=stored.last_event_at + timedelta(minutes=5),
    )
    updated = apply_snapshot(stored, snapshot, "someone-else", later)
    assert updated is not None
    assert updated.user_id == USER_ID
    assert updated.created_at == stored.created_at
    assert updated.updated_at == later
    assert updated.status is SubscriptionStatus.CANCELED
    assert updated.tier is Tier.BASIC
    assert updated.canceled_at == later
    assert (updated.last_event_id, updated.last_event_at) == ("evt_2", snapshot.event_created)


def test_an_older_or_repeated_snapshot_changes_nothing() -> None:
    stored = a_subscription()
    older = a_snapshot(
        event_id="evt_0",
        stripe_status="canceled",
        event_created=stored.last_event_at - timedelta(seconds=30),
    )
    assert apply_snapshot(stored, older, USER_ID, NOW + timedelta(hours=1)) is stored
    assert apply_snapshot(stored, a_snapshot(), USER_ID, NOW + timedelta(hours=1)) is stored


def test_a_newer_incomplete_snapshot_stops_a_stored_subscription_granting() -> None:
    stored = a_subscription()
    odd = a_snapshot(
        event_id="evt_2",
        stripe_status="incomplete",
        event_created=stored.last_event_at + timedelta(seconds=1),
    )
    updated = apply_snapshot(stored, odd, USER_ID, NOW)
    assert updated is not None
    assert updated.status is SubscriptionStatus.EXPIRED
    assert not grants_tier(updated, NOW)


def test_a_snapshot_of_another_subscription_cannot_be_applied() -> None:
    with pytest.raises(ValueError, match="id"):
        apply_snapshot(
            a_subscription(), a_snapshot(subscription_id="sub_2", event_id="evt_2"), USER_ID, NOW
        )


# --- convergence property --------------------------------------------------------------------

BASE = datetime(2026, 5, 1, 0, 0, tzinfo=UTC)
PROPERTY_NOW = BASE + timedelta(days=15)
# Few distinct values, so that same-second events and equal periods are common.
_seconds = st.integers(min_value=0, max_value=3).map(lambda s: BASE + timedelta(seconds=s))
_period_ends = st.sampled_from([BASE + timedelta(days=d) for d in (10, 30, 31)])
_canceled_at = st.none() | st.sampled_from([BASE + timedelta(days=d) for d in (1, 2)])
_snapshot_contents = st.tuples(
    st.sampled_from(PROGRESSION),
    st.sampled_from([Tier.BASIC, Tier.PRO, Tier.PROPLUS]),
    _period_ends,
    st.booleans(),
    _canceled_at,
    _seconds,
)


def _snapshots_of_one_subscription(
    contents: list[tuple[str, Tier, datetime, bool, datetime | None, datetime]],
) -> list[StripeSubscriptionSnapshot]:
    first_second = min(created for *_, created in contents)
    return [
        StripeSubscriptionSnapshot(
            subscription_id="sub_1",
            customer_id="cus_1",
            user_id=USER_ID,
            stripe_status=status,
            price_tier=tier,
            current_period_start=BASE,
            current_period_end=period_end,
            cancel_at_period_end=cancel_at_end,
            canceled_at=canceled_at,
            event_id=f"evt_{index:03d}",
            # Stripe only ever reports `incomplete` as a subscription's first state.
            event_created=first_second if status == "incomplete" else created,
        )
        for index, (status, tier, period_end, cancel_at_end, canceled_at, created) in enumerate(
            contents
        )
    ]


def _newest(snapshots: list[StripeSubscriptionSnapshot]) -> StripeSubscriptionSnapshot:
    return max(
        snapshots,
        key=lambda s: (
            s.event_created,
            PROGRESSION.index(s.stripe_status),
            s.current_period_end,
            s.cancel_at_period_end,
            s.canceled_at is not None,
            s.canceled_at or BASE,
            s.event_id,
        ),
    )


@given(st.lists(_snapshot_contents, min_size=1, max_size=8), st.data())
def test_any_delivery_order_with_duplicates_ends_in_the_state_of_the_newest_snapshot(
    contents: list[tuple[str, Tier, datetime, bool, datetime | None, datetime]],
    data: st.DataObject,
) -> None:
    snapshots = _snapshots_of_one_subscription(contents)
    duplicates = data.draw(st.lists(st.sampled_from(snapshots), max_size=6))
    deliveries = data.draw(st.permutations(snapshots + duplicates))

    state: Subscription | None = None
    for snapshot in deliveries:
        state = apply_snapshot(state, snapshot, USER_ID, PROPERTY_NOW)

    assert state == apply_snapshot(None, _newest(snapshots), USER_ID, PROPERTY_NOW)
