"""Structured JSON logs with a request id, and a last line of defence against PII.

Code logs `mask(user_id)` on purpose; the redacting filter below additionally replaces anything
that looks like an email address or a UUID in every record, so a careless log call cannot leak
either (SPEC.md section 11).
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from domain.user import mask

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")

_EMAIL = re.compile(r"[A-Za-z0-9._%+\-']+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}")
_HEX = "[0-9a-fA-F]"
_UUID = re.compile(rf"\b{_HEX}{{8}}-{_HEX}{{4}}-{_HEX}{{4}}-{_HEX}{{4}}-{_HEX}{{12}}\b")
_STANDARD = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}


def redact(text: str) -> str:
    """Replace emails and UUIDs in `text` by their masks."""
    text = _EMAIL.sub(lambda m: mask(m.group(0).lower()), text)
    return _UUID.sub(lambda m: mask(m.group(0)), text)


def _redact_value(value: Any) -> Any:
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {k: _redact_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_redact_value(v) for v in value]
    return value


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, request id, message, extra fields."""

    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "request_id": request_id_var.get(),
            "message": record.getMessage(),
        }
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_"):
                payload[key] = value
        if record.exc_info:
            payload["exception"] = self.formatException(record.exc_info)
        return redact(json.dumps(_redact_value(payload), default=str))


def configure_logging(level: str = "INFO", stream: Any = None) -> None:
    """Route every logger through one JSON handler on stderr (idempotent)."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_flowlogic", False):
            root.removeHandler(handler)
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter())
    handler._flowlogic = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level.upper())
    # moto's embedded server logs every request through werkzeug, with paths and bodies.
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    # HTTP client libraries log full request URLs (subscription ids, simulator paths) at INFO.
    for noisy in ("httpx", "httpx2", "stripe", "botocore", "urllib3"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def own_root_logger(level: str = "INFO", stream: Any = None) -> None:
    """`configure_logging` for an entry point that must be the root logger's only writer.

    Lambda's Python runtime installs its own handler on the root logger before it imports the
    handler module; left in place, it prints every record a second time, unredacted. An entry
    point therefore removes every handler it finds (docs/decisions/150-lambda-logging.md).
    """
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    configure_logging(level, stream)


@contextmanager
def request_context(request_id: str) -> Iterator[None]:
    """Tag every log record emitted inside the block with `request_id`."""
    token = request_id_var.set(request_id)
    try:
        yield
    finally:
        request_id_var.reset(token)
