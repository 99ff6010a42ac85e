"""Logs for people on a terminal, JSON elsewhere, and never an escape code in the JSON."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from infra.logs import JsonFormatter, TextFormatter, configure_logging, formatter_for

ANSI = "\x1b["


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture(autouse=True)
def _restore_root() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def _record(message: str, level: int = logging.INFO, **extra: object) -> logging.LogRecord:
    record = logging.makeLogRecord({"name": "t", "levelno": level, "msg": message, **extra})
    record.levelname = logging.getLevelName(level)
    return record


def test_auto_is_text_on_a_terminal_and_json_anywhere_else() -> None:
    assert isinstance(formatter_for("auto", Terminal()), TextFormatter)
    assert isinstance(formatter_for("auto", io.StringIO()), JsonFormatter)
    assert isinstance(formatter_for("json", Terminal()), JsonFormatter)
    assert isinstance(formatter_for("text", io.StringIO()), TextFormatter)
    with pytest.raises(ValueError, match="auto, json, text"):
        formatter_for("xml", io.StringIO())


def test_a_request_is_one_short_line_on_a_terminal() -> None:
    stream = Terminal()
    configure_logging("INFO", stream, log_format="auto")

    logging.getLogger("flowlogic.http.access").info(
        "request",
        extra={"method": "GET", "route": "/v1/me", "status": 200, "duration_ms": 3.25},
    )

    line = stream.getvalue().rstrip("\n")
    assert "\n" not in line
    time, level, rest = line.split(maxsplit=2)
    assert len(time) == 8
    assert time.count(":") == 2
    assert level == "INFO"
    assert rest == "GET /v1/me 200 3.25 ms"


def test_text_lines_are_redacted_like_json_ones() -> None:
    line = TextFormatter().format(_record("mail ada@example.com failed", logging.WARNING))

    assert "ada@example.com" not in line
    assert "WARNING" in line


def test_json_never_carries_escape_codes() -> None:
    stream = Terminal()  # even on a terminal, when asked for JSON
    configure_logging("INFO", stream, log_format="json")

    logging.getLogger("uvicorn.error").info(
        "Started \x1b[36mserver\x1b[0m",
        extra={"color_message": "Started \x1b[36m%d\x1b[0m", "detail": "\x1b[1mbold\x1b[0m"},
    )
    logging.getLogger("t").warning("plain")

    text = stream.getvalue()
    assert ANSI not in text
    assert "\\u001b" not in text
    first, second = (json.loads(line) for line in text.splitlines())
    assert first["message"] == "Started server"
    assert first["detail"] == "bold"
    assert "color_message" not in first
    assert second["level"] == "WARNING"


def test_colours_only_on_a_terminal_and_only_in_text() -> None:
    warning = _record("careful", logging.WARNING)

    assert ANSI in TextFormatter(colour=True).format(warning)
    assert ANSI not in TextFormatter(colour=False).format(warning)
    assert ANSI not in JsonFormatter().format(warning)
