"""Errors of the payment provider, as the core may see them."""

from __future__ import annotations

from domain.errors import DomainError


class PaymentProviderError(DomainError):
    """Stripe refused or failed a request; `http_status` and `stripe_code` say how, when known."""

    code = "PAYMENT_PROVIDER_ERROR"

    def __init__(
        self, detail: str = "", *, http_status: int | None = None, stripe_code: str | None = None
    ) -> None:
        super().__init__(detail)
        self.http_status = http_status
        self.stripe_code = stripe_code
