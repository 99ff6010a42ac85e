"""An offline stand-in for Stripe: the local profile's payments, and end-to-end tests.

It keeps customers, checkout sessions, subscriptions and invoices in memory and answers the part
of Stripe's REST API that StripePaymentGateway uses, with JSON in the shape of API version
2026-10-28.endive (the version stripe-python 16 pins), so the real StripeClient talks to it
unchanged. State changes produce events of Stripe's shape, signed exactly as Stripe signs them
(`Stripe-Signature: t=...,v1=HMAC-SHA256(secret, "t.payload")`), handed to `deliver`.

Standard library only (no `stripe` import): the events are verified by the real library on the
receiving side, which is the point. Events are delivered outside the lock, because `deliver`
usually POSTs to a webhook route that calls back into this simulator (docs/decisions/088).
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
import logging
import re
import secrets
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from adapters.stripe.prices import PriceBook
from domain.errors import UnknownPrice
from domain.subscription import STRIPE_STATUS_PROGRESSION
from domain.tiers import Tier
from ports.clock import Clock

API_VERSION = "2026-10-28.endive"
PERIOD = timedelta(days=30)
SESSION_LIFETIME = timedelta(hours=24)
CURRENCY = "usd"
# Illustrative monthly amounts in cents: only the checkout page shows them.
AMOUNTS: Mapping[Tier, int] = {Tier.BASIC: 900, Tier.PRO: 1900, Tier.PROPLUS: 2900}

Deliver = Callable[[bytes, str], None]
JSON = dict[str, Any]

_log = logging.getLogger(__name__)
_KEY = re.compile(r"^([^\[\]]+)((?:\[[^\[\]]*\])*)$")
_PART = re.compile(r"\[([^\[\]]*)\]")


class SimulatedStripeError(Exception):
    """An error answer in Stripe's shape: `{"error": {"type", "message", "code"?, "param"?}}`."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        code: str | None = None,
        param: str | None = None,
        error_type: str = "invalid_request_error",
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code
        self.param = param
        self.error_type = error_type

    def body(self) -> JSON:
        """The JSON body Stripe would answer with."""
        error: JSON = {"type": self.error_type, "message": self.message}
        if self.code is not None:
            error["code"] = self.code
            error["doc_url"] = f"https://stripe.com/docs/error-codes/{self.code.replace('_', '-')}"
        if self.param is not None:
            error["param"] = self.param
        return {"error": error}


@dataclass(frozen=True, slots=True)
class DeliveredEvent:
    """One event as handed to `deliver`: the exact bytes and the header they were signed with."""

    event_id: str
    event_type: str
    payload: bytes
    signature: str


@dataclass(frozen=True, slots=True)
class CheckoutView:
    """What the stand-in checkout page shows."""

    session_id: str
    tier: Tier
    amount: int
    currency: str
    email: str | None
    status: str
    success_url: str
    cancel_url: str | None


def sign(payload: bytes, secret: str, timestamp: int) -> str:
    """The Stripe-Signature header for `payload`, exactly as Stripe computes it."""
    signed = f"{timestamp}.".encode() + payload
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def decode_form(pairs: Iterable[tuple[str, str]]) -> JSON:
    """Stripe's form encoding (`a[b][0][c]=v`) back into nested objects and lists."""
    root: JSON = {}
    for key, value in pairs:
        match = _KEY.match(key)
        if match is None:
            raise SimulatedStripeError(400, f"Invalid parameter name: {key}", param=key)
        path = [match.group(1), *_PART.findall(match.group(2))]
        node = root
        for part in path[:-1]:
            child = node.setdefault(part, {})
            if not isinstance(child, dict):
                raise SimulatedStripeError(400, f"Invalid parameter: {key}", param=key)
            node = child
        if isinstance(node.get(path[-1]), dict):
            raise SimulatedStripeError(400, f"Invalid parameter: {key}", param=key)
        node[path[-1]] = value
    listed = _listify(root)
    assert isinstance(listed, dict)
    return listed


class StripeSimulator:
    """Customers, checkout sessions and subscriptions in memory; thread-safe."""

    def __init__(
        self,
        webhook_secret: str,
        prices: Mapping[Tier, str],
        deliver: Deliver,
        clock: Clock,
    ) -> None:
        if not webhook_secret:
            raise ValueError("a webhook secret is required to sign events")
        self._secret = webhook_secret
        self._prices = PriceBook(prices)
        self._price_ids = dict(prices)
        self._deliver = deliver
        self._clock = clock
        self._lock = threading.Lock()
        self._customers: dict[str, JSON] = {}
        self._sessions: dict[str, JSON] = {}
        # Kept beside the sessions (Stripe's session object shows neither), used on completion.
        self._session_prices: dict[str, str] = {}
        self._subscription_metadata: dict[str, dict[str, str]] = {}
        self._subscriptions: dict[str, JSON] = {}
        self._invoices: dict[str, JSON] = {}
        self._delivered: list[DeliveredEvent] = []
        self._undelivered: list[tuple[str, str, bytes]] = []

    # --- the REST API (what StripeClient calls) -----------------------------------------------

    def create_checkout_session(
        self, params: Mapping[str, Any], page_url: Callable[[str], str]
    ) -> JSON:
        """POST /v1/checkout/sessions (subscription mode, one line item)."""
        _only(
            params,
            {
                "mode",
                "line_items",
                "client_reference_id",
                "success_url",
                "cancel_url",
                "metadata",
                "customer",
                "customer_email",
                "subscription_data",
            },
        )
        if params.get("mode") != "subscription":
            raise SimulatedStripeError(
                400, "This simulator supports only `mode=subscription`.", param="mode"
            )
        success_url = _required_string(params, "success_url")
        price_id = self._line_item_price(params.get("line_items"))
        customer_id = _string(params, "customer")
        email = _string(params, "customer_email")
        if customer_id is not None and email is not None:
            raise SimulatedStripeError(
                400, "You may only specify one of these parameters: customer, customer_email."
            )
        subscription_data = params.get("subscription_data", {})
        if not isinstance(subscription_data, Mapping):
            raise SimulatedStripeError(400, "Invalid object", param="subscription_data")
        _only(subscription_data, {"metadata"}, prefix="subscription_data")
        metadata = _metadata(params.get("metadata"), "metadata")
        subscription_metadata = _metadata(
            subscription_data.get("metadata"), "subscription_data[metadata]"
        )
        now = self._now()
        session_id = _new_id("cs_test", 24)
        tier = self._prices.tier_of(price_id)
        with self._lock:
            if customer_id is not None and customer_id not in self._customers:
                raise _no_such("customer", customer_id, param="customer", status=400)
            session: JSON = {
                "id": session_id,
                "object": "checkout.session",
                "after_expiration": None,
                "allow_promotion_codes": None,
                "amount_subtotal": AMOUNTS[tier],
                "amount_total": AMOUNTS[tier],
                "billing_address_collection": None,
                "cancel_url": _string(params, "cancel_url"),
                "client_reference_id": _string(params, "client_reference_id"),
                "created": _ts(now),
                "currency": CURRENCY,
                "customer": customer_id,
                "customer_creation": None,
                "customer_details": None,
                "customer_email": email,
                "expires_at": _ts(now + SESSION_LIFETIME),
                "invoice": None,
                "livemode": False,
                "locale": None,
                "metadata": metadata,
                "mode": "subscription",
                "payment_intent": None,
                "payment_method_types": ["card"],
                "payment_status": "unpaid",
                "status": "open",
                "subscription": None,
                "success_url": success_url,
                "ui_mode": "hosted",
                "url": page_url(session_id),
            }
            self._sessions[session_id] = session
            self._session_prices[session_id] = price_id
            self._subscription_metadata[session_id] = subscription_metadata
            return copy.deepcopy(session)

    def retrieve_checkout_session(self, session_id: str) -> JSON:
        """GET /v1/checkout/sessions/{id}."""
        with self._lock:
            return copy.deepcopy(self._session(session_id))

    def retrieve_subscription(self, subscription_id: str) -> JSON:
        """GET /v1/subscriptions/{id}."""
        with self._lock:
            return copy.deepcopy(self._subscription(subscription_id))

    def retrieve_invoice(self, invoice_id: str) -> JSON:
        """GET /v1/invoices/{id}."""
        with self._lock:
            invoice = self._invoices.get(invoice_id)
            if invoice is None:
                raise _no_such("invoice", invoice_id)
            return copy.deepcopy(invoice)

    def update_subscription(self, subscription_id: str, params: Mapping[str, Any]) -> JSON:
        """POST /v1/subscriptions/{id}: `cancel_at_period_end` and `metadata`."""
        _only(params, {"cancel_at_period_end", "metadata"})
        with self._lock:
            sub = self._subscription(subscription_id)
            if sub["status"] == "canceled":
                raise SimulatedStripeError(
                    400,
                    "A canceled subscription can only update its cancellation_details and "
                    "metadata.",
                )
            previous: JSON = {}
            if "metadata" in params:
                metadata = _metadata(params["metadata"], "metadata")
                if metadata != sub["metadata"]:
                    previous["metadata"] = sub["metadata"]
                    sub["metadata"] = {**sub["metadata"], **metadata}
            if "cancel_at_period_end" in params:
                flag = _boolean(params["cancel_at_period_end"], "cancel_at_period_end")
                if flag != sub["cancel_at_period_end"]:
                    previous.update(
                        {
                            key: sub[key]
                            for key in ("cancel_at", "cancel_at_period_end", "canceled_at")
                        }
                    )
                    previous["cancellation_details"] = copy.deepcopy(sub["cancellation_details"])
                    now = self._now()
                    sub["cancel_at_period_end"] = flag
                    # Stripe records the request time in canceled_at and ends at the period's end.
                    sub["cancel_at"] = _item(sub)["current_period_end"] if flag else None
                    sub["canceled_at"] = _ts(now) if flag else None
                    sub["cancellation_details"]["reason"] = (
                        "cancellation_requested" if flag else None
                    )
            events = []
            if previous:
                events.append(self._event("customer.subscription.updated", sub, previous, True))
            answer = copy.deepcopy(sub)
        self._send(events)
        return answer

    def cancel_subscription(self, subscription_id: str, params: Mapping[str, Any]) -> JSON:
        """DELETE /v1/subscriptions/{id}: ends it now; a canceled one is gone (404, as Stripe)."""
        _only(params, set())
        with self._lock:
            sub = self._subscription(subscription_id)
            if sub["status"] == "canceled":
                raise _no_such("subscription", subscription_id)
            now = _ts(self._now())
            sub.update(
                {
                    "status": "canceled",
                    "canceled_at": now,
                    "ended_at": now,
                    "cancel_at": None,
                    "cancel_at_period_end": False,
                }
            )
            sub["cancellation_details"]["reason"] = "cancellation_requested"
            events = [self._event("customer.subscription.deleted", sub, None, True)]
            answer = copy.deepcopy(sub)
        self._send(events)
        return answer

    # --- the hosted checkout page ---------------------------------------------------------------

    def describe_checkout(self, session_id: str) -> CheckoutView:
        """What the checkout page of a session shows."""
        with self._lock:
            session = self._session(session_id)
            tier = self._prices.tier_of(self._session_prices[session_id])
            email = session["customer_email"]
            if email is None and session["customer"] is not None:
                email = self._customers[session["customer"]]["email"]
            return CheckoutView(
                session_id=session_id,
                tier=tier,
                amount=AMOUNTS[tier],
                currency=CURRENCY,
                email=email,
                status=self._refresh_expiry(session),
                success_url=session["success_url"],
                cancel_url=session["cancel_url"],
            )

    def confirm_checkout(self, session_id: str) -> JSON:
        """The customer pays: customer and active subscription created, two events delivered.

        Confirming a completed session again changes nothing and delivers nothing.
        """
        with self._lock:
            session = self._session(session_id)
            status = self._refresh_expiry(session)
            if status == "complete":
                return copy.deepcopy(session)
            if status != "open":
                raise SimulatedStripeError(400, "This Checkout Session is no longer active.")
            now = self._now()
            customer = self._customer_for(session, now)
            sub = self._new_subscription(session, customer, now)
            invoice = self._new_invoice(sub, customer, "subscription_create", paid=True)
            sub["latest_invoice"] = invoice["id"]
            session.update(
                {
                    "customer": customer["id"],
                    "customer_details": {
                        "address": None,
                        "email": customer["email"],
                        "name": None,
                        "phone": None,
                        "tax_exempt": "none",
                        "tax_ids": [],
                    },
                    "invoice": invoice["id"],
                    "payment_status": "paid",
                    "status": "complete",
                    "subscription": sub["id"],
                    "url": None,
                }
            )
            events = [
                self._event("checkout.session.completed", session, None, False),
                self._event("customer.subscription.created", sub, None, False),
            ]
            answer = copy.deepcopy(session)
        self._send(events)
        return answer

    # --- controls for tests and the demo --------------------------------------------------------

    def advance_period(self, subscription_id: str) -> JSON:
        """The period ends: renewal (paid, active again), or deletion when cancelling at its end."""
        with self._lock:
            sub = self._subscription(subscription_id)
            if sub["status"] == "canceled":
                raise SimulatedStripeError(400, "The subscription is canceled.")
            item = _item(sub)
            end = item["current_period_end"]
            if sub["cancel_at_period_end"]:
                sub.update({"status": "canceled", "ended_at": end, "cancel_at": None})
                events = [self._event("customer.subscription.deleted", sub, None, False)]
            else:
                previous: JSON = {"items": copy.deepcopy(sub["items"])}
                if sub["status"] != "active":
                    previous["status"] = sub["status"]
                new_end = end + int(PERIOD.total_seconds())
                item.update({"current_period_start": end, "current_period_end": new_end})
                sub["status"] = "active"
                customer = self._customers[sub["customer"]]
                invoice = self._new_invoice(sub, customer, "subscription_cycle", paid=True)
                previous["latest_invoice"] = sub["latest_invoice"]
                sub["latest_invoice"] = invoice["id"]
                events = [self._event("customer.subscription.updated", sub, previous, False)]
            answer = copy.deepcopy(sub)
        self._send(events)
        return answer

    def set_status(self, subscription_id: str, status: str) -> JSON:
        """Force a Stripe status (e.g. `past_due`, `unpaid`, `paused`) and deliver the update."""
        if status not in STRIPE_STATUS_PROGRESSION:
            raise ValueError(f"unknown Stripe subscription status {status!r}")
        with self._lock:
            sub = self._subscription(subscription_id)
            if sub["status"] == status:
                return copy.deepcopy(sub)
            previous: JSON = {"status": sub["status"]}
            sub["status"] = status
            if status == "canceled":
                now = _ts(self._now())
                sub.update({"canceled_at": now, "ended_at": now})
                events = [self._event("customer.subscription.deleted", sub, None, False)]
            else:
                events = [self._event("customer.subscription.updated", sub, previous, False)]
            answer = copy.deepcopy(sub)
        self._send(events)
        return answer

    def fail_payment(self, subscription_id: str) -> JSON:
        """A renewal charge fails: `invoice.payment_failed`, then the subscription is past due."""
        with self._lock:
            sub = self._subscription(subscription_id)
            if sub["status"] == "canceled":
                raise SimulatedStripeError(400, "The subscription is canceled.")
            customer = self._customers[sub["customer"]]
            invoice = self._new_invoice(sub, customer, "subscription_cycle", paid=False)
            previous: JSON = {"latest_invoice": sub["latest_invoice"], "status": sub["status"]}
            sub.update({"latest_invoice": invoice["id"], "status": "past_due"})
            events = [
                self._event("invoice.payment_failed", invoice, None, False),
                self._event("customer.subscription.updated", sub, previous, False),
            ]
            answer = copy.deepcopy(sub)
        self._send(events)
        return answer

    @property
    def delivered(self) -> tuple[DeliveredEvent, ...]:
        """Every event handed to `deliver` without an error, in delivery order."""
        with self._lock:
            return tuple(self._delivered)

    def redeliver_failed(self) -> int:
        """Retry the events whose delivery raised, freshly signed as Stripe does; how many went."""
        with self._lock:
            pending, self._undelivered = self._undelivered, []
        return self._send(pending)

    # --- keeping the state across restarts (flowlogic serve --data-dir) ----------------------

    _STATE = (
        "customers",
        "sessions",
        "session_prices",
        "subscription_metadata",
        "subscriptions",
        "invoices",
    )

    def export_state(self) -> JSON:
        """Customers, sessions, subscriptions and invoices as plain JSON (a copy)."""
        with self._lock:
            return {name: copy.deepcopy(getattr(self, f"_{name}")) for name in self._STATE}

    def import_state(self, state: Mapping[str, Any]) -> None:
        """Replace the state by one `export_state` returned; events already sent stay sent."""
        missing = [name for name in self._STATE if not isinstance(state.get(name), dict)]
        if missing:
            raise ValueError(f"not a Stripe simulator state: {', '.join(missing)} missing")
        with self._lock:
            for name in self._STATE:
                setattr(self, f"_{name}", copy.deepcopy(dict(state[name])))

    # --- internals -----------------------------------------------------------------------------

    def _now(self) -> datetime:
        return self._clock.now()

    def _session(self, session_id: str) -> JSON:
        session = self._sessions.get(session_id)
        if session is None:
            raise _no_such("checkout.session", session_id)
        return session

    def _subscription(self, subscription_id: str) -> JSON:
        sub = self._subscriptions.get(subscription_id)
        if sub is None:
            raise _no_such("subscription", subscription_id)
        return sub

    def _refresh_expiry(self, session: JSON) -> str:
        if session["status"] == "open" and _ts(self._now()) > session["expires_at"]:
            session.update({"status": "expired", "url": None})
        status: str = session["status"]
        return status

    def _line_item_price(self, line_items: object) -> str:
        if not isinstance(line_items, list) or len(line_items) != 1:
            raise SimulatedStripeError(
                400, "This simulator needs exactly one line item.", param="line_items"
            )
        item = line_items[0]
        if not isinstance(item, Mapping):
            raise SimulatedStripeError(400, "Invalid object", param="line_items[0]")
        _only(item, {"price", "quantity"}, prefix="line_items[0]")
        price_id = _required_string(item, "price", param="line_items[0][price]")
        if item.get("quantity", "1") != "1":
            raise SimulatedStripeError(
                400, "This simulator sells a quantity of 1.", param="line_items[0][quantity]"
            )
        try:
            self._prices.tier_of(price_id)
        except UnknownPrice:
            raise _no_such("price", price_id, param="line_items[0][price]", status=400) from None
        return price_id

    def _customer_for(self, session: JSON, now: datetime) -> JSON:
        if session["customer"] is not None:
            return self._customers[session["customer"]]
        customer: JSON = {
            "id": _new_id("cus", 14),
            "object": "customer",
            "address": None,
            "balance": 0,
            "created": _ts(now),
            "currency": None,
            "default_source": None,
            "delinquent": False,
            "description": None,
            "email": session["customer_email"],
            "invoice_prefix": secrets.token_hex(4).upper(),
            "invoice_settings": {
                "custom_fields": None,
                "default_payment_method": None,
                "footer": None,
                "rendering_options": None,
            },
            "livemode": False,
            "metadata": {},
            "name": None,
            "phone": None,
            "preferred_locales": [],
            "shipping": None,
            "tax_exempt": "none",
            "test_clock": None,
        }
        self._customers[customer["id"]] = customer
        return customer

    def _price_object(self, price_id: str, created: int) -> JSON:
        tier = self._prices.tier_of(price_id)
        return {
            "id": price_id,
            "object": "price",
            "active": True,
            "billing_scheme": "per_unit",
            "created": created,
            "currency": CURRENCY,
            "custom_unit_amount": None,
            "livemode": False,
            "lookup_key": None,
            "metadata": {},
            "nickname": None,
            "product": f"prod_flowlogic_{tier}",
            "recurring": {
                "interval": "month",
                "interval_count": 1,
                "meter": None,
                "trial_period_days": None,
                "usage_type": "licensed",
            },
            "tax_behavior": "unspecified",
            "tiers_mode": None,
            "transform_quantity": None,
            "type": "recurring",
            "unit_amount": AMOUNTS[tier],
            "unit_amount_decimal": str(AMOUNTS[tier]),
        }

    def _new_subscription(self, session: JSON, customer: JSON, now: datetime) -> JSON:
        sub_id = _new_id("sub", 14)
        start, end = _ts(now), _ts(now + PERIOD)
        item: JSON = {
            "id": _new_id("si", 14),
            "object": "subscription_item",
            "billing_thresholds": None,
            "created": start,
            # Since API 2025-03-31.basil the period lives on the item, not on the subscription.
            "current_period_end": end,
            "current_period_start": start,
            "discounts": [],
            "metadata": {},
            "price": self._price_object(self._session_prices[session["id"]], start),
            "quantity": 1,
            "subscription": sub_id,
            "tax_rates": [],
        }
        sub: JSON = {
            "id": sub_id,
            "object": "subscription",
            "application": None,
            "application_fee_percent": None,
            "automatic_tax": {"disabled_reason": None, "enabled": False, "liability": None},
            "billing_cycle_anchor": start,
            "billing_cycle_anchor_config": None,
            "billing_mode": {"flexible": None, "type": "classic"},
            "billing_thresholds": None,
            "cancel_at": None,
            "cancel_at_period_end": False,
            "canceled_at": None,
            "cancellation_details": {"comment": None, "feedback": None, "reason": None},
            "collection_method": "charge_automatically",
            "created": start,
            "currency": CURRENCY,
            "customer": customer["id"],
            "days_until_due": None,
            "default_payment_method": None,
            "default_source": None,
            "default_tax_rates": [],
            "description": None,
            "discounts": [],
            "ended_at": None,
            "invoice_settings": {"account_tax_ids": None, "issuer": {"type": "self"}},
            "items": {
                "object": "list",
                "data": [item],
                "has_more": False,
                "total_count": 1,
                "url": f"/v1/subscription_items?subscription={sub_id}",
            },
            "latest_invoice": None,
            "livemode": False,
            "metadata": dict(self._subscription_metadata[session["id"]]),
            "next_pending_invoice_item_invoice": None,
            "on_behalf_of": None,
            "pause_collection": None,
            "payment_settings": {
                "payment_method_options": None,
                "payment_method_types": None,
                "save_default_payment_method": "off",
            },
            "pending_invoice_item_interval": None,
            "pending_setup_intent": None,
            "pending_update": None,
            "schedule": None,
            "start_date": start,
            "status": "active",
            "test_clock": None,
            "transfer_data": None,
            "trial_end": None,
            "trial_settings": {"end_behavior": {"missing_payment_method": "create_invoice"}},
            "trial_start": None,
        }
        self._subscriptions[sub_id] = sub
        return sub

    def _new_invoice(self, sub: JSON, customer: JSON, reason: str, *, paid: bool) -> JSON:
        item = _item(sub)
        invoice_id = _new_id("in", 14)
        amount = item["price"]["unit_amount"]
        created = _ts(self._now())
        period = {"start": item["current_period_start"], "end": item["current_period_end"]}
        invoice: JSON = {
            "id": invoice_id,
            "object": "invoice",
            "account_country": "US",
            "amount_due": amount,
            "amount_paid": amount if paid else 0,
            "amount_remaining": 0 if paid else amount,
            "attempt_count": 1,
            "attempted": True,
            "auto_advance": not paid,
            "billing_reason": reason,
            "collection_method": "charge_automatically",
            "created": created,
            "currency": CURRENCY,
            "customer": customer["id"],
            "customer_email": customer["email"],
            "hosted_invoice_url": None,
            "lines": {
                "object": "list",
                "data": [
                    {
                        "id": _new_id("il", 14),
                        "object": "line_item",
                        "amount": amount,
                        "currency": CURRENCY,
                        "description": f"1 × {item['price']['product']}",
                        "invoice": invoice_id,
                        "livemode": False,
                        "metadata": {},
                        "parent": {
                            "type": "subscription_item_details",
                            "invoice_item_details": None,
                            "subscription_item_details": {
                                "invoice_item": None,
                                "proration": False,
                                "proration_details": {"credited_items": None},
                                "subscription": sub["id"],
                                "subscription_item": item["id"],
                            },
                        },
                        "period": period,
                        "pricing": {
                            "type": "price_details",
                            "price_details": {
                                "price": item["price"]["id"],
                                "product": item["price"]["product"],
                            },
                            "unit_amount_decimal": str(amount),
                        },
                        "quantity": 1,
                    }
                ],
                "has_more": False,
                "total_count": 1,
                "url": f"/v1/invoices/{invoice_id}/lines",
            },
            "livemode": False,
            "metadata": {},
            "next_payment_attempt": None if paid else created + 3 * 24 * 3600,
            # Since API 2025-03-31.basil the subscription is named here, not in `subscription`.
            "parent": {
                "type": "subscription_details",
                "quote_details": None,
                "subscription_details": {
                    "metadata": dict(sub["metadata"]),
                    "subscription": sub["id"],
                },
            },
            "period_end": period["end"],
            "period_start": period["start"],
            "status": "paid" if paid else "open",
            "subtotal": amount,
            "total": amount,
        }
        self._invoices[invoice_id] = invoice
        return invoice

    def _event(
        self, event_type: str, subject: JSON, previous: JSON | None, by_request: bool
    ) -> tuple[str, str, bytes]:
        event_id = _new_id("evt", 24)
        data: JSON = {"object": subject}
        if previous is not None:
            data["previous_attributes"] = previous
        event: JSON = {
            "id": event_id,
            "object": "event",
            "api_version": API_VERSION,
            "created": _ts(self._now()),
            "data": data,
            "livemode": False,
            "pending_webhooks": 1,
            "request": {
                "id": _new_id("req", 14) if by_request else None,
                "idempotency_key": None,
            },
            "type": event_type,
        }
        # Serialised under the lock: the payload is the state at the event, not at delivery.
        return event_id, event_type, json.dumps(event, indent=2).encode()

    def _send(self, events: Iterable[tuple[str, str, bytes]]) -> int:
        sent = 0
        for event_id, event_type, payload in events:
            # Signed at delivery time, like Stripe (a retry carries a new timestamp).
            signature = sign(payload, self._secret, _ts(self._now()))
            try:
                self._deliver(payload, signature)
            except Exception:
                _log.warning("delivery of %s %s failed; kept for redelivery", event_type, event_id)
                with self._lock:
                    self._undelivered.append((event_id, event_type, payload))
                continue
            sent += 1
            with self._lock:
                self._delivered.append(DeliveredEvent(event_id, event_type, payload, signature))
        return sent


def _listify(node: object) -> object:
    if not isinstance(node, dict):
        return node
    converted = {key: _listify(value) for key, value in node.items()}
    if converted and all(key.isdigit() for key in converted):
        return [converted[key] for key in sorted(converted, key=int)]
    return converted


def _only(params: Mapping[str, Any], allowed: set[str], prefix: str = "") -> None:
    for key in params:
        if key not in allowed:
            name = f"{prefix}[{key}]" if prefix else key
            raise SimulatedStripeError(400, f"Received unknown parameter: {name}", param=name)


def _string(params: Mapping[str, Any], key: str) -> str | None:
    value = params.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise SimulatedStripeError(400, "Invalid string", param=key)
    return value


def _required_string(params: Mapping[str, Any], key: str, *, param: str | None = None) -> str:
    value = params.get(key)
    if value is None or value == "":
        name = param or key
        raise SimulatedStripeError(
            400, f"Missing required param: {name}.", code="parameter_missing", param=name
        )
    if not isinstance(value, str):
        raise SimulatedStripeError(400, "Invalid string", param=param or key)
    return value


def _metadata(value: object, param: str) -> dict[str, str]:
    if value is None or value == "":
        return {}
    if not isinstance(value, Mapping) or not all(isinstance(v, str) for v in value.values()):
        raise SimulatedStripeError(400, "Invalid object", param=param)
    return {str(key): str(item) for key, item in value.items()}


def _boolean(value: object, param: str) -> bool:
    if value in ("true", "false"):
        return value == "true"
    raise SimulatedStripeError(400, "Invalid boolean", param=param)


def _item(sub: JSON) -> JSON:
    first: JSON = sub["items"]["data"][0]
    return first


def _no_such(
    kind: str, object_id: str, *, param: str = "id", status: int = 404
) -> SimulatedStripeError:
    # 404 for the object a path names, 400 for an object a parameter names (as Stripe does).
    return SimulatedStripeError(
        status, f"No such {kind}: '{object_id}'", code="resource_missing", param=param
    )


def _new_id(prefix: str, length: int) -> str:
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
    return prefix + "_" + "".join(secrets.choice(alphabet) for _ in range(length))


def _ts(moment: datetime) -> int:
    return int(moment.timestamp())
