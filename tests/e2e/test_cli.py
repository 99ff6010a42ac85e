"""The `flowlogic` command: serve (as `make run` does), token, demo and openapi."""

from __future__ import annotations

import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx2
import jwt
import pytest

from infra.cli import display_url, main
from tests.e2e.service import SECRET

ROOT = Path(__file__).resolve().parents[2]
FLOWLOGIC = Path(sys.executable).with_name("flowlogic")
START_TIMEOUT = 60.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def read_lines(process: subprocess.Popen[str], until: str, timeout: float) -> list[str]:
    """Lines of the process's stdout up to and including the one after the `until` line."""
    stream = process.stdout
    assert stream is not None
    received: queue.Queue[str] = queue.Queue()

    def pump() -> None:
        for line in stream:
            received.put(line)

    threading.Thread(target=pump, daemon=True).start()
    lines: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            lines.append(received.get(timeout=0.2).rstrip("\n"))
        except queue.Empty:
            continue
        if len(lines) >= 2 and until in lines[-2]:
            return lines
    raise AssertionError(f"no {until!r} in {lines}")


@pytest.fixture
def served() -> Iterator[tuple[str, list[str]]]:
    """`flowlogic serve` on a free port, memory profile; yields its URL and its banner."""
    port = free_port()
    env = {
        **os.environ,
        "FLOWLOGIC_PROFILE": "memory",
        "FLOWLOGIC_JWT_SECRET": SECRET,
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("FLOWLOGIC_PUBLIC_URL", None)
    process = subprocess.Popen(  # noqa: S603 (the project's own console script)
        [str(FLOWLOGIC), "serve", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        banner = read_lines(process, "Bearer token", START_TIMEOUT)
        _wait_healthy(url)
        yield url, banner
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_healthy(url: str) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        try:
            if httpx2.get(f"{url}/health", timeout=2).status_code == 200:
                return
        except httpx2.TransportError:
            pass
        time.sleep(0.1)
    raise AssertionError("the service never became healthy")


def test_serve_prints_its_url_the_docs_and_a_ready_token(served: tuple[str, list[str]]) -> None:
    url, banner = served

    assert f"on {url}" in banner[0]
    assert banner[1] == f"Interactive docs: {url}/docs"
    token = banner[-1]
    assert jwt.decode(token, SECRET, algorithms=["HS256"])["cognito:groups"] == ["worker", "admin"]
    me = httpx2.get(f"{url}/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert (me.status_code, me.json()["code"]) == (404, "NOT_FOUND")  # accepted, not registered
    docs = httpx2.get(f"{url}/docs")
    assert docs.status_code == 200
    assert "swagger" in docs.text.lower()
    registered = httpx2.put(
        f"{url}/v1/me",
        json={"email": "developer@example.com"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert registered.status_code == 201


def test_token_prints_a_token_with_the_claims_asked_for(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FLOWLOGIC_PROFILE", "memory")
    monkeypatch.setenv("FLOWLOGIC_JWT_SECRET", SECRET)

    code = main(["token", "--sub", "u-7", "--email", "u7@example.com", "--groups", "worker, admin"])

    claims = jwt.decode(capsys.readouterr().out.strip(), SECRET, algorithms=["HS256"])
    assert code == 0
    assert (claims["sub"], claims["email"]) == ("u-7", "u7@example.com")
    assert claims["cognito:groups"] == ["worker", "admin"]
    assert claims["exp"] - claims["iat"] == 3600


@pytest.mark.parametrize("command", [["serve"], ["token", "--sub", "x"], ["demo"]])
def test_the_local_commands_refuse_the_aws_profile(
    command: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FLOWLOGIC_PROFILE", "aws")

    assert main(command) == 2


def test_demo_walks_the_journey_against_an_embedded_service(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FLOWLOGIC_PROFILE", "memory")
    monkeypatch.delenv("FLOWLOGIC_PUBLIC_URL", raising=False)

    code = main(["demo"])

    out = capsys.readouterr().out
    assert code == 0, out
    assert "the profile is now on the pro tier" in out
    assert re.search(r"done: [A-Z].*, [23] x \d+ (reps|s hold), rest \d+ s", out), out
    assert "Streak: 1 day(s), best 1" in out


def test_demo_against_a_running_service(
    served: tuple[str, list[str]],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url, _ = served
    monkeypatch.setenv("FLOWLOGIC_PROFILE", "memory")
    monkeypatch.setenv("FLOWLOGIC_JWT_SECRET", SECRET)

    code = main(["demo", "--url", url])

    assert code == 0, capsys.readouterr().out


def test_openapi_check_passes_on_the_committed_spec() -> None:
    assert main(["openapi", "--check"]) == 0


@pytest.mark.parametrize(
    ("host", "url"),
    [
        ("127.0.0.1", "http://127.0.0.1:8000"),
        ("0.0.0.0", "http://127.0.0.1:8000"),  # noqa: S104 (a name, nothing is bound)
        ("::1", "http://[::1]:8000"),
    ],
)
def test_the_printed_url_is_one_a_browser_here_can_open(host: str, url: str) -> None:
    assert display_url(host, 8000) == url
