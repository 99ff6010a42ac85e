"""`flowlogic serve --data-dir`: the local profile's DynamoDB items and Stripe simulator data
survive a clean stop and a `kill -9` (after the save interval); `--fresh` starts empty."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx2
import pytest

from infra.local_data import FILE_NAME, write_atomically
from tests.e2e.service import SECRET
from tests.e2e.test_cli import FLOWLOGIC, ROOT, START_TIMEOUT, _wait_healthy, free_port, read_lines

pytestmark = pytest.mark.slow

SAVE_EVERY = 0.5


@dataclass
class Served:
    url: str
    banner: list[str]
    process: subprocess.Popen[str]

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.banner[-1]}"}


def _environment() -> dict[str, str]:
    env = {
        **os.environ,
        "FLOWLOGIC_PROFILE": "local",
        "FLOWLOGIC_JWT_SECRET": SECRET,
        "PYTHONUNBUFFERED": "1",
    }
    for name in ("FLOWLOGIC_PUBLIC_URL", "AWS_ENDPOINT_URL_DYNAMODB", "STRIPE_API_BASE"):
        env.pop(name, None)
    return env


def _start(data_dir: Path, *extra: str) -> Served:
    port = free_port()
    process = subprocess.Popen(  # noqa: S603 (the project's own console script)
        [
            str(FLOWLOGIC),
            "serve",
            "--port",
            str(port),
            "--data-dir",
            str(data_dir),
            "--save-every",
            str(SAVE_EVERY),
            *extra,
        ],
        cwd=ROOT,
        env=_environment(),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        banner = read_lines(process, "Bearer token", START_TIMEOUT)
        _wait_healthy(url)
    except BaseException:
        process.kill()
        process.wait()
        raise
    return Served(url, banner, process)


def _stop(served: Served) -> None:
    served.process.send_signal(signal.SIGTERM)
    assert served.process.wait(timeout=30) == 0


@pytest.fixture
def servers() -> Iterator[list[Served]]:
    started: list[Served] = []
    yield started
    for served in started:
        if served.process.poll() is None:
            served.process.kill()
            served.process.wait()


def _register_and_subscribe(served: Served) -> str:
    """A registered developer with a Pro subscription; returns the subscription id."""
    registered = httpx2.put(
        f"{served.url}/v1/me", json={"email": "developer@example.com"}, headers=served.headers
    )
    assert registered.status_code == 201
    checkout = httpx2.post(
        f"{served.url}/v1/me/checkout",
        json={"tier": "pro", "success_url": "http://app.test/ok", "cancel_url": "http://app.test/"},
        headers=served.headers,
    )
    assert checkout.status_code == 201, checkout.text
    confirmed = httpx2.post(f"{checkout.json()['url']}/confirm", timeout=30)
    assert confirmed.status_code == 303
    listed = httpx2.get(f"{served.url}/v1/me/subscriptions", headers=served.headers).json()
    [subscription] = listed
    return str(subscription["subscription_id"])


def _assert_still_there(served: Served, subscription_id: str) -> None:
    me = httpx2.get(f"{served.url}/v1/me", headers=served.headers)
    assert me.status_code == 200
    assert me.json()["email"] == "developer@example.com"
    listed = httpx2.get(f"{served.url}/v1/me/subscriptions", headers=served.headers).json()
    assert [item["subscription_id"] for item in listed] == [subscription_id]
    # The simulator's own copy: Stripe still knows the subscription after the restart.
    stripe = httpx2.get(
        f"{served.url}/stripe-sim/v1/subscriptions/{subscription_id}",
        headers={"Authorization": "Bearer sk_test_any"},
    )
    assert stripe.status_code == 200
    assert stripe.json()["status"] == "active"


def test_data_survives_a_clean_stop(tmp_path: Path, servers: list[Served]) -> None:
    first = _start(tmp_path)
    servers.append(first)
    assert any("starting empty" in line for line in first.banner)
    subscription_id = _register_and_subscribe(first)
    # The printed endpoint lets the data commands work on the running server's tables.
    [endpoint] = [line.split()[2] for line in first.banner if line.startswith("Embedded DynamoDB:")]
    tables = subprocess.run(  # noqa: S603
        [str(FLOWLOGIC), "tables", "create"],
        cwd=ROOT,
        env={**_environment(), "AWS_ENDPOINT_URL_DYNAMODB": endpoint},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert tables.returncode == 0, tables.stderr
    assert "Nothing changed" in tables.stdout
    _stop(first)

    second = _start(tmp_path)
    servers.append(second)

    assert any("loaded" in line and "1 Stripe subscription" in line for line in second.banner)
    _assert_still_there(second, subscription_id)


def test_data_saved_in_the_background_survives_kill_9(
    tmp_path: Path, servers: list[Served]
) -> None:
    dynamodb_port = free_port()
    first = _start(tmp_path, "--dynamodb-port", str(dynamodb_port))
    servers.append(first)
    assert f"Embedded DynamoDB: http://127.0.0.1:{dynamodb_port} " in "\n".join(first.banner)
    subscription_id = _register_and_subscribe(first)
    # Past a few save intervals after the last write, nothing may be lost.
    time.sleep(SAVE_EVERY * 4)
    first.process.send_signal(signal.SIGKILL)
    first.process.wait()

    second = _start(tmp_path)
    servers.append(second)

    _assert_still_there(second, subscription_id)


def test_fresh_starts_empty_and_a_broken_file_is_refused_in_one_line(
    tmp_path: Path, servers: list[Served]
) -> None:
    first = _start(tmp_path)
    servers.append(first)
    _register_and_subscribe(first)
    _stop(first)

    fresh = _start(tmp_path, "--fresh")
    servers.append(fresh)
    assert httpx2.get(f"{fresh.url}/v1/me", headers=fresh.headers).status_code == 404
    _stop(fresh)

    (tmp_path / FILE_NAME).write_text("{not json", encoding="utf-8")
    refused = subprocess.run(  # noqa: S603
        [str(FLOWLOGIC), "serve", "--port", str(free_port()), "--data-dir", str(tmp_path)],
        cwd=ROOT,
        env=_environment(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert refused.returncode == 2
    assert "Traceback" not in refused.stderr
    last = refused.stderr.strip().splitlines()[-1]
    assert f"cannot load {tmp_path / FILE_NAME}" in last
    assert "--fresh" in last


def test_a_failed_save_leaves_the_previous_file_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / FILE_NAME
    write_atomically(target, json.dumps({"version": "old"}).encode())

    def crash(source: object, destination: object) -> None:
        raise OSError("power cut")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="power cut"):
        write_atomically(target, b'{"version": "new, half-writ')

    assert json.loads(target.read_text(encoding="utf-8")) == {"version": "old"}
