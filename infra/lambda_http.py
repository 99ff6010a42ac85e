"""AWS Lambda entry point of the HTTP API (API Gateway HTTP API, payload format 2.0).

Import does only what every invocation needs: read the settings, wire the container (clients
stay lazy) and build the FastAPI app. Stripe is imported by the first webhook, boto3 clients are
created by the first request that needs them. `benchmarks/cold_start.py` measures this import.
"""

from __future__ import annotations

from typing import Any

from mangum import Mangum
from mangum.adapter import DEFAULT_TEXT_MIME_TYPES

from infra.container import create_container
from infra.layout_guard import check_layout
from infra.logs import configure_logging
from infra.openapi import http_app
from infra.settings import Settings

settings = Settings()
configure_logging(settings.log_level)
container = create_container(settings)
app = http_app(container)
# Problem documents (application/problem+json) are text, not base64.
_adapter = Mangum(app, lifespan="off", text_mime_types=[*DEFAULT_TEXT_MIME_TYPES, "+json"])


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """The Lambda handler: one API Gateway event in, one HTTP response out."""
    # The first invocation refuses tables of the other layout (LayoutMismatch), before any
    # request half-works; import stays offline (benchmarks/cold_start.py).
    check_layout(container)
    response: dict[str, Any] = _adapter(event, context)
    return response
