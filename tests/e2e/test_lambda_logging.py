"""Under Lambda's runtime, every entry point owns the root logger: each record printed once,
as JSON, redacted, through the whole journey at DEBUG (tests/e2e/lambda_logging_probe.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e import lambda_logging_probe as probe
from tests.e2e import test_journey
from tests.e2e.test_pii_logs import ADMIN_SUB, leaks, needles
from tests.e2e.users import WORKER_SUB

ROOT = Path(__file__).resolve().parents[2]
ENTRY_POINTS = ("lambda_http", "lambda_webhook", "lambda_stream", "lambda_reminders")


def run_probe(entry: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "FLOWLOGIC_JWT_SECRET": "probe-secret-0123456789abcdef0123456789abcdef"}
    return subprocess.run(  # noqa: S603 (our interpreter, our probe)
        [sys.executable, "-m", "tests.e2e.lambda_logging_probe", entry],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=300,
        check=False,
    )


@pytest.mark.slow
@pytest.mark.parametrize("entry", ENTRY_POINTS)
def test_each_record_is_printed_once_as_redacted_json_under_the_lambda_runtime(entry: str) -> None:
    done = run_probe(entry)

    assert done.returncode == 0, done.stderr[-3000:]
    # The runtime's handler printed nothing: every record went through ours alone.
    assert probe.RUNTIME_PREFIX not in done.stdout
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    records = [json.loads(line) for line in lines]  # every line is one JSON object
    assert len([r for r in records if r["logger"] == "flowlogic.http.access"]) > 50
    assert any(r["level"] == "DEBUG" for r in records)
    sentinels = [r for r in records if r["message"].startswith("sentinel for")]
    assert len(sentinels) == 1
    ids = [test_journey.SUB, test_journey.WORKER, WORKER_SUB, ADMIN_SUB, "intruder-1"]
    forbidden = needles(
        [*ids, probe.UUID_SUB, probe.SENTINEL_ID],
        [test_journey.EMAIL, probe.UUID_EMAIL, probe.SENTINEL_EMAIL],
    )
    found = leaks(done.stderr, forbidden)
    assert found == [], [line for line in lines if leaks(line, found)][:5]


def test_the_probe_would_see_a_second_unredacted_copy() -> None:
    """Without the takeover (plain configure_logging), the runtime's handler prints records too."""
    script = (
        "from tests.e2e import lambda_logging_probe as p\n"
        "import logging\n"
        "p.install_runtime_handler()\n"
        "from infra.logs import configure_logging\n"
        "configure_logging('DEBUG')\n"
        f"logging.getLogger('x').warning('mail %s', {probe.SENTINEL_EMAIL!r})\n"
    )

    done = subprocess.run(  # noqa: S603 (our interpreter, our script)
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, check=True
    )

    assert probe.RUNTIME_PREFIX + "WARNING mail " + probe.SENTINEL_EMAIL in done.stdout
    assert probe.SENTINEL_EMAIL not in done.stderr
