"""Random identifiers."""

from __future__ import annotations

import uuid


class Uuid4Ids:
    """UUID4 strings from the operating system's randomness."""

    def new_id(self) -> str:
        return str(uuid.uuid4())
