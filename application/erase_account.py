"""DELETE /v1/me: erase every item of the caller and free the email (SPEC.md 2, 8)."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from domain.subscription import GRANTING_STATUSES
from ports.account import AccountStore
from ports.payments import PaymentGateway
from ports.subscriptions import SubscriptionRepository
from ports.users import UserRepository

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
    """

    def __init__(
        self,
        users: UserRepository,
        subscriptions: SubscriptionRepository,
        payments: PaymentGateway,
        account: AccountStore,
    ) -> None:
        self._users = users
        self._subscriptions = subscriptions
        self._payments = payments
        self._account = account

    def execute(self, request: EraseAccountRequest) -> Erasure:
        user = self._users.get(request.user_id)
        cancelled: list[str] = []
        not_cancelled: list[str] = []
        for sub in self._subscriptions.list_for_user(request.user_id):
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
        deleted = self._account.erase(request.user_id, user.email if user is not None else None)
        return Erasure(deleted, tuple(cancelled), tuple(not_cancelled))
