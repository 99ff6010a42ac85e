"""AWS Lambda entry point of the HTTP API (API Gateway HTTP API, payload format 2.0).

Init does what every invocation needs and nothing more: own the logs, read the settings (secrets
from Parameter Store), wire the container, create the DynamoDB client (no connection is opened)
and build the FastAPI app. Stripe is imported by the first request that reaches it.
`benchmarks/cold_start.py` measures this import. The function runs with SnapStart: init leaves
no connection open and draws nothing random (a test checks both), and `random` is reseeded
after each restore.
"""

from __future__ import annotations

import sys
from typing import Any

from infra.lambda_init import reseed_after_restore, start

# FastAPI asks, for every route model, whether it is a pydantic.v1 model, importing pydantic.v1
# (~0.1 s) to find out; none is (docs/decisions/153-cold-start.md), and an unimportable
# pydantic.v1 is the answer FastAPI itself gives "no" for.
sys.modules.setdefault("pydantic.v1", None)  # type: ignore[arg-type]

from mangum import Mangum  # noqa: E402
from mangum.adapter import DEFAULT_TEXT_MIME_TYPES  # noqa: E402

from infra.container import create_container, prepare_clients  # noqa: E402
from infra.layout_guard import check_layout  # noqa: E402
from infra.openapi import http_app  # noqa: E402

settings = start()
container = create_container(settings)
prepare_clients(container)
app = http_app(container)
# Problem documents (application/problem+json) are text, not base64.
_adapter = Mangum(app, lifespan="off", text_mime_types=[*DEFAULT_TEXT_MIME_TYPES, "+json"])
reseed_after_restore()


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """The Lambda handler: one API Gateway event in, one HTTP response out."""
    # The first invocation refuses tables of the other layout (LayoutMismatch), before any
    # request half-works; import stays offline (benchmarks/cold_start.py).
    check_layout(container)
    response: dict[str, Any] = _adapter(event, context)
    return response
