"""Convergence: payloads parsed and folded in any order, with repeats, end in the newest."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.stripe.events import parse_event
from adapters.stripe.prices import PriceBook
from domain.subscription import StripeSubscriptionSnapshot, Subscription, apply_snapshot
from tests.unit.stripe.doubles import PRICES, SECRET, encoded, fixture, signed

NOW = datetime(2026, 5, 20, 12, 0, tzinfo=UTC)
BOOK = PriceBook(PRICES)


def the_life_of_a_subscription(created: list[int]) -> list[bytes]:
    """created → past_due → active again → cancel at period end → deleted, as Stripe payloads."""
    template = fixture("customer.subscription.created")
    steps: list[tuple[str, dict[str, Any]]] = [
        ("customer.subscription.created", {}),
        ("customer.subscription.updated", {"status": "past_due"}),
        ("customer.subscription.updated", {"status": "active"}),
        (
            "customer.subscription.updated",
            {"cancel_at_period_end": True, "canceled_at": created[3]},
        ),
        (
            "customer.subscription.deleted",
            {"status": "canceled", "cancel_at_period_end": True, "canceled_at": created[3]},
        ),
    ]
    payloads = []
    for number, ((event_type, changes), at) in enumerate(zip(steps, created, strict=True)):
        event = copy.deepcopy(template)
        event.update(id=f"evt_life_{number}", type=event_type, created=at)
        event["data"]["object"].update(changes)
        payloads.append(encoded(event))
    return payloads


def parsed(payload: bytes) -> StripeSubscriptionSnapshot:
    event = parse_event(
        payload, signed(payload), secret=SECRET, prices=BOOK, subscriptions=lambda _: {}
    )
    assert event.snapshot is not None
    return event.snapshot


def fold(snapshots: list[StripeSubscriptionSnapshot]) -> Subscription | None:
    state: Subscription | None = None
    for snapshot in snapshots:
        state = apply_snapshot(state, snapshot, snapshot.user_id or "", NOW)
    return state


@st.composite
def deliveries(draw: st.DrawFn) -> tuple[list[int], list[int]]:
    """Creation times one or more seconds apart, and a delivery order with losses and repeats."""
    gaps = draw(st.lists(st.integers(1, 40 * 24 * 3600), min_size=4, max_size=4))
    created = [1_777_636_800]
    for gap in gaps:
        created.append(created[-1] + gap)
    delivered = draw(st.sets(st.integers(0, 4), min_size=1))
    repeats = draw(st.lists(st.sampled_from(sorted(delivered)), max_size=6))
    order = draw(st.permutations([*delivered, *repeats]))
    return created, list(order)


@settings(max_examples=60, deadline=None)
@given(deliveries())
def test_any_delivery_order_ends_in_the_state_of_the_newest_event(
    case: tuple[list[int], list[int]],
) -> None:
    created, order = case
    snapshots = [parsed(payload) for payload in the_life_of_a_subscription(created)]

    final = fold([snapshots[index] for index in order])

    newest = snapshots[max(order)]
    assert final == apply_snapshot(None, newest, "user-1", NOW)
    assert final is not None
    assert final.last_event_id == f"evt_life_{max(order)}"


def test_the_life_in_order_passes_through_each_status() -> None:
    created = [1_777_636_800 + 60 * step for step in range(5)]
    snapshots = [parsed(payload) for payload in the_life_of_a_subscription(created)]

    states = [fold(snapshots[: count + 1]) for count in range(5)]

    assert [state.stripe_status if state else None for state in states] == [
        "active",
        "past_due",
        "active",
        "active",
        "canceled",
    ]
    assert states[3] is not None
    assert states[3].cancel_at_period_end is True
