"""GET /v1/me/export: every item stored about the caller, as one JSON document (SPEC.md 2)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from domain.errors import NotFound
from ports.account import AccountStore


@dataclass(frozen=True, slots=True)
class ExportAccountRequest:
    user_id: str


class ExportAccount:
    """Exports the caller's items of the seven user tables, by table name.

    Rules enforced:
    - Only the caller's own items, read through the account store.
    - Whatever is stored is exported, even without a profile (e.g. what an interrupted
      erasure left behind); nothing stored at all: NOT_FOUND.
    """

    def __init__(self, account: AccountStore) -> None:
        self._account = account

    def execute(self, request: ExportAccountRequest) -> Mapping[str, Sequence[Mapping[str, Any]]]:
        items = self._account.export(request.user_id)
        if not any(items.values()):
            raise NotFound("nothing is stored for this account")
        return items
