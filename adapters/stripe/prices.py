"""Which Stripe price id belongs to which tier (configuration: STRIPE_PRICE_*)."""

from __future__ import annotations

from collections.abc import Mapping

from domain.errors import UnknownPrice, ValidationFailed
from domain.tiers import Tier


class PriceBook:
    """The configured price of each paid tier, readable in both directions."""

    __slots__ = ("_price_of", "_tier_of")

    def __init__(self, prices: Mapping[Tier, str]) -> None:
        for tier, price_id in prices.items():
            if not tier.is_paid:
                raise ValueError("only paid tiers have a Stripe price")
            if not price_id:
                raise ValueError(f"the price of {tier} is empty")
        tier_of = {price_id: tier for tier, price_id in prices.items()}
        if len(tier_of) != len(prices):
            # One price for two tiers would make a subscription's tier ambiguous.
            raise ValueError("each tier needs its own Stripe price")
        self._price_of = dict(prices)
        self._tier_of = tier_of

    def price_of(self, tier: Tier) -> str:
        """The price id to subscribe to `tier`."""
        try:
            return self._price_of[tier]
        except KeyError:
            raise ValidationFailed(f"no Stripe price is configured for tier {tier}") from None

    def tier_of(self, price_id: str) -> Tier:
        """The tier a price id entitles; UnknownPrice when it is not configured."""
        try:
            return self._tier_of[price_id]
        except KeyError:
            raise UnknownPrice(f"Stripe price {price_id!r} maps to no tier") from None

    def knows(self, price_id: str) -> bool:
        """Whether the price id is one of the configured ones."""
        return price_id in self._tier_of
