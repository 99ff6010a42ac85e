"""Structured JSON logs with a request id, short text lines for a terminal, and a last line of
defence against PII.

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
from typing import Any, ClassVar

from domain.user import mask

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")

_EMAIL = re.compile(r"[A-Za-z0-9._%+\-']+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}")
_HEX = "[0-9a-fA-F]"
_UUID = re.compile(rf"\b{_HEX}{{8}}-{_HEX}{{4}}-{_HEX}{{4}}-{_HEX}{{4}}-{_HEX}{{12}}\b")
_STANDARD = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}
# uvicorn adds a copy of its message with terminal colours; neither format wants it.
_DROPPED = {"color_message"}
_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
_ACCESS_FIELDS = ("method", "route", "status", "duration_ms")
LOG_FORMATS = ("auto", "json", "text")


def redact(text: str) -> str:
    """Replace emails and UUIDs in `text` by their masks."""
    text = _EMAIL.sub(lambda m: mask(m.group(0).lower()), text)
    return _UUID.sub(lambda m: mask(m.group(0)), text)


def _redact_value(value: Any) -> Any:
    if isinstance(value, str):
        return redact(_ANSI.sub("", value))
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
        for key, value in _extra(record).items():
            payload[key] = value
        if record.exc_info:
            payload["exception"] = self.formatException(record.exc_info)
        # No escape codes in JSON, ever: values are stripped above, `default=str` ones here.
        return redact(_ANSI.sub("", json.dumps(_redact_value(payload), default=str)))


class TextFormatter(logging.Formatter):
    """Short lines for a person at a terminal: `time level message`; a request is one line of
    method, route, status and duration. Same redaction as the JSON lines."""

    _COLOURS: ClassVar[dict[str, str]] = {
        "WARNING": "\x1b[33m",
        "ERROR": "\x1b[31m",
        "CRITICAL": "\x1b[31;1m",
    }

    def __init__(self, colour: bool = False) -> None:
        super().__init__()
        self._colour = colour

    def format(self, record: logging.LogRecord) -> str:
        moment = datetime.fromtimestamp(record.created, UTC).astimezone()
        extra = _extra(record)
        if all(field in extra for field in _ACCESS_FIELDS):
            message = (
                f"{extra.pop('method')} {extra.pop('route')} {extra.pop('status')} "
                f"{extra.pop('duration_ms')} ms"
            )
        else:
            message = _ANSI.sub("", record.getMessage())
        details = " ".join(f"{key}={value}" for key, value in extra.items())
        level = f"{record.levelname:<7}"
        colour = self._COLOURS.get(record.levelname) if self._colour else None
        if colour is not None:
            level = f"{colour}{level}\x1b[0m"
        line = f"{moment:%H:%M:%S} {level} {message}" + (f"  {details}" if details else "")
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return redact(line)


def _extra(record: logging.LogRecord) -> dict[str, Any]:
    return {
        key: value
        for key, value in record.__dict__.items()
        if key not in _STANDARD and key not in _DROPPED and not key.startswith("_")
    }


def formatter_for(log_format: str, stream: Any) -> logging.Formatter:
    """`json`, `text`, or `auto`: text on a terminal, JSON anywhere else (files, pipes, Lambda)."""
    if log_format not in LOG_FORMATS:
        raise ValueError(f"log format must be one of {', '.join(LOG_FORMATS)}")
    terminal = bool(getattr(stream, "isatty", lambda: False)())
    if log_format == "text" or (log_format == "auto" and terminal):
        return TextFormatter(colour=terminal)
    return JsonFormatter()


def configure_logging(level: str = "INFO", stream: Any = None, log_format: str = "json") -> None:
    """Route every logger through one handler on stderr (idempotent), in `log_format`."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_flowlogic", False):
            root.removeHandler(handler)
    target = stream or sys.stderr
    handler = logging.StreamHandler(target)
    handler.setFormatter(formatter_for(log_format, target))
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
