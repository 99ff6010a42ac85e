"""Re-run a read-decide-write step when a concurrent writer won the optimistic race."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import TypeVar

from domain.errors import ConcurrentModification

T = TypeVar("T")

MAX_ATTEMPTS = 60


def retry_on_conflict(
    step: Callable[[], T],
    *,
    attempts: int = MAX_ATTEMPTS,
    base_delay: float = 0.002,
    max_delay: float = 0.05,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """Run `step` (which must re-read what it decides on) until it stops conflicting.

    Full-jitter backoff spreads concurrent retries of one user's requests; after `attempts`
    conflicts the last ConcurrentModification propagates (clients may retry: nothing was written).
    """
    for attempt in range(attempts):
        try:
            return step()
        except ConcurrentModification:
            if attempt == attempts - 1:
                raise
            # Randomness here only spreads retries; it is not security-relevant.
            sleep(random.uniform(0, min(max_delay, base_delay * 2**attempt)))  # noqa: S311
    raise AssertionError("unreachable")
