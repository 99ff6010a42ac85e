"""DELETE /v1/me: erase every item of the caller and free the email (SPEC.md 2, 8)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from domain.subscription import GRANTING_STATUSES, Subscription
from ports.account import AccountStore
from ports.payments import PaymentGateway

_log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class EraseAccountRequest:
    user_id: str


@dataclass(frozen=True, slots=True)
class Erasure:
    """How many items were deleted, and which Stripe subscriptions were or could not be ended."""

    items_deleted: int
    cancelled: tuple[str, ...]
    not_cancelled: tuple[str, ...]


class EraseAccount:
    """Ends the caller's live Stripe subscriptions, then deletes all their items.

    Rules enforced (decision 072):
    - Every subscription Stripe may still bill (status `active` or `past_due`) is ended at
      once with PaymentGateway.cancel_now, before anything is deleted.
    - A gateway failure does not block the erasure: the subscription id is logged and
      reported in `not_cancelled` for follow-up, and the items are deleted anyway.
    - Every item in the seven user tables and the email reservation are deleted.
    - Idempotent: erasing an erased or unknown account deletes nothing and succeeds, and
      calling it again finishes an erasure that was interrupted half-way.
    The subscriptions come from the erasure's own reads: one query per table (decision 119).
    """

    def __init__(self, payments: PaymentGateway, account: AccountStore) -> None:
        self._payments = payments
        self._account = account

    def execute(self, request: EraseAccountRequest) -> Erasure:
        cancelled: list[str] = []
        not_cancelled: list[str] = []

        def end_live(subscriptions: Sequence[Subscription]) -> None:
            for sub in subscriptions:
                if sub.status not in GRANTING_STATUSES:
                    continue
                try:
                    self._payments.cancel_now(sub.subscription_id)
                # Erasure is owed to the user whatever the payment provider says; a subscription
                # that could not be ended is left for follow-up rather than keeping their data.
                except Exception:
                    _log.exception("erasure: could not end subscription %s", sub.subscription_id)
                    not_cancelled.append(sub.subscription_id)
                else:
                    cancelled.append(sub.subscription_id)

        # Without an email the store frees the one the stored user names.
        deleted = self._account.erase(request.user_id, None, before_deleting=end_live)
        return Erasure(deleted, tuple(cancelled), tuple(not_cancelled))
