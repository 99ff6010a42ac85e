"""The `flowlogic` command: serve the API, mint local tokens, run the demo, write the spec.

flowlogic serve [--host 127.0.0.1] [--port 8000]
flowlogic token --sub ID [--email E] [--groups worker,admin] [--ttl 3600]
flowlogic demo [--url http://127.0.0.1:8000]
flowlogic openapi [--check]
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING

import uvicorn

from infra.settings import Profile, Settings

if TYPE_CHECKING:
    import socket

    from infra.container import Container

DEV_SUB = "local-developer"
DEV_EMAIL = "developer@example.com"
DEV_TOKEN_TTL = 12 * 3600
_LOOPBACK_NAMES = {"0.0.0.0": "127.0.0.1", "::": "[::1]"}  # noqa: S104 (display only)

_log = logging.getLogger("flowlogic.cli")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script."""
    parser = _parser()
    args = parser.parse_args(argv)
    handler: Callable[[argparse.Namespace], int] = args.handler
    return handler(args)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="flowlogic", description="Flow Logic core")
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    serve = commands.add_parser("serve", help="run the HTTP API (local and memory profiles)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.set_defaults(handler=_serve)

    token = commands.add_parser("token", help="print a bearer token for the local profiles")
    token.add_argument("--sub", required=True, help="the user id")
    token.add_argument("--email")
    token.add_argument("--groups", default="", help="comma-separated, e.g. worker,admin")
    token.add_argument("--ttl", type=int, default=3600, help="lifetime in seconds")
    token.set_defaults(handler=_token)

    demo = commands.add_parser("demo", help="walk a user journey and print it")
    demo.add_argument("--url", help="a running service; without it one is started in process")
    demo.set_defaults(handler=_demo)

    spec = commands.add_parser("openapi", help="write api_spec.yaml from the application")
    spec.add_argument("--check", action="store_true", help="fail if api_spec.yaml is stale")
    spec.set_defaults(handler=_openapi)
    return parser


def settings_for_url(host: str, port: int) -> Settings:
    """The environment's settings; the public URL follows host and port unless configured."""
    settings = Settings()
    if "FLOWLOGIC_PUBLIC_URL" not in os.environ:
        settings = settings.model_copy(update={"public_url": display_url(host, port)})
    return settings


def display_url(host: str, port: int) -> str:
    """The URL a browser on this machine reaches the server at."""
    shown = _LOOPBACK_NAMES.get(host, f"[{host}]" if ":" in host else host)
    return f"http://{shown}:{port}"


def _refuse_aws(settings: Settings, what: str) -> bool:
    if settings.profile is Profile.AWS:
        sys.stderr.write(f"{what} runs on the local and memory profiles only\n")
        return True
    return False


def _serve(args: argparse.Namespace) -> int:
    from infra.logs import configure_logging
    from infra.tokens import mint_token

    settings = settings_for_url(args.host, args.port)
    if _refuse_aws(settings, "flowlogic serve"):
        return 2
    configure_logging(settings.log_level)
    if settings.uses_development_jwt_secret():
        _log.warning("FLOWLOGIC_JWT_SECRET is not set: tokens are signed with a development secret")
    secret = settings.jwt_secret.get_secret_value()
    token = mint_token(secret, DEV_SUB, DEV_EMAIL, ("worker", "admin"), DEV_TOKEN_TTL)
    url = display_url(args.host, args.port)

    def announce() -> None:
        print(f"Flow Logic API ({settings.profile.value} profile) on {url}", flush=True)
        print(f"Interactive docs: {url}/docs", flush=True)
        print(
            f"Bearer token for {DEV_SUB} <{DEV_EMAIL}> (groups worker, admin; 12 h):\n{token}",
            flush=True,
        )

    with serving(settings, args.host, args.port, announce) as server:
        server.run()
    return 0


@contextmanager
def serving(
    settings: Settings, host: str, port: int, announce: Callable[[], None] = lambda: None
) -> Iterator[uvicorn.Server]:
    """A uvicorn server of the application for `settings`, not yet running; cleans up after."""
    from infra.container import create_container
    from infra.openapi import http_app

    container: Container = create_container(settings)
    try:
        config = uvicorn.Config(
            http_app(container),
            host=host,
            port=port,
            log_config=None,  # our JSON logging stays in charge
            access_log=False,  # the app logs one PII-free line per request itself
            lifespan="off",
        )
        yield _AnnouncingServer(config, announce)
    finally:
        container.shutdown_resources()


class _AnnouncingServer(uvicorn.Server):
    """A uvicorn server that announces itself once it listens."""

    def __init__(self, config: uvicorn.Config, announce: Callable[[], None]) -> None:
        super().__init__(config)
        self._announce = announce

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        if self.started:
            self._announce()


@contextmanager
def in_background(settings: Settings, host: str = "127.0.0.1") -> Iterator[str]:
    """Serve the application on a free loopback port in a thread; yields its URL."""
    import socket as sockets

    with sockets.socket(sockets.AF_INET, sockets.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        port = int(probe.getsockname()[1])
    url = display_url(host, port)
    if "FLOWLOGIC_PUBLIC_URL" not in os.environ:
        settings = settings.model_copy(update={"public_url": url})
    ready = threading.Event()
    with serving(settings, host, port, ready.set) as server:
        thread = threading.Thread(target=server.run, name="flowlogic-demo-server", daemon=True)
        thread.start()
        try:
            if not ready.wait(timeout=30):
                raise RuntimeError("the embedded service did not start")
            yield url
        finally:
            server.should_exit = True
            thread.join(timeout=10)


def _token(args: argparse.Namespace) -> int:
    from infra.tokens import mint_token

    settings = Settings()
    if _refuse_aws(settings, "flowlogic token"):
        return 2
    if args.ttl < 1:
        sys.stderr.write("--ttl must be at least 1 second\n")
        return 2
    groups = [group.strip() for group in args.groups.split(",") if group.strip()]
    secret = settings.jwt_secret.get_secret_value()
    print(mint_token(secret, args.sub, args.email, groups, args.ttl))
    return 0


def _demo(args: argparse.Namespace) -> int:
    from infra.demo import run_demo

    settings = Settings()
    if _refuse_aws(settings, "flowlogic demo"):
        return 2
    if args.url:
        return run_demo(args.url.rstrip("/"), settings, sys.stdout)
    with in_background(settings) as url:
        return run_demo(url, settings, sys.stdout)


def _openapi(args: argparse.Namespace) -> int:
    from infra.openapi import main as write_spec

    return write_spec(["--check"] if args.check else [])


if __name__ == "__main__":
    raise SystemExit(main())
