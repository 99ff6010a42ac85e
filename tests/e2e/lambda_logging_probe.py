"""Run as `python -m tests.e2e.lambda_logging_probe ENTRY`: an entry point's logging the way
Lambda's Python runtime sets logging up, for tests/e2e/test_lambda_logging.py.

Before the entry point is imported, a plain, unredacting handler goes on the root logger writing
to stdout, as the runtime's does. Then the entry point initialises (import, and for the stream
consumer and reminder job the builder their first invocation runs), its handler is invoked, the
whole journey runs at DEBUG (two users, one with a UUID id), and a sentinel naming an email and a
UUID is logged once. What our logging writes goes to stderr; the runtime's handler must print
nothing at all.
"""

from __future__ import annotations

import importlib
import logging
import os
import sys
import uuid
from datetime import UTC, datetime
from typing import Any

RUNTIME_PREFIX = "RUNTIME-HANDLER "
SENTINEL_EMAIL = "Sentinel.Person@Example.com"
SENTINEL_ID = "8d0f5a8e-2b7c-4a53-9f1e-3c2d1b0a9e87"
UUID_SUB = "5b2a6f0e-7c1d-4e8f-a9b0-c1d2e3f4a5b6"
UUID_EMAIL = "Grace.Hopper+Flow@Example.org"


def install_runtime_handler() -> None:
    """What the runtime does before importing the handler module: its own root handler."""
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(logging.Formatter(RUNTIME_PREFIX + "%(levelname)s %(message)s"))
    logging.getLogger().addHandler(handler)
    logging.getLogger().setLevel(logging.INFO)


def initialise(entry: str) -> Any:
    module = importlib.import_module(f"infra.{entry}")
    if entry == "lambda_stream":
        module._consumer()
    if entry == "lambda_reminders":
        module._job()
    return module


def invoke(entry: str, module: Any) -> None:
    """One invocation of the entry point's handler, with what it logs."""
    from tests.e2e.test_lambda import gateway_event

    if entry == "lambda_http":
        answer = module.handler(gateway_event("GET", "/health"), None)
        assert answer["statusCode"] == 200
    elif entry == "lambda_webhook":
        event = gateway_event("POST", "/v1/stripe/webhook", body=f'{{"email":"{UUID_EMAIL}"}}')
        assert module.handler(event, None)["statusCode"] == 400
    elif entry == "lambda_stream":
        assert module.handler({"Records": []}, None) == {"batchItemFailures": []}
    else:
        today = datetime.now(UTC).date().isoformat()
        assert module.handler({"date": today}, None)["failed"] == 0


def journey() -> None:
    from tests.e2e import test_journey
    from tests.e2e.service import running
    from tests.e2e.test_pii_logs import second_journey

    with running("local") as service:
        test_journey.test_a_user_goes_from_registration_to_a_two_day_streak(service)
        second_journey(service, UUID_SUB, UUID_EMAIL)


def main(entry: str) -> int:
    install_runtime_handler()
    os.environ.update({"FLOWLOGIC_PROFILE": "memory", "FLOWLOGIC_LOG_LEVEL": "DEBUG"})
    module = initialise(entry)
    invoke(entry, module)
    journey()
    logging.getLogger("flowlogic.probe").debug(
        "sentinel for %s, user %s",
        SENTINEL_EMAIL,
        SENTINEL_ID,
        extra={"probe": str(uuid.UUID(SENTINEL_ID))},
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1]))
